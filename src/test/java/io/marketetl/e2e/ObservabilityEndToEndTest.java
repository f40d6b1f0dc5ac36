package io.marketetl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.AlertingTable;
import io.marketetl.testsupport.PrometheusScrape;
import io.marketetl.testsupport.PrometheusScrape.Sample;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator's Prometheus and orchestrator see on the management port (issue #9): the application as shipped
 * (its WebSocket sources okx-spot and binance-spot, its HTTP connectors okx-ticker and binance-ticker) against the
 * simulator, with the metrics compared with the rows in the database and the per-source health checks.
 */
class ObservabilityEndToEndTest {

    private static final Duration ROWS = Duration.ofSeconds(60);
    private static final List<String> WEBSOCKET = List.of("okx-spot", "binance-spot");
    private static final List<String> HTTP = List.of("okx-ticker", "binance-ticker");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path workDir;

    @Test
    void everyMetricFamilyIsScrapedPerSourceAndAgreesWithTheDatabase() throws Exception {
        // 1 s Binance weight windows and a 3 s ban for a request sent during a 429's Retry-After
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(5)
                .ratePerConnection(40).binanceWeightWindow(Duration.ofSeconds(1)).binanceBanAfterRequests(1)
                .binanceBanSeconds(3).unreadTradesPerSecond(100).build()); TestDatabase db = TestDatabase.create();
                RunningApp app = RunningApp.start(workDir, db, sim, Map.of())) {
            String metrics = "http://127.0.0.1:" + app.managementPort + "/observe/metrics";
            sim.faults().setMalformedRatio(0.05);
            await().atMost(ROWS).until(() -> db.queryLong("SELECT count(DISTINCT connector_id) FROM websocket_messages")
                    == 2 && db.queryLong("SELECT count(DISTINCT connector_id) FROM api_connector_data") == 2
                    && db.queryLong("SELECT count(DISTINCT connector_id) FROM malformed_frames") == 2);

            // a dropped connection each: reconnects counted, connected again
            long opened = sim.stats().connectionsOpened();
            sim.faults().setDisconnectEvery(Duration.ofSeconds(1));
            await().atMost(ROWS).until(() -> sim.stats().connectionsOpened() >= opened + 2);
            sim.faults().setDisconnectEvery(null);
            // the market moved on while the sockets were down: each trade stream had a gap, filled from REST history
            await().atMost(ROWS).until(() -> db.queryLong("SELECT count(DISTINCT connector_id) FROM trade_gaps"
                    + " WHERE status = 'filled' AND trades_backfilled > 0") == 2);
            // Binance over its weight: a 429, then (the test calling inside the Retry-After) a 418 ban for the IP
            sim.faults().setBinanceWeightLimit(1);
            await().atMost(ROWS).until(() -> scrape(metrics).sum("market_etl_http_calls_total",
                    s -> "binance-ticker".equals(s.label("source")) && "429".equals(s.label("status"))) > 0);
            // two requests back to back, so that the second falls in the first one's 1 s weight window, inside its
            // Retry-After, whatever the pace of the polling (in one CI run a minute of single requests per poll never
            // got a 418; the cause was not found: a failure now shows the last answer)
            String price = sim.binanceRestUrl() + "/api/v3/ticker/price?symbol=BTCUSDT";
            await().atMost(ROWS).untilAsserted(() -> {
                String first = get(price);
                assertThat(first.startsWith("418") ? first : get(price)).as("after " + first).startsWith("418");
            });
            await().atMost(ROWS).until(() -> scrape(metrics).sum("market_etl_http_banned_total", "binance-ticker") > 0);
            sim.faults().setBinanceWeightLimit(6000);
            sim.faults().setMalformedRatio(0);
            await().atMost(ROWS).untilAsserted(() -> {
                PrometheusScrape now = scrape(metrics);
                for (String source : WEBSOCKET) {
                    assertThat(now.sum("market_etl_reconnects_total", source)).as(source).isPositive();
                    assertThat(now.sum("market_etl_source_connected", source)).as(source).isEqualTo(1.0);
                }
                // the weight of the latest answer (0 in a 418 during the ban: the exchange counts none then)
                assertThat(now.sum("market_etl_http_weight_used", "binance-ticker")).isPositive();
            });

            for (String source : WEBSOCKET) {
                // rows, batches and malformed frames: what the database holds, read before and after the scrape
                // (the pipeline's rows: backfilled trades are counted apart, below)
                between(() -> db.queryLong("SELECT count(*) FROM websocket_messages WHERE connector_id = '" + source
                        + "' AND backfilled IS NULL"), metrics, m -> m.sum("market_etl_rows_loaded_total", source));
                between(() -> db.queryLong("SELECT count(*) FROM websocket_batches WHERE connector_id = '" + source
                        + "'"), metrics, m -> m.sum("market_etl_batch_size_messages_count", source));
                between(() -> db.queryLong("SELECT count(*) FROM malformed_frames WHERE connector_id = '" + source
                        + "'"), metrics, m -> m.sum("market_etl_malformed_frames_total", source));
            }
            for (String source : WEBSOCKET) {
                // gap backfill (issue #11): the gaps and the backfilled trades the database holds
                between(() -> db.queryLong("SELECT count(*) FROM trade_gaps WHERE connector_id = '" + source + "'"),
                        metrics, m -> m.sum("market_etl_trade_gaps_total", source));
                between(() -> db.queryLong("SELECT count(*) FROM websocket_messages WHERE backfilled AND connector_id"
                        + " = '" + source + "'"), metrics, m -> m.sum("market_etl_backfilled_trades_total", source));
            }
            for (String source : HTTP) {
                between(() -> db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = '" + source
                        + "'"), metrics, m -> m.sum("market_etl_rows_loaded_total", source));
                // every answer is stored: calls by status are the distinct calls in the table
                between(() -> db.queryLong("SELECT count(DISTINCT source_id) FROM api_connector_data"
                        + " WHERE connector_id = '" + source + "' AND status_code = 200"), metrics,
                        m -> m.sum("market_etl_http_calls_total", s -> source.equals(s.label("source"))
                                && "200".equals(s.label("status"))));
            }
            between(() -> db.queryLong("SELECT count(DISTINCT source_id) FROM api_connector_data"
                    + " WHERE connector_id = 'binance-ticker' AND status_code = 429"), metrics,
                    m -> m.sum("market_etl_http_rate_limited_total", "binance-ticker"));
            between(() -> db.queryLong("SELECT count(DISTINCT source_id) FROM api_connector_data"
                    + " WHERE connector_id = 'binance-ticker' AND status_code = 418"), metrics,
                    m -> m.sum("market_etl_http_banned_total", "binance-ticker"));

            PrometheusScrape m = scrape(metrics);
            for (String source : WEBSOCKET) {
                assertThat(m.sum("market_etl_messages_received_total", source)).as(source).isPositive();
                // JSON frames: many bytes per message
                assertThat(m.sum("market_etl_received_bytes_total", source))
                        .isGreaterThan(50 * m.sum("market_etl_messages_received_total", source));
                assertThat(m.of("market_etl_stale_streams_total", source)).hasSize(1);
                assertThat(m.sum("market_etl_rows_rejected_total", source)).isZero();
                assertThat(m.of("market_etl_load_failures_total", source)).singleElement()
                        .satisfies(s -> assertThat(s.value()).isZero());
                assertHistogram(m, "market_etl_send_to_commit_latency_seconds", source, Duration.ofSeconds(30));
                for (String stage : List.of("extract", "transform", "load", "total")) {
                    List<Sample> count = m.of("market_etl_stage_duration_seconds_count", source).stream()
                            .filter(s -> stage.equals(s.label("stage"))).toList();
                    assertThat(count).as(source + " " + stage).hasSize(1);
                    assertThat(count.get(0).value()).isPositive();
                }
                assertThat(stageSum(m, source, "total")).isGreaterThanOrEqualTo(stageSum(m, source, "load"));
                assertHistogram(m, "market_etl_batch_size_messages", source, null);
            }
            for (String source : HTTP) {
                // one message per answer: the calls that got one. The connector keeps polling and counts a call
                // and its message one after the other, so a scrape may fall between them: compare on a scrape that
                // does not (seen 1 in 3: 23 messages against 24 calls)
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                    PrometheusScrape now = scrape(metrics);
                    assertThat(now.sum("market_etl_messages_received_total", source)).isEqualTo(now.sum(
                            "market_etl_http_calls_total", s -> source.equals(s.label("source"))
                                    && !"none".equals(s.label("status"))));
                });
                assertThat(m.sum("market_etl_received_bytes_total", source)).isPositive();
                assertHistogram(m, "market_etl_http_response_latency_seconds", source, Duration.ofSeconds(10));
                assertThat(m.of("market_etl_source_connected", source)).isEmpty();
            }
            // OKX's ticker has an event time, Binance's price has none: only the first has a send-to-commit latency
            assertHistogram(m, "market_etl_send_to_commit_latency_seconds", "okx-ticker", Duration.ofSeconds(30));
            // the load spool's gauges (issue #11): one unlabelled sample each, never negative
            for (String family : List.of("market_etl_spool_depth", "market_etl_spool_bytes")) {
                assertThat(m.named(family)).as(family).singleElement()
                        .satisfies(s -> assertThat(s.value()).isGreaterThanOrEqualTo(0.0));
            }
            for (String source : WEBSOCKET) {
                assertThat(m.sum("market_etl_trade_gaps_unfillable_total", source)).as(source).isZero();
                assertThat(m.of("market_etl_trade_gaps_unfillable_total", source)).hasSize(1);
            }
            assertThat(m.named("market_etl_trade_gaps_open")).singleElement()
                    .satisfies(s -> assertThat(s.value()).isGreaterThanOrEqualTo(0.0));
            assertThat(m.sum("market_etl_backfill_requests_total", s -> "ok".equals(s.label("outcome")))).isPositive();
            // every family the README's Alerting table names is exported
            for (AlertingTable.Row row : AlertingTable.read(Path.of("README.md"))) {
                assertThat(m.all()).as(row.metric()).anyMatch(sample -> sample.name().equals(row.metric())
                        || sample.name().equals(row.metric() + "_count"));
            }
            // the connection pool, by HikariCP's own names
            assertThat(m.named("hikaricp_connections_max")).singleElement()
                    .satisfies(s -> assertThat(s.label("pool")).isEqualTo("market-etl"))
                    .satisfies(s -> assertThat(s.value()).isEqualTo(20.0));
            assertThat(m.named("hikaricp_connections_usage_seconds_count").get(0).value()).isPositive();
            assertThat(m.named("hikaricp_connections_active")).hasSize(1);
            assertThat(m.named("hikaricp_connections_pending")).hasSize(1);
        }
    }

    @Test
    void aStalledSourceIsDownInHealthByNameWhileReadinessAndLivenessStayUp() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(6)
                .ratePerConnection(40).build()); TestDatabase db = TestDatabase.create();
                RunningApp app = RunningApp.start(workDir, db, sim, Map.of())) {
            String base = "http://127.0.0.1:" + app.managementPort + "/observe/";
            await().atMost(ROWS).untilAsserted(() -> assertThat(get(base + "health?exposureLevel=full"))
                    .startsWith("200").contains("{\"name\":\"source:okx-spot\",\"status\":\"UP\"")
                    .contains("{\"name\":\"source:binance-spot\",\"status\":\"UP\""));

            sim.faults().setStall(true); // sockets open, pings answered, no data
            await().atMost(ROWS).untilAsserted(() -> assertThat(get(base + "health?exposureLevel=full"))
                    .startsWith("503")
                    .containsPattern("\\{\"name\":\"source:okx-spot\",\"status\":\"DOWN\",\"message\":\"no data on \\S+"
                            + " for \\d+ ms \\(usual silence at most \\d+ ms\\)\"")
                    .contains("{\"name\":\"source:binance-spot\",\"status\":\"DOWN\"")
                    .contains("{\"name\":\"database\",\"status\":\"UP\"}"));
            // one dark exchange does not take the instance out of the load balancer, nor restart it
            assertThat(get(base + "health/ready?exposureLevel=full")).startsWith("200").doesNotContain("source:");
            assertThat(get(base + "health/live")).isEqualTo("200 {\"status\":\"UP\"}");
            assertThat(get(base + "health/live?exposureLevel=full")).isEqualTo(
                    "200 {\"status\":\"UP\",\"checks\":[{\"name\":\"context\",\"status\":\"UP\"}]}");
            String metrics = base + "metrics";
            await().atMost(ROWS).until(() -> scrape(metrics).sum("market_etl_stale_streams_total", "okx-spot") > 0);

            sim.faults().setStall(false);
            await().atMost(ROWS).untilAsserted(() -> assertThat(get(base + "health"))
                    .isEqualTo("200 {\"status\":\"UP\"}"));
        }
    }

    private static double stageSum(PrometheusScrape m, String source, String stage) {
        return m.of("market_etl_stage_duration_seconds_sum", source).stream()
                .filter(s -> stage.equals(s.label("stage"))).mapToDouble(Sample::value).sum();
    }

    /** A histogram with observations: buckets by {@code le} up to +Inf (= count), cumulative, a sane mean. */
    private static void assertHistogram(PrometheusScrape m, String name, String source, Duration maxMean) {
        List<Sample> buckets = m.of(name + "_bucket", source);
        double count = m.sum(name + "_count", source);
        assertThat(count).as(name + " " + source).isPositive();
        assertThat(buckets).as(name + " " + source).hasSizeGreaterThan(5);
        assertThat(buckets).extracting(s -> s.label("le")).contains("+Inf");
        assertThat(buckets.stream().filter(s -> "+Inf".equals(s.label("le"))).findFirst().orElseThrow().value())
                .isEqualTo(count);
        double previous = 0;
        for (Sample b : buckets) {
            assertThat(b.value()).isGreaterThanOrEqualTo(previous);
            previous = b.value();
        }
        double mean = m.sum(name + "_sum", source) / count;
        assertThat(mean).isPositive();
        if (maxMean != null) {
            assertThat(mean).isLessThan(maxMean.toMillis() / 1000.0);
        }
    }

    /** The metric is at least what the database held before the scrape and at most what it holds after. */
    private void between(LongSupplier database, String metrics, Function<PrometheusScrape, Double> metric) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            long before = database.getAsLong();
            double value = metric.apply(scrape(metrics));
            long after = database.getAsLong();
            assertThat(value).isBetween((double) before, (double) after).isPositive();
        });
    }

    private PrometheusScrape scrape(String url) throws Exception {
        String answer = get(url);
        assertThat(answer).startsWith("200");
        return PrometheusScrape.parse(answer.substring(4));
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }
}
