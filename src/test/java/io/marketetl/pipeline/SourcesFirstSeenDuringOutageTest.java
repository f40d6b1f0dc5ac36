package io.marketetl.pipeline;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection (#11): message numbers without the database. The database path is cut before a source has sent
 * anything: the sources must still be read (numbered at once, their batches spooled), and once the database is back
 * every message is stored once with its source's numbers 1..n. And a start on a spool an earlier run left (its
 * batches not replayed yet) numbers a source after the spooled batches, also with the database away.
 */
class SourcesFirstSeenDuringOutageTest {

    @TempDir
    Path spoolDir;

    private Map<String, String> settings() {
        return SpoolOutageTest.settings(spoolDir);
    }

    @Test
    void sourcesFirstSeenDuringAnOutageKeepBeingReadAndAreNumberedFromOne() throws Exception {
        try (TestDatabase db = TestDatabase.create(); TcpProxy proxy = new TcpProxy("127.0.0.1", db.settings().port());
                HikariDataSource pool = db.poolThrough(proxy.port());
                PipelineHarness p = PipelineHarness.start(pool, settings())) {
            proxy.cut(); // before any source has sent
            List<Feeder> feeders = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                feeders.add(new Feeder(p, new MarketMessageFactory("new-" + i, i == 1 ? Style.BINANCE : Style.OKX,
                        i)));
            }
            Thread sources = new Thread(() -> {
                for (int round = 0; round < 10; round++) {
                    for (Feeder f : feeders) {
                        f.sendMessages(100);
                    }
                }
            }, "sources");
            sources.start();
            // nothing makes them wait for the database (before, each waited for its number seed until it was back)
            sources.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(sources.isAlive()).as("the sources were held up").isFalse();
            await().atMost(Duration.ofSeconds(30)).until(() -> p.backlog().messages() == 0);
            assertThat(p.gauge("market_etl_spool_depth")).isPositive();
            assertThat(count(db.dataSource(), "SELECT count(*) FROM websocket_messages")).isZero();
            proxy.restore();

            long sent = feeders.stream().mapToLong(Feeder::messages).sum();
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> count(db.dataSource(), "SELECT count(*) FROM websocket_messages") == sent);
            assertNumberedOneToN(db.dataSource(), feeders.stream().map(Feeder::sourceId).toList(),
                    feeders.stream().map(Feeder::messages).toList());
        }
    }

    @Test
    void aStartOnAnEarlierRunsSpoolNumbersAfterTheSpooledBatchesWithTheDatabaseAway() throws Exception {
        try (TestDatabase db = TestDatabase.create(); TcpProxy proxy = new TcpProxy("127.0.0.1", db.settings().port())) {
            long first;
            try (HikariDataSource pool = db.poolThrough(proxy.port());
                    PipelineHarness p = PipelineHarness.start(pool, settings())) {
                Feeder a = new Feeder(p, new MarketMessageFactory("okx-a", Style.OKX, 1));
                a.sendMessages(300);
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> count(db.dataSource(), "SELECT count(*) FROM websocket_messages") == a.messages());
                proxy.cut();
                a.sendMessages(700); // spooled; the run stops with them in the spool
                p.stop();
                assertThat(p.gauge("market_etl_spool_depth")).isPositive();
                first = a.messages();
            }
            proxy.restore();
            try (HikariDataSource pool = db.poolThrough(proxy.port());
                    PipelineHarness p = PipelineHarness.start(pool, settings())) {
                // the database goes away again at once: the replay cannot have written the spooled batches, and the
                // source's next numbers must follow them all the same
                proxy.cut();
                Feeder again = new Feeder(p, new MarketMessageFactory("okx-a", Style.OKX, 2));
                Thread source = new Thread(() -> again.sendMessages(500), "source");
                source.start();
                source.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(source.isAlive()).as("the source was held up").isFalse();
                await().atMost(Duration.ofSeconds(30)).until(() -> p.backlog().messages() == 0);
                proxy.restore();

                long sent = first + again.messages();
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> count(db.dataSource(), "SELECT count(*) FROM websocket_messages") == sent);
                assertNumberedOneToN(db.dataSource(), List.of("okx-a"), List.of(sent));
            }
        }
    }

    private static void assertNumberedOneToN(DataSource ds, List<String> sources, List<Long> sent) throws Exception {
        assertThat(count(ds, "SELECT count(*) - count(DISTINCT (connector_id, message_number)) FROM websocket_messages"))
                .isZero();
        for (int i = 0; i < sources.size(); i++) {
            assertThat(rows(ds, "SELECT count(*), min(message_number), max(message_number) FROM websocket_messages"
                    + " WHERE connector_id = '" + sources.get(i) + "'")).as(sources.get(i))
                    .containsExactly(List.of(sent.get(i), 1L, sent.get(i)));
        }
        assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches"))
                .isEqualTo(sent.stream().mapToLong(Long::longValue).sum());
    }
}
