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
 * test cuts and restores), liveness does not, and metrics and Jolokia answer.
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
                // the shipped Jolokia policy: no attribute writes, no heap dumps
                assertThat(get(base + "jolokia/write/java.lang:type=Memory/Verbose/true")).contains("\"status\":403");
                assertThat(get(base + "jolokia/exec/com.sun.management:type=HotSpotDiagnostic/dumpHeap/x.hprof/true"))
                        .contains("\"status\":403");
                assertThat(get(base + "jolokia/exec/java.lang:type=Memory/gc")).contains("\"status\":200");
                // the seed document's pool: 5..20 connections, 10 s connection timeout
                assertThat(get(base + "jolokia/read/com.zaxxer.hikari:type=PoolConfig%20(market-etl)"))
                        .contains("\"MinimumIdle\":5").contains("\"MaximumPoolSize\":20")
                        .contains("\"ConnectionTimeout\":10000");
            }
        }
    }

    private String get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body().replaceAll("\\s+", "");
    }
}
