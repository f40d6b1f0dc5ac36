package io.marketetl.maintenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.testsupport.TestDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ANALYZE of the busy tables as PostgreSQL records it (pg_stat_user_tables.last_analyze), counted in the metrics. */
class AnalyzeJobTest {

    @Test
    void analyzesTheBusyTablesOnlyAndCountsTheRun() {
        try (TestDatabase db = TestDatabase.create()) {
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

            assertThat(new AnalyzeJob(db.dataSource(), new MaintenanceMetrics(() -> registry)).run()).isTrue();

            // the statistics collector reports asynchronously
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(db.rows(
                    "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL ORDER BY relname"))
                    .containsExactly(List.of("api_connector_data"), List.of("websocket_batches"),
                            List.of("websocket_messages")));
            assertThat(registry.scrape()).contains("market_etl_analyze_runs_total{result=\"ok\"} 1.0")
                    .containsPattern("(?m)^market_etl_analyze_last_run_duration_seconds [0-9.eE-]+$");
        }
    }
}
