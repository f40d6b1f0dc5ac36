package io.marketetl.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application itself: its maintenance routes fire on their cron settings (every second here), retention
 * deletes the rows past their age and keeps the others, ANALYZE runs, and /observe/metrics shows both; a malformed
 * age stops the start with one line naming the variable.
 */
class MaintenanceEndToEndTest {

    private static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path workDir;

    @Test
    void theScheduledRoutesDeleteWhatIsPastItsAgeAndAnalyzeVisibleInTheMetrics() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            Map<RetentionTable, Duration> ages = RetentionJobTest.sampleAges(); // the same ages as below
            // an hour either side of each cutoff: the application's clock runs on while it starts
            RetentionJobTest.seed(db, ages, Instant.now(), Duration.ofHours(1));

            Map<String, String> env = AppProcess.environment(db.settings(),
                    Files.createDirectories(workDir.resolve("routes")));
            env.put("MARKET_ETL_RETENTION_WEBSOCKET_MESSAGES", "30d");
            env.put("MARKET_ETL_RETENTION_WEBSOCKET_BATCHES", "1w");
            env.put("MARKET_ETL_RETENTION_API_CONNECTOR_DATA", "24h");
            env.put("MARKET_ETL_RETENTION_MALFORMED_FRAMES", "720m");
            env.put("MARKET_ETL_RETENTION_CRON", "0/1 * * * * ?");
            env.put("MARKET_ETL_RETENTION_CHUNK_ROWS", "5");
            env.put("MARKET_ETL_ANALYZE_CRON", "0/1 * * * * ?");
            try (AppProcess app = AppProcess.start(workDir, env)) {
                app.awaitOutput("Retention: deleted 54 rows", START);
                assertThat(app.stdout()).contains("Retention: deletes websocket_messages older than 30d, "
                        + "websocket_batches older than 1w, api_connector_data older than 1d, malformed_frames older"
                        + " than 12h on '0/1 * * * * ?', 5 rows per transaction");
                assertThat(db.queryLong("SELECT count(*) FROM websocket_messages")).isEqualTo(7);
                assertThat(db.queryLong("SELECT count(*) FROM websocket_batches")).isEqualTo(4);
                assertThat(db.queryLong("SELECT count(*) FROM api_connector_data")).isEqualTo(5);
                assertThat(db.queryLong("SELECT count(*) FROM malformed_frames")).isEqualTo(5);

                String metrics = "http://127.0.0.1:" + env.get("MARKET_ETL_MANAGEMENT_PORT") + "/observe/metrics";
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(get(metrics))
                        .contains("market_etl_retention_deleted_rows_total{table=\"websocket_messages\"} 23.0")
                        .contains("market_etl_retention_deleted_rows_total{table=\"malformed_frames\"} 11.0")
                        .containsPattern("market_etl_retention_runs_total\\{result=\"ok\"} [1-9]")
                        .containsPattern("market_etl_analyze_runs_total\\{result=\"ok\"} [1-9]")
                        .contains("market_etl_retention_last_run_duration_seconds ")
                        .contains("market_etl_analyze_last_run_duration_seconds "));
                assertThat(app.stdout()).contains("ANALYZE: websocket_messages, websocket_batches,"
                        + " api_connector_data analyzed in");
                app.stop(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void aMalformedAgeIsOneLineNamingTheVariable() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = AppProcess.environment(db.settings(),
                    Files.createDirectories(workDir.resolve("routes")));
            env.put("MARKET_ETL_RETENTION_MALFORMED_FRAMES", "7 days");
            try (AppProcess app = AppProcess.start(workDir, env)) {
                assertThat(app.waitForExit(START)).isEqualTo(2);
                assertThat(app.stderr().strip()).isEqualTo("market-etl: MARKET_ETL_RETENTION_MALFORMED_FRAMES: '7 days'"
                        + " is not an age; give a positive whole number and a unit (m minutes, h hours, d days, w"
                        + " weeks), e.g. 30d, or leave it empty to keep rows forever");
            }
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }
}
