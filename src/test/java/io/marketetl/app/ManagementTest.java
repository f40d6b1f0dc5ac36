package io.marketetl.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management port as an operator or orchestrator uses it: health follows the database (through a proxy the
 * test cuts and restores), liveness does not, and metrics and Jolokia answer. Without credentials Jolokia is
 * read-only; with MARKET_ETL_MANAGEMENT_USER / _PASSWORD everything but the two probes needs basic auth.
 */
class ManagementTest {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path workDir;

    @Test
    void healthIsDownWhileTheDatabaseIsUnreachableAndUpAgainWhenItIsBack() throws Exception {
        int managementPort = AppProcess.freePort();
        try (TestDatabase db = TestDatabase.create(); TcpProxy proxy = new TcpProxy("127.0.0.1", 5432)) {
            Map<String, String> env = Map.of(
                    "POSTGRES_HOST", "127.0.0.1",
                    "POSTGRES_PORT", Integer.toString(proxy.port()),
                    "POSTGRES_DB", db.name(),
                    "MARKET_ETL_MANAGEMENT_PORT", Integer.toString(managementPort),
                    "MARKET_ETL_ROUTES_DIR", Files.createDirectories(workDir.resolve("routes")).toString(),
                    "MARKET_ETL_ROUTES_RELOAD", "false");
            try (AppProcess app = AppProcess.start(workDir, env)) {
                app.awaitOutput("(market-etl) started", Duration.ofSeconds(60));
                String base = "http://127.0.0.1:" + managementPort + "/observe/";
                assertThat(app.stdout()).containsOnlyOnce(HINT);

                assertThat(get(base + "health")).isEqualTo("200 {\"status\":\"UP\"}");

                proxy.cut();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(get(base + "health")).startsWith("503").contains("\"DOWN\""));
                assertThat(get(base + "health/ready")).startsWith("503");
                assertThat(get(base + "health/live")).startsWith("200").contains("UP");

                proxy.restore();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(get(base + "health")).isEqualTo("200 {\"status\":\"UP\"}"));

                assertThat(get(base + "metrics")).startsWith("200").contains("jvm_memory_used_bytes");
                assertThat(get(base + "jolokia/read/java.lang:type=Runtime/Uptime"))
                        .startsWith("200").contains("\"status\":200");
                assertThat(get(base + "jolokia/read/com.zaxxer.hikari:type=Pool%20(market-etl)/TotalConnections"))
                        .startsWith("200").contains("\"status\":200");
                // without credentials the read-only policy: no attribute writes, no operations at all
                assertThat(get(base + "jolokia/write/java.lang:type=Memory/Verbose/true")).contains("\"status\":403");
                assertThat(get(base + "jolokia/exec/com.sun.management:type=HotSpotDiagnostic/dumpHeap/x.hprof/true"))
                        .contains("\"status\":403");
                assertThat(get(base + "jolokia/exec/java.lang:type=Memory/gc")).contains("\"status\":403");
                // the seed document's pool: 5..20 connections, 10 s connection timeout
                assertThat(get(base + "jolokia/read/com.zaxxer.hikari:type=PoolConfig%20(market-etl)"))
                        .contains("\"MinimumIdle\":5").contains("\"MaximumPoolSize\":20")
                        .contains("\"ConnectionTimeout\":10000");
            }
        }
    }

    @Test
    void withoutCredentialsAnonymousJolokiaCanReadARouteButNotStopIt() throws Exception {
        int managementPort = AppProcess.freePort();
        try (TestDatabase db = TestDatabase.create(); AppProcess app = AppProcess.start(workDir,
                appEnv(db, managementPort, Map.of()))) {
            app.awaitOutput("(market-etl) started", Duration.ofSeconds(60));
            String jolokia = "http://127.0.0.1:" + managementPort + "/observe/jolokia";

            assertThat(post(jolokia, "{\"type\":\"search\",\"mbean\":\"org.apache.camel:type=routes,*\"}", null))
                    .contains(OKX_SPOT_MBEAN_AS_LISTED);
            assertThat(readState(jolokia, null)).contains("\"value\":\"Started\"").contains("\"status\":200");

            assertThat(post(jolokia, "{\"type\":\"exec\",\"mbean\":" + json(OKX_SPOT_MBEAN)
                    + ",\"operation\":\"stop()\"}", null)).startsWith("200").contains("\"status\":403");
            assertThat(post(jolokia, "{\"type\":\"write\",\"mbean\":" + json(OKX_SPOT_MBEAN)
                    + ",\"attribute\":\"Description\",\"value\":\"x\"}", null)).contains("\"status\":403");
            assertThat(readState(jolokia, null)).contains("\"value\":\"Started\"");

            assertThat(app.stdout()).containsOnlyOnce(HINT);
            assertThat(app.stdout()).doesNotContain("basic auth");
        }
    }

    @Test
    void credentialsProtectEverythingButTheProbes() throws Exception {
        int managementPort = AppProcess.freePort();
        String password = "pw-" + Long.toHexString(System.nanoTime()) + "!x";
        try (TestDatabase db = TestDatabase.create(); AppProcess app = AppProcess.start(workDir,
                appEnv(db, managementPort, Map.of("MARKET_ETL_MANAGEMENT_USER", "ops",
                        "MARKET_ETL_MANAGEMENT_PASSWORD", password)))) {
            app.awaitOutput("(market-etl) started", Duration.ofSeconds(60));
            String base = "http://127.0.0.1:" + managementPort + "/observe/";
            String right = basic("ops", password);
            String wrong = basic("ops", password + "y");
            String uptime = base + "jolokia/read/java.lang:type=Runtime/Uptime";

            for (String url : new String[] {uptime, base + "metrics", base + "health", base + "jolokia"}) {
                assertThat(get(url, null)).as(url).startsWith("401");
                assertThat(get(url, wrong)).as(url).startsWith("401");
                assertThat(get(url, basic("nobody", password))).as(url).startsWith("401");
            }
            assertThat(get(uptime, right)).startsWith("200").contains("\"status\":200");
            assertThat(get(base + "metrics", right)).startsWith("200").contains("jvm_memory_used_bytes");
            assertThat(get(base + "health", right)).startsWith("200");
            // the probes answer anyone, credentials or not
            for (String probe : new String[] {"health/live", "health/ready"}) {
                assertThat(get(base + probe, null)).as(probe).startsWith("200").contains("UP");
                assertThat(get(base + probe, wrong)).as(probe).startsWith("200");
                // but not the details of every check
                assertThat(get(base + probe + "?exposureLevel=full", null)).as(probe).startsWith("401");
                assertThat(get(base + probe + "/", null)).as(probe).startsWith("401");
            }
            assertThat(get(base + "health/ready?exposureLevel=full", right)).startsWith("200").contains("checks");

            // with credentials operations work (Hawtio), the JVM's dangerous ones still do not, writes neither
            String jolokia = base + "jolokia";
            assertThat(get(base + "jolokia/exec/java.lang:type=Memory/gc", right)).contains("\"status\":200");
            assertThat(get(base + "jolokia/exec/com.sun.management:type=HotSpotDiagnostic/dumpHeap/x.hprof/true",
                    right)).contains("\"status\":403");
            assertThat(get(base + "jolokia/write/java.lang:type=Memory/Verbose/true", right))
                    .contains("\"status\":403");
            assertThat(post(jolokia, "{\"type\":\"exec\",\"mbean\":" + json(OKX_SPOT_MBEAN)
                    + ",\"operation\":\"stop()\"}", null)).startsWith("401");
            assertThat(readState(jolokia, right)).contains("\"value\":\"Started\"");
            assertThat(post(jolokia, "{\"type\":\"exec\",\"mbean\":" + json(OKX_SPOT_MBEAN)
                    + ",\"operation\":\"stop()\"}", right)).contains("\"status\":200");
            assertThat(readState(jolokia, right)).contains("\"value\":\"Stopped\"");

            assertThat(app.stdout() + app.stderr()).doesNotContain(password).doesNotContain(HINT);
        }
    }

    @Test
    void aUserWithoutAPasswordIsOneLineAndExitCode2() throws Exception {
        try (AppProcess app = AppProcess.start(workDir, Map.of("MARKET_ETL_MANAGEMENT_USER", "ops",
                "MARKET_ETL_MANAGEMENT_PORT", Integer.toString(AppProcess.freePort())))) {
            assertThat(app.waitForExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(app.stderr().strip()).isEqualTo("market-etl: set both MARKET_ETL_MANAGEMENT_USER and"
                    + " MARKET_ETL_MANAGEMENT_PASSWORD (or neither): only MARKET_ETL_MANAGEMENT_USER is set");
        }
    }

    /** Logged once at start when no credentials are set. */
    private static final String HINT = "to enable operations (e.g. for Hawtio) set MARKET_ETL_MANAGEMENT_USER and"
            + " MARKET_ETL_MANAGEMENT_PASSWORD";
    /** The route MBean of routes/okx-spot.camel.yaml, as a Jolokia search lists it. */
    private static final String OKX_SPOT_MBEAN_AS_LISTED =
            "org.apache.camel:context=market-etl,name=\\\"okx-spot\\\",type=routes";
    private static final String OKX_SPOT_MBEAN = "org.apache.camel:context=market-etl,type=routes,name=\"okx-spot\"";

    /** The app with the shipped okx-spot route, its feed pointed at a port nothing listens on (it keeps retrying). */
    private Map<String, String> appEnv(TestDatabase db, int managementPort, Map<String, String> extra)
            throws Exception {
        Path routes = Files.createDirectories(workDir.resolve("routes"));
        Files.copy(Path.of("routes", "okx-spot.camel.yaml"), routes.resolve("okx-spot.camel.yaml"));
        Map<String, String> env = new java.util.HashMap<>(Map.of(
                "POSTGRES_HOST", "127.0.0.1",
                "POSTGRES_DB", db.name(),
                "MARKET_ETL_MANAGEMENT_PORT", Integer.toString(managementPort),
                "MARKET_ETL_ROUTES_DIR", routes.toString(),
                "MARKET_ETL_ROUTES_RELOAD", "false",
                "OKX_WS_URL", "ws://127.0.0.1:" + AppProcess.freePort() + "/ws/v5/public"));
        env.putAll(extra);
        return env;
    }

    private String readState(String jolokia, String auth) throws Exception {
        return post(jolokia, "{\"type\":\"read\",\"mbean\":" + json(OKX_SPOT_MBEAN) + ",\"attribute\":\"State\"}",
                auth);
    }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String basic(String user, String password) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(
                (user + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private String get(String url) throws Exception {
        return get(url, null);
    }

    private String get(String url, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build());
    }

    private String post(String url, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.build());
    }

    private String send(HttpRequest request) throws Exception {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body().replaceAll("\\s+", "");
    }
}
