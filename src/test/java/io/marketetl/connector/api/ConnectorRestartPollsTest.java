package io.marketetl.connector.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.InProcessApplication;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connector started through the REST API polls, every time. Each start makes a new Quartz trigger that fires at
 * once; camel-quartz used to look its endpoint up before Camel had registered it (Camel starts an endpoint, and
 * registers its MBean, before it puts it in the registry), made a second endpoint without a consumer, and every later
 * fire went there: the connector showed running and never called again (seen about once in tens of starts).
 * Here the same connector is stopped and started many times; every run must store rows, while a second connector
 * polls throughout (each run's trigger has its own key: a shared key once left all but one connector silent).
 */
class ConnectorRestartPollsTest {

    private static final String TOKEN = "restart-polls-token";
    private static final int RUNS = 30;

    @TempDir
    Path work;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void everyRunOfAConnectorStartedThroughTheApiPolls() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(5).build());
                TestDatabase db = TestDatabase.create();
                InProcessApplication app = InProcessApplication.start(db, work,
                        Map.of("market-etl.api.token", TOKEN))) {
            for (String id : new String[] {"restarted", "steady"}) {
                HttpResponse<String> created = post(app, "/api/connectors", """
                        {"connector_id":"%s","name":"Generic prices","api_url":"%s/generic/prices",
                         "http_method":"GET","auth_type":"None","polling_interval":100,"exchange_name":"generic",
                         "extract":{"items":"/items","instrument":"/instrument","price":"/price","timestamp":"/ts"}}"""
                        .formatted(id, sim.okxRestUrl()));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            }
            assertThat(post(app, "/api/connectors/steady/start", "").statusCode()).isEqualTo(200);
            await("the steady connector stores rows").atMost(Duration.ofSeconds(15))
                    .until(() -> rows(db, "steady") > 0);
            long steadyBefore = rows(db, "steady");
            for (int run = 1; run <= RUNS; run++) {
                HttpResponse<String> started = post(app, "/api/connectors/restarted/start", "");
                assertThat(started.statusCode()).as("start %d: %s", run, started.body()).isEqualTo(200);
                int expected = run;
                // every run has its own session_id: this run has polled once its rows are there
                await("run " + run + " of the connector stores rows").atMost(Duration.ofSeconds(15))
                        .pollInterval(Duration.ofMillis(50))
                        .until(() -> db.queryLong("SELECT count(DISTINCT session_id) FROM api_connector_data"
                                + " WHERE connector_id = 'restarted'") == expected);
                HttpResponse<String> stopped = post(app, "/api/connectors/restarted/stop", "");
                assertThat(stopped.statusCode()).as("stop %d: %s", run, stopped.body()).isEqualTo(200);
            }
            long steadyAfter = rows(db, "steady");
            await("the steady connector still polls").atMost(Duration.ofSeconds(15))
                    .until(() -> rows(db, "steady") > steadyAfter);
            assertThat(steadyAfter).as("the steady connector polled while the other restarted").isGreaterThan(steadyBefore);
        }
    }

    private static long rows(TestDatabase db, String connector) {
        return db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = '" + connector + "'");
    }

    private HttpResponse<String> post(InProcessApplication app, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(app.apiBase() + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
