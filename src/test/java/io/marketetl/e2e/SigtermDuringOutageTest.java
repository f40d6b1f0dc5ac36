package io.marketetl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.SettingsTable;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.PrometheusScrape;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.StoredOnce;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clean stop during a database outage, on the application as shipped in its own JVM with its default settings
 * (#11, "SIGTERM 10 s into a 90 s outage", in a shape short enough for the suite): the simulator streams, the database
 * goes away (a proxy the test cuts), traffic keeps arriving for a few seconds, then SIGTERM. The stop must not wait
 * for the database (not for a pool connection per status write, not for the seed of a source first seen in the
 * outage): it ends within the shutdown timeout, unforced, with what was in memory in the spool. With the database back, the next start on
 * the same spool stores every item the simulator sent, once.
 */
class SigtermDuringOutageTest {

    private static final Set<String> SOURCES = Set.of("okx-spot", "binance-spot");

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aSigtermDuringAnOutageEndsInTimeAndTheNextStartStoresEverythingSentOnce() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(13)
                .ratePerConnection(100).build());
                TestDatabase db = TestDatabase.create();
                TcpProxy dbPath = new TcpProxy(db.settings().host(), db.settings().port())) {
            Map<String, String> env = Map.of(
                    "POSTGRES_PORT", Integer.toString(dbPath.port()),
                    "MARKET_ETL_POOL_MIN_IDLE", "2",
                    "MARKET_ETL_SPOOL_DIR", workDir.resolve("spool").toString());
            // the shipped shutdown timeout and pool settings: the stop must fit in the one, whatever the other
            Duration shutdownTimeout = Duration.ofSeconds(
                    Long.parseLong(shippedDefault("MARKET_ETL_SHUTDOWN_TIMEOUT_S")));
            try (RunningApp app = RunningApp.start(workDir.resolve("first"), db, sim, env)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> app.count("true") > 200);
                dbPath.cut();
                // traffic keeps arriving during the outage (a few seconds at 100 frames/s per connection)
                long framesAtCut = sim.stats().totalFramesSent();
                await().atMost(Duration.ofSeconds(60)).until(() -> sim.stats().totalFramesSent() > framesAtCut + 400);
                // the simulator stops sending; once the application has read every frame, all of it is accepted
                sim.faults().setStall(true);
                long framesSent = sim.stats().totalFramesSent();
                String metrics = "http://127.0.0.1:" + app.managementPort + "/observe/metrics";
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                        .until(() -> framesReceived(metrics) == framesSent);
                assertThat(app.count("true")).as("the outage holds rows back").isLessThan(sim.stats().totalItemsSent());

                long stopping = System.nanoTime();
                int exit = app.process.stop(shutdownTimeout.plusSeconds(60));
                Duration stop = Duration.ofNanos(System.nanoTime() - stopping);
                assertThat(exit).isIn(0, 143); // 143: ended by SIGTERM
                // the product's contract (MARKET_ETL_SHUTDOWN_TIMEOUT_S), not a speed measurement: before the stop
                // stopped waiting for the database it took the whole timeout and was forced
                assertThat(stop).as("the stop ends within the shutdown timeout; the application's output:\n%s",
                        app.process.stdout())
                        .isLessThan(shutdownTimeout);
                assertThat(app.process.stdout()).doesNotContain("Forcing the routes to be shutdown now")
                        .doesNotContain("accepted messages not yet in the database");
            }

            dbPath.restore();
            Map<String, Long> sent = new LinkedHashMap<>(sim.stats().itemsSentByStream());
            long totalSent = sent.values().stream().mapToLong(Long::longValue).sum();
            try (RunningApp again = RunningApp.start(workDir.resolve("second"), db, sim, env)) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    for (Map.Entry<String, Long> stream : sent.entrySet()) {
                        assertThat(again.count(NothingLostSoakTest.rowsOf(stream.getKey()))).as(stream.getKey())
                                .isEqualTo(stream.getValue());
                    }
                });
                assertThat(sim.stats().totalItemsSent()).as("the simulator sent nothing more").isEqualTo(totalSent);
                assertThat(again.count("true")).isEqualTo(totalSent);
                StoredOnce.assertNoDuplicates(db);
                for (String source : SOURCES) {
                    assertThat(db.rows("SELECT count(*), min(message_number), max(message_number)"
                            + " FROM websocket_messages WHERE connector_id = '" + source + "'"))
                            .as("message numbers of %s stay consecutive", source)
                            .containsExactly(List.of(again.count("connector_id = '" + source + "'"), 1L,
                                    again.count("connector_id = '" + source + "'")));
                }
                assertThat(db.queryLong("SELECT sum(total_messages) FROM websocket_batches"))
                        .isEqualTo(totalSent);
            }
        }
    }

    /** The default of a setting as shipped in application.properties, by its environment variable. */
    private static String shippedDefault(String envVar) throws java.io.IOException {
        return SettingsTable.fromProperties(java.nio.file.Files.readString(Path.of("application.properties")))
                .settings().stream().filter(s -> envVar.equals(s.envVar())).findFirst().orElseThrow().defaultValue();
    }

    /** The data frames the WebSocket sources have read (accepted), from the application's own metrics. */
    private long framesReceived(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return (long) PrometheusScrape.parse(r.body()).sum("market_etl_messages_received_total",
                s -> SOURCES.contains(s.label("source")));
    }
}
