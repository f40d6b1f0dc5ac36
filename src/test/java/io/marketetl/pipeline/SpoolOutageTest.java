package io.marketetl.pipeline;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.load.BatchSpool;
import io.marketetl.ops.SpoolHealthCheck;
import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.LogCapture;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.health.HealthCheck;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The load spool under fault injection: a stop during an outage, and a spool too small for the outage. */
class SpoolOutageTest {

    @TempDir
    Path spoolDir;

    private static Map<String, String> settings(Path spoolDir, String maxBytes) {
        Map<String, String> m = settings(spoolDir);
        m.put("market-etl.spool.max-bytes", maxBytes);
        return m;
    }

    /** Short retries, a quick spool, small hand-offs: an outage shows within a second (also for other outage tests). */
    static Map<String, String> settings(Path spoolDir) {
        Map<String, String> m = new HashMap<>(Map.of(
                "market-etl.batch.max-messages", "200",
                "market-etl.batch.max-wait-ms", "100",
                "market-etl.load.retry-initial-ms", "50",
                "market-etl.load.retry-max-ms", "400",
                "market-etl.load.network-timeout-ms", "5000",
                "market-etl.spool.after-ms", "300",
                "market-etl.spool.probe-ms", "200",
                "market-etl.spool.dir", spoolDir.toString()));
        m.put("market-etl.pipeline.handoff-frames", "50");
        m.put("market-etl.load.queue-batches", "2");
        return m;
    }


    private static void assertStoredOnceInOrder(DataSource ds, List<Feeder> feeders) throws Exception {
        long sent = feeders.stream().mapToLong(Feeder::messages).sum();
        assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(sent);
        for (Feeder f : feeders) {
            assertThat(rows(ds, "SELECT count(*), min(message_number), max(message_number) FROM websocket_messages"
                    + " WHERE connector_id = '" + f.sourceId() + "'")).containsExactly(List.of(f.messages(), 1L,
                    f.messages()));
        }
        assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(sent);
    }

    @Test
    void aStopDuringAnOutageSpoolsWhatIsInMemoryAndTheNextStartReplaysIt() throws Exception {
        try (TestDatabase db = TestDatabase.create(); TcpProxy proxy = new TcpProxy("127.0.0.1", db.settings().port())) {
            List<Feeder> feeders;
            try (HikariDataSource pool = db.poolThrough(proxy.port());
                    PipelineHarness p = PipelineHarness.start(pool, settings(spoolDir, "1073741824"))) {
                feeders = List.of(new Feeder(p, new MarketMessageFactory("okx-a", Style.OKX, 1)),
                        new Feeder(p, new MarketMessageFactory("binance-b", Style.BINANCE, 2)));
                for (Feeder f : feeders) {
                    f.sendMessages(300);
                }
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> count(db.dataSource(), "SELECT count(*) FROM websocket_messages") == 600);
                proxy.cut();
                for (Feeder f : feeders) {
                    f.sendMessages(1500); // in the hand-off, open batches and the load queue when the stop begins
                }
                Thread stopping = new Thread(p::stop, "stopping");
                stopping.start();
                // the stop does not wait for the database: everything in memory goes to the spool
                stopping.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(stopping.isAlive()).isFalse();
                assertThat(p.backlog().messages()).isZero();
                assertThat(p.gauge("market_etl_spool_depth")).isPositive();
                assertThat(count(db.dataSource(), "SELECT count(*) FROM websocket_messages"))
                        .isLessThan(feeders.stream().mapToLong(Feeder::messages).sum());
            }
            // the next start, with the database back, replays the spool
            try (PipelineHarness p = PipelineHarness.start(db.dataSource(), settings(spoolDir, "1073741824"))) {
                long sent = feeders.stream().mapToLong(Feeder::messages).sum();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> count(db.dataSource(), "SELECT count(*) FROM websocket_messages") == sent);
                await().atMost(Duration.ofSeconds(10)).until(() -> p.gauge("market_etl_spool_depth") == 0);
                assertStoredOnceInOrder(db.dataSource(), feeders);
            }
        }
    }

    @Test
    void aFullSpoolPushesBackTurnsReadinessDownAndLosesNothing() throws Exception {
        try (TestDatabase db = TestDatabase.create(); TcpProxy proxy = new TcpProxy("127.0.0.1", db.settings().port());
                HikariDataSource pool = db.poolThrough(proxy.port());
                LogCapture spoolLog = LogCapture.of(BatchSpool.class);
                // room for a few batches of 200 messages only
                PipelineHarness p = PipelineHarness.start(pool, settings(spoolDir, "200000"))) {
            Feeder feeder = new Feeder(p, new MarketMessageFactory("okx-a", Style.OKX, 1));
            feeder.sendMessages(200);
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(db.dataSource(), "SELECT count(*) FROM websocket_messages") == 200);
            proxy.cut();
            Thread source = new Thread(() -> feeder.sendMessages(6000), "source");
            source.start();
            BatchSpool spool = p.context().getRegistry().lookupByNameAndType("batchSpool", BatchSpool.class);
            SpoolHealthCheck readiness = new SpoolHealthCheck(spool);
            // full: the source is made to wait (it cannot finish), readiness is DOWN, the metric shows the spool
            await().atMost(Duration.ofSeconds(30)).until(() -> spool.full()
                    && (source.getState() == Thread.State.WAITING || source.getState() == Thread.State.TIMED_WAITING));
            assertThat(readiness.call().getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(p.gauge("market_etl_spool_bytes")).isGreaterThan(100_000).isLessThanOrEqualTo(200_000);
            assertThat(p.gauge("market_etl_spool_depth")).isPositive();
            assertThat(source.isAlive()).isTrue();
            // an operator reads one ERROR line for the episode, not one per retry of the refused batch: wait until
            // the load route has retried the refused batch a few more times, then count
            long refusedAt = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> spool.full()
                    && System.nanoTime() - refusedAt > TimeUnit.SECONDS.toNanos(2));
            assertThat(spoolLog.lines(Level.ERROR, "Spool full")).hasSize(1);

            proxy.restore();
            source.join(TimeUnit.SECONDS.toMillis(60));
            assertThat(source.isAlive()).isFalse();
            await().atMost(Duration.ofSeconds(60)).until(() -> count(db.dataSource(),
                    "SELECT count(*) FROM websocket_messages") == feeder.messages());
            await().atMost(Duration.ofSeconds(10)).until(() -> p.gauge("market_etl_spool_depth") == 0);
            assertThat(readiness.call().getState()).isEqualTo(HealthCheck.State.UP);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> spoolLog.lines(Level.INFO, "Spool has room again").size() == 1);
            assertThat(spoolLog.lines(Level.ERROR, "Spool full")).hasSize(1);
            p.stop();
            assertStoredOnceInOrder(db.dataSource(), List.of(feeder));
            try (var files = Files.list(spoolDir)) {
                assertThat(files.filter(f -> f.toString().endsWith(".seg")).count()).isEqualTo(1);
            }
        }
    }
}
