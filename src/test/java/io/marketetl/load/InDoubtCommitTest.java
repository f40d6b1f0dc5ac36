package io.marketetl.load;

import static io.marketetl.testsupport.SqlRows.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.marketetl.batch.Batch;
import io.marketetl.db.DatabaseBootstrap;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A COMMIT whose reply is lost: the loader cannot know whether the rows are in. It must ask the server instead of
 * writing them again (duplicates) or dropping them (loss).
 */
class InDoubtCommitTest {

    @Test
    void aCommittedBatchWhoseReplyWasLostIsNotWrittenTwice() {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of("market-etl.batch.max-messages",
                        "100", "market-etl.batch.max-wait-ms", "100", "market-etl.load.retry-initial-ms", "20"))) {
            DataSource ds = db.dataSource();
            AtomicInteger commits = new AtomicInteger();
            // the second commit succeeds on the server, then the client sees the connection fail
            p.loader().afterCommitHook(batch -> {
                if (commits.incrementAndGet() == 2) {
                    throw new SQLException("simulated: connection lost before the COMMIT reply", "08006");
                }
            });
            Feeder feeder = new Feeder(p, new MarketMessageFactory("okx-trades", Style.OKX, 1));
            feeder.sendMessages(500);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_messages") == feeder.messages());
            p.stop();

            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(feeder.messages());
            assertThat(count(ds, "SELECT count(DISTINCT message_number) FROM websocket_messages"))
                    .isEqualTo(feeder.messages());
            assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(feeder.messages());
            // each batch row committed with its messages, once; the batch in doubt was committed by its first attempt
            // (the second only asked the server), and its row says so
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches WHERE (metrics->>'load_attempts')::int <> 1"))
                    .isZero();
            assertThat(p.counter("market_etl_load_failures")).isEqualTo(1.0);
        }
    }

    @Test
    void aTransactionStillInProgressIsEndedThenTheBatchIsWrittenOnce() throws Exception {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of())) {
            DataSource ds = db.dataSource();
            // a plain connection outside the pool: it is going to be terminated
            Connection stuck = DatabaseBootstrap.connect(db.settings(), db.name(), 5);
            // an open transaction: what the server sees when a client vanished before its COMMIT arrived
            stuck.setAutoCommit(false);
            long xid;
            int pid;
            try (Statement s = stuck.createStatement();
                    ResultSet rs = s.executeQuery("SELECT txid_current(), pg_backend_pid()")) {
                rs.next();
                xid = rs.getLong(1);
                pid = rs.getInt(2);
            }
            List<MarketMessage> messages = new MarketMessageFactory("okx-trades", Style.OKX, 2)
                    .frame(Instant.now(), 10);
            for (int i = 0; i < messages.size(); i++) {
                messages.get(i).setMessageNumber(i + 1);
            }
            Batch batch = Batch.of(messages);
            LoadState state = new LoadState(BatchFacts.of(batch, 0), messages.stream().map(Row::of).toList(), "copy");
            state.inDoubt = new LoadState.InDoubt(xid, pid, 0, 10, 1, 1, 1, 1, true, java.util.Set.of());
            state.firstAttemptNanos = System.nanoTime(); // a fresh batch: retried in place, not yet due for the spool
            batch.load(state);
            p.backlog().accepted(10);

            // outcome unknown ("in progress"): the loader ends that session and asks to be called again
            assertThatThrownBy(() -> p.loader().load(batch)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("not known yet");
            await().atMost(Duration.ofSeconds(10)).until(() -> count(ds,
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid) == 0);
            // now it is aborted: the rows are written, once
            p.loader().load(batch);
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(10);
            assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(10);
            assertThat(state.finished()).isTrue();
            try {
                stuck.close();
            } catch (SQLException expected) {
                // terminated by the loader
            }
        }
    }
}
