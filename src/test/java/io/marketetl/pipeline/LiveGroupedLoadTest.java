package io.marketetl.pipeline;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.component.seda.SedaEndpoint;
import org.junit.jupiter.api.Test;

/**
 * The live load path writes the batches waiting in the load queue, of any sources, in one transaction each group
 * (market-etl.load.group-batches), every batch keeping its own websocket_batches row, its messages and their numbers.
 * To have batches waiting, each test holds a lock on websocket_messages while many sources send (the one writer's
 * first batch waits on it, the rest queue up), then lets go.
 */
class LiveGroupedLoadTest {

    private static final int SOURCES = 12;
    private static final int BATCHES_PER_SOURCE = 4;
    private static final int BATCH = 50; // messages: five frames of 10
    private static final int BATCHES = SOURCES * BATCHES_PER_SOURCE;
    private static final int GROUP = 5;

    private static Map<String, String> settings(Map<String, String> more) {
        Map<String, String> s = new HashMap<>(Map.of(
                "market-etl.batch.max-messages", Integer.toString(BATCH),
                "market-etl.batch.max-wait-ms", "600000", // batches complete by size only: exactly 50 messages
                "market-etl.load.queue-batches", "100",
                "market-etl.load.writers", "1",
                "market-etl.load.group-batches", Integer.toString(GROUP)));
        s.putAll(more);
        return s;
    }

    private static List<Feeder> feeders(PipelineHarness p) {
        List<Feeder> feeders = new ArrayList<>();
        for (int i = 0; i < SOURCES; i++) {
            feeders.add(new Feeder(p, new MarketMessageFactory("source-" + i, i % 2 == 0 ? Style.OKX
                    : Style.BINANCE, i)));
        }
        return feeders;
    }

    /** Holds a lock that makes every INSERT into websocket_messages wait, until closed. */
    private static Connection lockMessages(DataSource ds) throws Exception {
        Connection c = ds.getConnection();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.execute("LOCK TABLE websocket_messages IN SHARE ROW EXCLUSIVE MODE");
        }
        return c;
    }

    private static void release(Connection lock) throws Exception {
        lock.rollback();
        lock.close();
    }

    /** Waits until at least this many batches are queued for the writer (the load route's seda queue). */
    private static void awaitQueued(PipelineHarness p, int batches) {
        SedaEndpoint queue = (SedaEndpoint) p.context().getRoute("pipeline-load").getEndpoint();
        await().atMost(Duration.ofSeconds(30)).until(() -> queue.getCurrentQueueSize() >= batches);
    }

    private static void assertEveryBatchStored(DataSource ds, List<Feeder> feeders, long sent) {
        assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(sent);
        for (Feeder f : feeders) {
            assertThat(rows(ds, "SELECT count(DISTINCT message_number), min(message_number), max(message_number)"
                    + " FROM websocket_messages WHERE connector_id = '" + f.sourceId() + "'"))
                    .containsExactly(List.of(f.messages(), 1L, f.messages()));
        }
        // one batch row per batch, each listing its own messages
        assertThat(count(ds, "SELECT count(*) FROM websocket_batches")).isEqualTo(BATCHES);
        assertThat(count(ds, "SELECT count(*) FROM websocket_batches WHERE total_messages <> " + BATCH
                + " OR jsonb_array_length(messages) <> " + BATCH)).isZero();
        assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(sent);
    }

    /** Every source's batches, frames of 10 messages round-robin over the sources; returns the messages sent. */
    private static long sendEveryBatch(List<Feeder> feeders) {
        for (int round = 0; round < BATCH / 10 * BATCHES_PER_SOURCE; round++) {
            for (Feeder f : feeders) {
                f.sendFrame(10);
            }
        }
        return feeders.stream().mapToLong(Feeder::messages).sum();
    }

    @Test
    void manySourcesBatchesWaitingTogetherAreWrittenInFewerTransactions() throws Exception {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), settings(Map.of()))) {
            DataSource ds = db.dataSource();
            List<Feeder> feeders = feeders(p);
            Connection lock = lockMessages(ds);
            long sent = sendEveryBatch(feeders);
            // the writer holds at most one group; the rest wait in the queue
            awaitQueued(p, BATCHES - GROUP);
            release(lock);
            await().atMost(Duration.ofSeconds(30)).until(() -> p.backlog().messages() == 0
                    && count(ds, "SELECT count(*) FROM websocket_messages") == sent);
            p.stop();

            assertEveryBatchStored(ds, feeders, sent);
            // each batch row was written by its group's transaction: fewer transactions than batches, groups of at
            // most 5 (the batches queued behind the first are taken 5 at a time)
            long transactions = count(ds, "SELECT count(DISTINCT xmin::text) FROM websocket_batches");
            assertThat(transactions).isLessThanOrEqualTo(BATCHES / GROUP + 3).isLessThan(BATCHES);
            assertThat(count(ds, "SELECT max(n) FROM (SELECT count(*) AS n FROM websocket_batches GROUP BY"
                    + " xmin::text) g")).isEqualTo(GROUP);
            // the batch row says how many batches its transaction wrote, and its messages share that transaction
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches b WHERE coalesce((metrics->>"
                    + "'load_group_batches')::int, 1) <> (SELECT count(*) FROM websocket_batches o"
                    + " WHERE o.xmin::text = b.xmin::text)")).isZero();
            // the messages go in by one insert per transaction, inside the loader's savepoint (a subtransaction, so
            // their xmin is not the batch rows'): per transaction, as many messages as its batch rows count
            assertThat(rows(ds, "SELECT string_agg(n::text, ',' ORDER BY n) FROM (SELECT count(*) AS n FROM"
                    + " websocket_messages GROUP BY xmin::text) m")).isEqualTo(rows(ds, "SELECT string_agg(n::text,"
                    + " ',' ORDER BY n) FROM (SELECT sum(total_messages) AS n FROM websocket_batches GROUP BY"
                    + " xmin::text) b"));
            assertThat(count(ds, "SELECT count(DISTINCT xmin::text) FROM websocket_messages")).isEqualTo(transactions);
            // metrics per source, one count per batch
            for (Feeder f : feeders) {
                assertThat(p.meters().find("market_etl_rows_loaded").tag("source", f.sourceId()).counter().count())
                        .isEqualTo((double) f.messages());
                assertThat(p.meters().find("market_etl_batches").tag("source", f.sourceId()).counter().count())
                        .isEqualTo(BATCHES_PER_SOURCE);
            }
        }
    }

    @Test
    void aRefusedRowInOneBatchOfAGroupIsADeadLetterAndTheOtherBatchesCommit() throws Exception {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), settings(Map.of()))) {
            DataSource ds = db.dataSource();
            List<Feeder> feeders = feeders(p);
            Feeder bad = feeders.get(3);
            Connection lock = lockMessages(ds);
            int frames = BATCH / 10 * BATCHES_PER_SOURCE;
            for (int round = 0; round < frames; round++) {
                for (Feeder f : feeders) {
                    if (f == bad && round == 9) { // the last frame of its second batch: 9 good, then one refused
                        f.sendFrame(9);
                        Instant now = Instant.now();
                        p.send(List.of(new MarketMessage(f.sourceId(), "binance", "Binance", "trade", "BTC-USDT",
                                new BigDecimal("108250.01"), "{\"e\":\"trade\",\"p\":", null, now, now,
                                System.nanoTime(), 20)));
                    } else {
                        f.sendFrame(10);
                    }
                }
            }
            long stored = feeders.stream().mapToLong(Feeder::messages).sum();
            awaitQueued(p, BATCHES - GROUP);
            release(lock);
            await().atMost(Duration.ofSeconds(30)).until(() -> p.backlog().messages() == 0
                    && count(ds, "SELECT count(*) FROM websocket_messages") == stored);
            p.stop();

            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(stored);
            // the refused message had number 100 (last of the source's second batch); the numbers around it are there
            assertThat(rows(ds, "SELECT count(*), min(message_number), max(message_number) FROM websocket_messages"
                    + " WHERE connector_id = '" + bad.sourceId() + "'"))
                    .containsExactly(List.of(bad.messages(), 1L, bad.messages() + 1));
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE connector_id = '" + bad.sourceId()
                    + "' AND message_number = 100")).isZero();
            assertThat(rows(ds, "SELECT connector_id, kind, payload FROM dead_letters")).containsExactly(
                    List.of(bad.sourceId(), "refused_row", "{\"e\":\"trade\",\"p\":"));
            assertThat(rows(ds, "SELECT reason FROM dead_letters").get(0).get(0).toString())
                    .startsWith("sqlstate_22P02: message #100 ");
            assertThat(p.counter("market_etl_rows_rejected")).isEqualTo(1.0);
            // every batch has its row; the refused one counts the refusal
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches")).isEqualTo(BATCHES);
            assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(stored);
            assertThat(rows(ds, "SELECT connector_id, (metrics->>'rows_rejected')::int FROM websocket_batches"
                    + " WHERE (metrics->>'rows_rejected')::int > 0"))
                    .containsExactly(List.of(bad.sourceId(), 1));
            // the other groups were still written grouped
            assertThat(count(ds, "SELECT count(DISTINCT xmin::text) FROM websocket_batches")).isLessThan(BATCHES);
            for (Feeder f : feeders) {
                if (f != bad) {
                    assertThat(rows(ds, "SELECT count(DISTINCT message_number), max(message_number) FROM"
                            + " websocket_messages WHERE connector_id = '" + f.sourceId() + "'"))
                            .containsExactly(List.of(f.messages(), f.messages()));
                }
            }
        }
    }

    @Test
    void anOutageDuringGroupedWritesSpoolsTheGroupsAndTheReplayStoresEverything() throws Exception {
        try (TestDatabase db = TestDatabase.create();
                TcpProxy proxy = new TcpProxy("127.0.0.1", db.settings().port());
                HikariDataSource pool = db.poolThrough(proxy.port());
                PipelineHarness p = PipelineHarness.start(pool, settings(Map.of(
                        "market-etl.load.retry-initial-ms", "50",
                        "market-etl.load.retry-max-ms", "400",
                        "market-etl.load.network-timeout-ms", "5000",
                        "market-etl.spool.after-ms", "300",
                        "market-etl.spool.probe-ms", "200")))) {
            DataSource ds = db.dataSource(); // not through the proxy
            List<Feeder> feeders = feeders(p);
            Connection lock = lockMessages(ds);
            long sent = sendEveryBatch(feeders);
            awaitQueued(p, BATCHES - GROUP);
            // the outage hits the writer in the middle of its group's transaction (waiting on the lock)
            proxy.cut();
            release(lock);
            await().atMost(Duration.ofSeconds(30)).until(() -> p.backlog().messages() == 0);
            assertThat(p.gauge("market_etl_spool_depth")).isPositive();
            proxy.restore();

            await().atMost(Duration.ofSeconds(60))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_messages") == sent);
            await().atMost(Duration.ofSeconds(10)).until(() -> p.gauge("market_etl_spool_depth") == 0);
            p.stop();

            assertEveryBatchStored(ds, feeders, sent);
            assertThat(count(ds, "SELECT count(*) - count(DISTINCT (connector_id, message_number))"
                    + " FROM websocket_messages")).isZero();
        }
    }
}
