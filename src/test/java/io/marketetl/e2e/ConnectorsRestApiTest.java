package io.marketetl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.connector.secret.SecretKeys;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST API of HTTP connectors end to end: the application in its own JVM, the simulator's REST side as the API
 * being polled, a real PostgreSQL. CRUD, every bad input with its 4xx and nothing written, lifecycle without a
 * restart, resume after a restart, secrets encrypted at rest and absent from every answer and the log.
 */
class ConnectorsRestApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "api-token-5a1e0c2f";
    private static final String BEARER = "sim-bearer-7f3c99d1";
    private static final String HEADER_SECRET = "hdr-secret-88e2";
    private static final String QUERY_SECRET = "qry-secret-41b7";
    private static final Duration ROWS = Duration.ofSeconds(60);
    /** A restarted application on a loaded machine: start-up, resume, first call and first committed batch. */
    private static final Duration RESUMED = Duration.ofSeconds(120);

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> answers = new ArrayList<>();
    private int port;

    private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        answers.add(r.body());
        return r;
    }

    private HttpResponse<String> write(String method, String path, String body) throws Exception {
        return call(method, path, body, TOKEN);
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private String connector(ExchangeSimulator sim, String id, int interval, String instrument) {
        return """
                {%s"name":"Bearer prices","api_url":"%s/private/bearer","http_method":"GET",
                 "headers":{"X-Trace":"%s"},"query_params":{"probe":"%s","inst":"%s"},
                 "auth_type":"Bearer","credentials":{"token":"%s"},"polling_interval":%d,"protocol_type":"REST",
                 "extract":{"items":"/items","instrument":"/symbol","price":"/price","message_type":"price"}}"""
                .formatted(id == null ? "" : "\"connector_id\":\"" + id + "\",", sim.binanceRestUrl(), HEADER_SECRET,
                        QUERY_SECRET, instrument, BEARER, interval);
    }

    private Map<String, String> env(String key) {
        return Map.of("MARKET_ETL_API_PORT", Integer.toString(port), "MARKET_ETL_API_TOKEN", TOKEN,
                "MARKET_ETL_SECRET_KEY", key, "MARKET_ETL_CONNECTOR_STATUS_INTERVAL_MS", "500");
    }

    /** Waits for {@code condition}; on a timeout the failure carries what the application printed and stored. */
    private static void awaitOrExplain(RunningApp app, TestDatabase db, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(RESUMED).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not within " + RESUMED + "; api_connectors: "
                    + db.queryString("SELECT string_agg(connector_id || '=' || status, ', ') FROM api_connectors")
                    + "\nstdout:\n" + app.process.stdout() + "\nstderr:\n" + app.process.stderr(), e);
        }
    }

    @Test
    void connectorsAreManagedThroughTheApiWithSecretsNeverShownAndResumeAfterARestart() throws Exception {
        port = AppProcess.freePort();
        String key = SecretKeys.generate();
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(5)
                .ratePerConnection(2).bearerToken(BEARER).build()); TestDatabase db = TestDatabase.create()) {
            String apiRows = "SELECT count(*) FROM api_connectors WHERE origin = 'api'";
            String log;
            try (RunningApp app = RunningApp.start(workDir, db, sim, env(key))) {
                // writes need the token
                assertThat(call("POST", "/api/connectors", connector(sim, "c1", 200, "X"), null).statusCode()).isEqualTo(401);
                assertThat(call("POST", "/api/connectors", connector(sim, "c1", 200, "X"), "wrong").statusCode()).isEqualTo(401);

                // every bad input: 400 naming the field, nothing written
                Map<String, String> bad = Map.of(
                        "{\"name\":", "malformed JSON",
                        connector(sim, "c1", 200, "X").replace("\"name\":\"Bearer prices\",", ""), "name",
                        connector(sim, "c1", 200, "X").replace("\"api_url\":\"" + sim.binanceRestUrl() + "/private/bearer\",", ""), "api_url",
                        connector(sim, "c1", 200, "X").replace(sim.binanceRestUrl(), "ftp://127.0.0.1:21"), "api_url",
                        connector(sim, "c1", 200, "X").replace("\"auth_type\":\"Bearer\"", "\"auth_type\":\"Kerberos\""), "auth_type",
                        connector(sim, "c1", 200, "X").replace("\"token\":", "\"tokn\":"), "credentials",
                        connector(sim, "c1", 50, "X"), "polling_interval",
                        connector(sim, "c1", 200, "X").replace("\"polling_interval\":200", "\"cron\":\"every second\""), "cron",
                        connector(sim, "c1", 200, "X").replace("\"protocol_type\"", "\"colour\":\"red\",\"protocol_type\""), "colour");
                for (Map.Entry<String, String> e : bad.entrySet()) {
                    HttpResponse<String> r = write("POST", "/api/connectors", e.getKey());
                    assertThat(r.statusCode()).as(e.getValue()).isEqualTo(400);
                    assertThat(r.body()).as(e.getValue()).contains(e.getValue());
                }
                assertThat(db.queryLong(apiRows)).isZero();
                assertThat(call("GET", "/api/connectors/nope", null, null).statusCode()).isEqualTo(404);

                // create: 201, secrets masked, an id generated when none is given; 409 for an existing id
                HttpResponse<String> created = write("POST", "/api/connectors", connector(sim, "c1", 200, "BTC-USDT"));
                assertThat(created.statusCode()).isEqualTo(201);
                JsonNode c1 = json(created);
                assertThat(c1.path("credentials").path("token").asText()).isEqualTo("********");
                assertThat(c1.path("headers").path("X-Trace").asText()).isEqualTo("********");
                assertThat(c1.path("status").asText()).isEqualTo("inactive");
                assertThat(write("POST", "/api/connectors", connector(sim, "c1", 200, "X")).statusCode()).isEqualTo(409);
                JsonNode generated = json(write("POST", "/api/connectors", connector(sim, null, 1000, "X")));
                assertThat(generated.path("connector_id").asText()).startsWith("conn_");
                assertThat(write("DELETE", "/api/connectors/" + generated.path("connector_id").asText(), null)
                        .statusCode()).isEqualTo(204);

                // at rest: ciphertext only
                String rowText = db.queryString("SELECT string_agg(t::text, ' ') FROM api_connectors t");
                assertThat(rowText).doesNotContain(BEARER, HEADER_SECRET, QUERY_SECRET).contains("v1:");

                // a test call: status, time and the rows it would store; stores nothing
                JsonNode test = json(write("POST", "/api/connectors/c1/test", null));
                assertThat(test.path("status_code").asInt()).isEqualTo(200);
                assertThat(test.path("rows").size()).isPositive();
                assertThat(test.path("rows").get(0).path("instrument").asText()).isEqualTo("BTC-USDT");
                assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = 'c1'")).isZero();

                // start: rows, status, keyset pages
                assertThat(write("POST", "/api/connectors/c1/start", null).statusCode()).isEqualTo(200);
                await().atMost(ROWS).until(() -> db.queryLong("SELECT count(*) FROM api_connector_data"
                        + " WHERE connector_id = 'c1' AND status_code = 200 AND price > 0") >= 5);
                JsonNode status = json(call("GET", "/api/connectors/c1/status", null, null));
                assertThat(status.path("status").asText()).isEqualTo("running");
                JsonNode page1 = json(call("GET", "/api/connectors/c1/data?limit=2", null, null));
                assertThat(page1.path("items").size()).isEqualTo(2);
                long next = page1.path("next").asLong();
                assertThat(next).isEqualTo(page1.path("items").get(1).path("id").asLong());
                JsonNode page2 = json(call("GET", "/api/connectors/c1/data?limit=2&before=" + next, null, null));
                assertThat(page2.path("items").get(0).path("id").asLong()).isLessThan(next);
                assertThat(call("GET", "/api/connectors/c1/data?limit=5000", null, null).statusCode()).isEqualTo(400);
                assertThat(call("GET", "/api/connectors/c1/data?before=abc", null, null).statusCode()).isEqualTo(400);

                // the server saw the token (it answers 401 without), the header and the parameters
                assertThat(sim.stats().requests()).filteredOn(q -> q.path().equals("/private/bearer"))
                        .isNotEmpty().allSatisfy(q -> {
                            assertThat(q.query()).contains("probe=", "inst=");
                            assertThat(q.headerNames()).anyMatch(h -> h.equalsIgnoreCase("X-Trace"));
                        });

                // update while running: takes effect without a restart (a new session)
                String firstSession = db.queryString("SELECT min(session_id) FROM api_connector_data WHERE connector_id = 'c1'");
                assertThat(write("PUT", "/api/connectors/c1", connector(sim, "c1", 300, "ETH-USDT")).statusCode())
                        .isEqualTo(200);
                await().atMost(ROWS).until(() -> db.queryLong("SELECT count(DISTINCT session_id) FROM api_connector_data"
                        + " WHERE connector_id = 'c1'") == 2);
                assertThat(json(call("GET", "/api/connectors/c1", null, null)).path("polling_interval").asInt())
                        .isEqualTo(300);

                // stop and start again, then leave it running for the restart
                JsonNode stopped = json(write("POST", "/api/connectors/c1/stop", null));
                assertThat(stopped.path("running").asBoolean()).isFalse();
                assertThat(stopped.path("status").asText()).isEqualTo("stopped");
                assertThat(json(call("GET", "/api/connectors/c1/status", null, null)).path("status").asText())
                        .isEqualTo("stopped");
                assertThat(json(write("POST", "/api/connectors/c1/start", null)).path("running").asBoolean()).isTrue();

                // the OpenAPI document describes the operations
                HttpResponse<String> openapi = call("GET", "/api/openapi.json", null, null);
                assertThat(openapi.statusCode()).isEqualTo(200);
                assertThat(json(openapi).path("paths").has("/connectors/{id}/start")).isTrue();
                log = app.process.stdout() + app.process.stderr();
                assertThat(firstSession).isNotNull();
            }
            // restart: the running connector resumes, with a new session
            long sessions = db.queryLong("SELECT count(DISTINCT session_id) FROM api_connector_data WHERE connector_id = 'c1'");
            try (RunningApp app = RunningApp.start(workDir.resolve("second"), db, sim, env(key))) {
                awaitOrExplain(app, db, () -> db.queryLong("SELECT count(DISTINCT session_id) FROM api_connector_data"
                        + " WHERE connector_id = 'c1'") > sessions);
                assertThat(json(call("GET", "/api/connectors/c1", null, null)).path("running").asBoolean()).isTrue();
                // delete: 204, gone with its rows
                assertThat(write("DELETE", "/api/connectors/c1", null).statusCode()).isEqualTo(204);
                assertThat(call("GET", "/api/connectors/c1", null, null).statusCode()).isEqualTo(404);
                assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = 'c1'")).isZero();
                log += app.process.stdout() + app.process.stderr();
            }
            // no answer and no log line holds a secret
            assertThat(String.join("\n", answers)).doesNotContain(BEARER, HEADER_SECRET, QUERY_SECRET, key);
            assertThat(log).doesNotContain(BEARER, HEADER_SECRET, QUERY_SECRET, key, TOKEN);
        }
    }
}
