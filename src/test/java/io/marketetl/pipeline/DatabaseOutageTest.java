package io.marketetl.pipeline;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.db.DatabaseBootstrap;
import io.marketetl.db.DatabaseSettings;
import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Fault injection: the database path is cut while three sources stream, and stays down until the sources have sent
 * everything: batches the database cannot take go to the load spool, so the sources keep going. Once it is back the
 * spool is replayed: every accepted message ends up stored exactly once, with its source's consecutive number, while
 * memory stayed bounded and the spool is empty again.
 */
class DatabaseOutageTest {

    private static final int HANDOFF_FRAMES = 50;
    private static final int MAX_MESSAGES = 200;
    private static final int GROUP_BATCHES = 4;

    @Test
    void anOutageMidStreamNeitherLosesNorDuplicates() throws Exception {
        try (TestDatabase db = TestDatabase.create(); TcpProxy proxy = new TcpProxy("127.0.0.1", db.settings().port())) {
            DatabaseSettings s = db.settings();
            DatabaseSettings viaProxy = new DatabaseSettings(s.host(), proxy.port(), s.user(), s.password(),
                    s.database(), s.maintenanceDatabase(), s.jdbcOptions(), s.startupWait(), s.startupMaxBackoff(), 2,
                    10, Duration.ofSeconds(2));
            try (HikariDataSource pool = DatabaseBootstrap.openPool(viaProxy);
                    PipelineHarness p = PipelineHarness.start(pool, Map.ofEntries(
                            Map.entry("market-etl.batch.max-messages", Integer.toString(MAX_MESSAGES)),
                            Map.entry("market-etl.batch.max-wait-ms", "100"),
                            Map.entry("market-etl.pipeline.handoff-frames", Integer.toString(HANDOFF_FRAMES)),
                            Map.entry("market-etl.load.queue-batches", "2"),
                            Map.entry("market-etl.load.writers", "2"),
                            Map.entry("market-etl.load.group-batches", Integer.toString(GROUP_BATCHES)),
                            Map.entry("market-etl.load.retry-initial-ms", "50"),
                            Map.entry("market-etl.load.retry-max-ms", "400"),
                            Map.entry("market-etl.load.network-timeout-ms", "5000"),
                            Map.entry("market-etl.spool.after-ms", "300"),
                            Map.entry("market-etl.spool.probe-ms", "200")))) {
                List<Feeder> feeders = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    feeders.add(new Feeder(p, new MarketMessageFactory("source-" + i, i == 1 ? Style.BINANCE
                            : Style.OKX, i)));
                }
                // the sources: 3 x 4,000 messages at about 3,000 messages/s
                Thread sources = new Thread(() -> {
                    for (int round = 0; round < 40; round++) {
                        for (Feeder f : feeders) {
                            f.sendMessages(100);
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                    }
                }, "sources");
                sources.start();

                await().atMost(Duration.ofSeconds(30))
                        .until(() -> count(db.dataSource(), "SELECT count(*) FROM websocket_messages") >= 1000);
                long storedBefore = count(db.dataSource(), "SELECT count(*) FROM websocket_messages");
                proxy.cut();
                // the database stays down while the sources send everything: nothing makes them wait for it
                sources.join(TimeUnit.SECONDS.toMillis(30));
                assertThat(sources.isAlive()).isFalse();
                long sent = feeders.stream().mapToLong(Feeder::messages).sum();
                await().atMost(Duration.ofSeconds(30)).until(() -> p.backlog().messages() == 0);
                long acceptedDuringOutage = p.backlog().peak();
                assertThat(p.counter("market_etl_load_failures")).isGreaterThanOrEqualTo(1);
                assertThat(p.gauge("market_etl_spool_depth")).isPositive();
                assertThat(sent - storedBefore).isGreaterThan(1000); // most of the stream arrived during the outage
                proxy.restore();

                await().atMost(Duration.ofSeconds(60))
                        .until(() -> count(db.dataSource(), "SELECT count(*) FROM websocket_messages") == sent);
                await().atMost(Duration.ofSeconds(10)).until(() -> p.gauge("market_etl_spool_depth") == 0);
                assertThat(p.gauge("market_etl_spool_bytes")).isZero();
                p.stop();

                var ds = db.dataSource();
                assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(sent);
                assertThat(count(ds, "SELECT count(*) - count(DISTINCT (connector_id, message_number))"
                        + " FROM websocket_messages")).isZero();
                for (Feeder f : feeders) {
                    assertThat(rows(ds, "SELECT count(*), min(message_number), max(message_number)"
                            + " FROM websocket_messages WHERE connector_id = '" + f.sourceId() + "'"))
                            .containsExactly(List.of(f.messages(), 1L, f.messages()));
                }
                // every message in exactly one batch row, the spooled batches' too
                assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(sent);
                assertThat(count(ds, "SELECT count(*) FROM websocket_batches b CROSS JOIN LATERAL"
                        + " jsonb_array_elements(b.messages) m")).isEqualTo(sent);
                // memory stayed bounded: the hand-off (frames of at most 3 messages), an open batch per source,
                // the load queue, the writers (a group of up to GROUP_BATCHES batches each) and the two aggregator
                // threads waiting to hand a batch over (a spooled batch leaves memory)
                long bound = HANDOFF_FRAMES * 3L + (3 + 2 + 2 * GROUP_BATCHES + 2) * (MAX_MESSAGES + 2L) + 3;
                assertThat(acceptedDuringOutage).isLessThanOrEqualTo(bound);
                assertThat(p.backlog().peak()).isLessThanOrEqualTo(bound).isLessThan(sent);
            }
        }
    }
}
