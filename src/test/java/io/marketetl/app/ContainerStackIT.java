package io.marketetl.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TestDatabase;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The container stack without a Docker engine (none runs on these machines): the compose file is validated by
 * docker-compose, and the packaged jar is run the way the Dockerfile runs it (same command, same /app layout,
 * the compose file's environment) against the local PostgreSQL standing in for the postgres service.
 */
class ContainerStackIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();

    @TempDir
    Path app;

    @Test
    void composeFileIsValid() throws Exception {
        Assumptions.assumeTrue(onPath("docker-compose"), "docker-compose is not installed (.ci/run installs it)");
        Process p = new ProcessBuilder("docker-compose", "-f", "docker-compose.yml", "config", "-q")
                .directory(PROJECT.toFile()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isZero();
    }

    @Test
    void dockerfileBuildsWithMavenAndRunsTheJarOnJre17AsANonRootUser() throws Exception {
        String dockerfile = Files.readString(PROJECT.resolve("Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^FROM maven:[^ ]*17 AS build$")
                .containsPattern("(?m)^FROM eclipse-temurin:17-jre$")
                .containsPattern("(?m)^USER etl$")
                .contains("COPY --from=build /build/target/market-etl.jar ./market-etl.jar")
                .contains("COPY routes ./routes");
        assertThat(entrypoint(dockerfile)).containsExactly("java", "-XX:MaxRAMPercentage=75", "-jar",
                "/app/market-etl.jar");
    }

    @Test
    void theImagesCommandWithTheComposeEnvironmentStartsHealthyOnAnEmptyServerAndTheDemoCollects() throws Exception {
        Path jar = Path.of(System.getProperty("market-etl.jar", "target/market-etl.jar"));
        assertThat(jar).exists();
        // lay out /app as the Dockerfile does
        Files.copy(jar, app.resolve("market-etl.jar"));
        Files.copy(PROJECT.resolve("application.properties"), app.resolve("application.properties"));
        copyTree(PROJECT.resolve("routes"), app.resolve("routes"));

        Map<String, String> env = composeEnvironment("market-etl");
        assertThat(env).containsKeys("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER", "POSTGRES_PASSWORD",
                "POSTGRES_DB");
        assertThat(env.get("POSTGRES_HOST")).isEqualTo("postgres");
        assertThat(env.get("POSTGRES_DB")).isEqualTo("etl_tool");
        try (TestDatabase db = TestDatabase.reserveName()) {
            int managementPort = AppProcess.freePort();
            env.put("POSTGRES_HOST", "127.0.0.1"); // the postgres service is the local server here
            env.put("POSTGRES_DB", db.name()); // never the real etl_tool
            env.put("MARKET_ETL_MANAGEMENT_PORT", Integer.toString(managementPort));
            assertThat(env.get("MARKET_ETL_API_PORT")).isEqualTo("8080");
            int apiPort = AppProcess.freePort();
            env.put("MARKET_ETL_API_PORT", Integer.toString(apiPort));
            env.put("MARKET_ETL_DEMO", "true"); // no exchange is reachable from here
            List<String> command = new ArrayList<>(entrypoint(Files.readString(PROJECT.resolve("Dockerfile"))));
            command.set(0, AppProcess.javaExecutable());
            command.set(command.size() - 1, app.resolve("market-etl.jar").toString());
            try (AppProcess process = AppProcess.start(command, app, env)) {
                process.awaitOutput("(market-etl) started", Duration.ofSeconds(90));
                HttpClient http = HttpClient.newHttpClient();
                Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(
                            "http://127.0.0.1:" + managementPort + "/observe/health/ready")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                });
                assertThat(db.exists()).isTrue();
                assertThat(db.queryLong("SELECT count(*) FROM flyway_schema_history WHERE success")).isPositive();
                // the offline demo: the shipped sources collect from the in-process simulator
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> db.queryLong(
                        "SELECT count(DISTINCT exchange) FROM websocket_messages WHERE exchange IN ('okx', 'binance')") == 2);
                // and the shipped HTTP connectors poll the simulator's REST side
                Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> db.queryLong("SELECT count(DISTINCT"
                        + " exchange) FROM api_connector_data WHERE exchange IN ('okx', 'binance') AND status_code = 200") == 2);
                HttpResponse<String> connectors = http.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + apiPort + "/api/connectors")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(connectors.statusCode()).isEqualTo(200);
                assertThat(connectors.body()).contains("\"okx-ticker\"", "\"binance-ticker\"");
            }
        }
    }

    /** The service's environment from docker-compose.yml, with ${VAR:-default} resolved to its default. */
    @SuppressWarnings("unchecked")
    private static Map<String, String> composeEnvironment(String service) throws Exception {
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(PROJECT.resolve("docker-compose.yml")));
        Map<String, Object> services = (Map<String, Object>) compose.get("services");
        Map<String, Object> svc = (Map<String, Object>) services.get(service);
        Map<String, Object> environment = (Map<String, Object>) svc.get("environment");
        Map<String, String> out = new HashMap<>();
        Pattern var = Pattern.compile("\\$\\{(\\w+):-([^}]*)}");
        environment.forEach((k, v) -> {
            Matcher m = var.matcher(String.valueOf(v));
            out.put(k, m.replaceAll(r -> Matcher.quoteReplacement(r.group(2))));
        });
        return out;
    }

    private static List<String> entrypoint(String dockerfile) {
        Matcher m = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(dockerfile);
        assertThat(m.find()).isTrue();
        List<String> parts = new ArrayList<>();
        Matcher q = Pattern.compile("\"([^\"]*)\"").matcher(m.group(1));
        while (q.find()) {
            parts.add(q.group(1));
        }
        return parts;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        if (!Files.isDirectory(from)) {
            return;
        }
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
