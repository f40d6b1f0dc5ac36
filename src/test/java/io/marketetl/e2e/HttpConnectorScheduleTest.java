package io.marketetl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.simulator.SimulatorStats.RestRequest;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One call at a time per connector: against an API slower than the connector's interval, calls never overlap and the
 * ticks that came while a call ran are skipped and counted, not queued.
 */
class HttpConnectorScheduleTest {

    @TempDir
    Path workDir;

    @Test
    void aCallSlowerThanTheIntervalSkipsTicksAndCallsNeverOverlap() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(9)
                .ratePerConnection(1).build()); TestDatabase db = TestDatabase.create()) {
            sim.faults().setRestDelay(Duration.ofMillis(350));
            try (RunningApp app = RunningApp.start(workDir, db, sim,
                    Map.of("MARKET_ETL_CONNECTOR_STATUS_INTERVAL_MS", "300"))) {
                Files.writeString(app.routes.resolve("slow.camel.yaml"), """
                        - route:
                            id: slow
                            from:
                              uri: api:slow
                              parameters:
                                url: "%s/generic/prices"
                                interval: 100
                                itemsPointer: /items
                                instrumentPointer: /instrument
                                pricePointer: /price
                              steps:
                                - to: direct:normalise
                        """.formatted(sim.binanceRestUrl()));
                try {
                    await().atMost(Duration.ofSeconds(60)).until(() -> db.queryLong("SELECT coalesce((SELECT"
                            + " (performance_metrics->'skipped_ticks'->>'busy')::bigint FROM connector_status"
                            + " WHERE connector_id = 'slow'), 0)") >= 10 && db.queryLong("SELECT count(DISTINCT"
                            + " source_id) FROM api_connector_data WHERE connector_id = 'slow'") >= 5);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    String out = app.process.stdout();
                    throw new AssertionError("status: " + db.rows("SELECT status, performance_metrics FROM"
                            + " connector_status WHERE connector_id = 'slow'") + "; rows: " + db.queryLong("SELECT"
                            + " count(*) FROM api_connector_data WHERE connector_id = 'slow'") + "\nlog tail:\n"
                            + out.substring(Math.max(0, out.length() - 6000)), e);
                }
            }
            List<RestRequest> calls = sim.stats().requests().stream()
                    .filter(r -> r.path().equals("/generic/prices")).toList();
            assertThat(calls).hasSizeGreaterThanOrEqualTo(5);
            for (int i = 1; i < calls.size(); i++) {
                RestRequest previous = calls.get(i - 1);
                if (previous.answeredAtMs() > 0) {
                    assertThat(calls.get(i).timeMs()).as("call %d starts after call %d was answered", i, i - 1)
                            .isGreaterThanOrEqualTo(previous.answeredAtMs());
                }
            }
        }
    }
}
