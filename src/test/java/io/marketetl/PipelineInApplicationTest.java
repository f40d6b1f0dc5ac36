package io.marketetl;

import static io.marketetl.testsupport.SqlRows.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.pipeline.PipelineHeaders;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.TestDatabase;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

/**
 * The pipeline as the application wires it (camel-main, application.properties, routes/*.camel.yaml, the
 * configuration classes): frames sent to direct:market-messages become rows, and the pipeline's meters are on the
 * management port's /observe/metrics, i.e. in the same Prometheus registry as Camel's own.
 */
class PipelineInApplicationTest {

    @Test
    void theApplicationRunsThePipelineAndExposesItsMetrics() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Main main = start(db, port, java.util.Map.of());
            try {
                ProducerTemplate template = main.getCamelContext().createProducerTemplate();
                MarketMessageFactory f = new MarketMessageFactory("okx-trades", MarketMessageFactory.Style.OKX, 1);
                long sent = 0;
                for (int i = 0; i < 50; i++) {
                    var frame = f.frame(Instant.now());
                    sent += frame.size();
                    template.sendBodyAndHeader("direct:market-messages", frame,
                            PipelineHeaders.NORMALISE_START_NANOS, System.nanoTime());
                }
                long expected = sent;
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> count(db.dataSource(), "SELECT count(*) FROM websocket_batches") > 0
                                && count(db.dataSource(), "SELECT count(*) FROM websocket_messages") == expected);

                HttpClient http = HttpClient.newHttpClient();
                String metrics = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port
                        + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("market_etl_rows_loaded", "market_etl_batches",
                        "market_etl_pipeline_backlog_messages");
            } finally {
                main.stop();
            }
            assertThat(count(db.dataSource(), "SELECT sum(total_messages) FROM websocket_batches"))
                    .isEqualTo(count(db.dataSource(), "SELECT count(*) FROM websocket_messages"));
        }
    }

    /**
     * As the application wires them: a frame over the size limit and one PostgreSQL's jsonb would refuse become dead
     * letters (camel.beans.normalise.* from the settings), an event time of -1 is stored flagged, and
     * market_etl_dead_letters_total is on /observe/metrics.
     */
    @Test
    void theApplicationKeepsDeadLettersAndFlagsImplausibleValues() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            int port = io.marketetl.testsupport.AppProcess.freePort();
            Main main = start(db, port, java.util.Map.of("market-etl.normalise.max-frame-bytes", "3000"));
            try {
                ProducerTemplate template = main.getCamelContext().createProducerTemplate();
                var dialect = io.marketetl.exchanges.Frames.binance("trade", "BTCUSDT");
                String trade = "{\"e\":\"trade\",\"E\":%d,\"s\":\"BTCUSDT\",\"t\":%d,\"p\":\"108250.01\",\"q\":\"0.1\"%s}";
                String big = trade.formatted(System.currentTimeMillis(), 2, ",\"pad\":\"" + "x".repeat(4000) + "\"");
                for (String text : java.util.List.of(trade.formatted(-1, 1, ""), big,
                        trade.formatted(System.currentTimeMillis(), 3, ",\"x\":\"\\ud800\""))) {
                    template.sendBody("direct:normalise", new io.marketetl.source.RawFrame(dialect.sourceId(), dialect,
                            text, Instant.now(), System.nanoTime()));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> count(db.dataSource(),
                        "SELECT count(*) FROM websocket_messages") == 1);
                assertThat(count(db.dataSource(), "SELECT count(*) FROM websocket_messages"
                        + " WHERE flags = '{event_time_implausible}' AND timestamp > now() - interval '1 hour'"))
                        .isEqualTo(1);
                assertThat(io.marketetl.testsupport.SqlRows.rows(db.dataSource(),
                        "SELECT kind, reason FROM dead_letters ORDER BY id")).containsExactly(
                        java.util.List.of("oversize_frame", "frame_too_large:" + big.length()),
                        java.util.List.of("malformed_frame", "unstorable_json:lone_surrogate_escape"));
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://localhost:" + port + "/observe/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(metrics).contains("market_etl_dead_letters_total{reason=\"frame_too_large\",source=\"bn-1\"} 1.0")
                        .contains("market_etl_dead_letters_total{reason=\"unstorable_json\",source=\"bn-1\"} 1.0");
            } finally {
                main.stop();
            }
        }
    }

    /** The application on the test database, its management port on {@code port}, the sources on loopback. */
    private static Main start(TestDatabase db, int port, java.util.Map<String, String> overrides) throws Exception {
        Main main = Application.newMain();
        main.addOverrideProperty("market-etl.postgres.host", db.settings().host());
        main.addOverrideProperty("market-etl.postgres.port", Integer.toString(db.settings().port()));
        main.addOverrideProperty("market-etl.postgres.user", db.settings().user());
        main.addOverrideProperty("market-etl.postgres.db", db.name());
        main.addOverrideProperty("market-etl.management.port", Integer.toString(port));
        main.addOverrideProperty("market-etl.routes-reload", "false");
        main.addOverrideProperty("market-etl.api.port", Integer.toString(io.marketetl.testsupport.AppProcess.freePort()));
        // the shipped sources are loaded too: keep them on loopback (a closed port), never the public exchanges
        main.addOverrideProperty("market-etl.okx.ws-url", "ws://127.0.0.1:9/ws/v5/public");
        main.addOverrideProperty("market-etl.binance.ws-url", "ws://127.0.0.1:9");
        main.addOverrideProperty("market-etl.batch.max-wait-ms", "100");
        overrides.forEach(main::addOverrideProperty);
        main.start();
        return main;
    }
}
