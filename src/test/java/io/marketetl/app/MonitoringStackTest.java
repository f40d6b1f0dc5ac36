package io.marketetl.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The monitoring stack around the application, without a Docker engine: the compose profiles {@code prometheus} and
 * {@code hawtio}, the Prometheus scrape configuration (checked by promtool as written and as the service's entrypoint
 * renders it with credentials), Hawtio's entrypoint, and the Grafana dashboard, whose every query must be valid
 * PromQL on metric families the running application exposes.
 */
class MonitoringStackTest {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path DASHBOARD = PROJECT.resolve("ops/grafana/market-etl-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b(market_etl_\\w+|hikaricp_\\w+)\\b");
    /** Registered on their first event (a malformed frame, a refused row, a failed write): checked in the code. */
    private static final Map<String, String> ON_FIRST_EVENT = Map.of(
            "market_etl_malformed_frames_total", "market_etl_malformed_frames",
            "market_etl_rows_rejected_total", "market_etl_rows_rejected",
            "market_etl_load_failures_total", "market_etl_load_failures");

    @TempDir
    Path tmp;

    @Test
    void theScrapeConfigPassesPromtoolAsWrittenAndAsTheComposeEntrypointRendersIt() throws Exception {
        Path config = PROJECT.resolve("ops/prometheus/prometheus.yml");
        assertThat(run(List.of("promtool", "check", "config", config.toString()), Map.of()).exit).isZero();
        String written = Files.readString(config);
        assertThat(written).contains("metrics_path: /observe/metrics").contains("targets: [\"market-etl:9876\"]")
                .contains("username: MARKET_ETL_MANAGEMENT_USER");

        Path dir = tmp.resolve("runtime");
        Result rendered = run(List.of("sh", "ops/prometheus/entrypoint.sh", "promtool", "check", "config",
                dir.resolve("prometheus.yml").toString()), Map.of("PROMETHEUS_CONFIG_IN", config.toString(),
                "PROMETHEUS_RUNTIME_DIR", dir.toString(), "MARKET_ETL_MANAGEMENT_USER", "ops.team",
                "MARKET_ETL_MANAGEMENT_PASSWORD", "s3cret pass, with: $igns"));
        assertThat(rendered.exit).as(rendered.output).isZero();
        assertThat(rendered.output).doesNotContain("s3cret");
        String copy = Files.readString(dir.resolve("prometheus.yml"));
        assertThat(copy).contains("username: \"ops.team\"")
                .contains("password_file: " + dir.resolve("management-password")).doesNotContain("s3cret");
        assertThat(Files.readString(dir.resolve("management-password"))).isEqualTo("s3cret pass, with: $igns");
        assertThat(Files.getPosixFilePermissions(dir.resolve("management-password")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        Result badUser = run(List.of("sh", "ops/prometheus/entrypoint.sh", "true"), Map.of("PROMETHEUS_CONFIG_IN",
                config.toString(), "PROMETHEUS_RUNTIME_DIR", dir.toString(), "MARKET_ETL_MANAGEMENT_USER", "a|b"));
        assertThat(badUser.exit).isEqualTo(2);
        assertThat(badUser.output).contains("MARKET_ETL_MANAGEMENT_USER may hold only");
    }

    @Test
    @SuppressWarnings("unchecked")
    void composeHasThePrometheusAndHawtioProfilesBesideTheDefaultStack() throws Exception {
        Map<String, Object> compose = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(PROJECT.resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = (Map<String, Map<String, Object>>) compose.get("services");
        assertThat(services).containsOnlyKeys("postgres", "market-etl", "prometheus", "hawtio");
        assertThat(services.get("postgres")).doesNotContainKey("profiles");
        assertThat(services.get("market-etl")).doesNotContainKey("profiles");
        assertThat(services.get("prometheus").get("profiles")).isEqualTo(List.of("prometheus"));
        assertThat(services.get("hawtio").get("profiles")).isEqualTo(List.of("hawtio"));

        Map<String, Object> prometheus = services.get("prometheus");
        assertThat((List<String>) prometheus.get("volumes")).contains("./ops/prometheus:/etc/prometheus/market-etl:ro");
        assertThat((List<String>) prometheus.get("entrypoint"))
                .containsExactly("/bin/sh", "/etc/prometheus/market-etl/entrypoint.sh");
        assertThat((List<String>) prometheus.get("command")).contains("--config.file=/tmp/market-etl/prometheus.yml");
        assertThat((Map<String, Object>) prometheus.get("environment"))
                .containsKeys("MARKET_ETL_MANAGEMENT_USER", "MARKET_ETL_MANAGEMENT_PASSWORD");
        // the scrape target is the application's service name and management port
        assertThat((Map<String, Object>) services.get("market-etl").get("environment"))
                .containsEntry("MARKET_ETL_MANAGEMENT_PORT", "9876");

        Map<String, Object> hawtio = services.get("hawtio");
        assertThat(hawtio.get("build")).isEqualTo("./ops/hawtio");
        assertThat((Map<String, Object>) hawtio.get("environment")).containsKeys("HAWTIO_USER", "HAWTIO_PASSWORD")
                .containsEntry("HAWTIO_PROXY_ALLOWLIST", "market-etl");
        String dockerfile = Files.readString(PROJECT.resolve("ops/hawtio/Dockerfile"));
        assertThat(dockerfile).contains("-Dartifact=io.hawt:hawtio-default:4.2.0:war")
                .containsPattern("(?m)^FROM tomcat:10\\.1-jre17$").containsPattern("(?m)^USER hawtio$");

        if (onPath("docker-compose")) { // .ci/run installs it
            Result config = run(List.of("docker-compose", "--profile", "prometheus", "--profile", "hawtio", "-f",
                    "docker-compose.yml", "config", "-q"), Map.of());
            assertThat(config.exit).as(config.output).isZero();
        }
    }

    @Test
    void hawtiosEntrypointWritesItsOneLoginAndRefusesToStartWithoutIt() throws Exception {
        Path base = tmp.resolve("tomcat");
        Result refused = run(List.of("sh", "ops/hawtio/entrypoint.sh", "true"), Map.of("CATALINA_BASE",
                base.toString()));
        assertThat(refused.exit).isEqualTo(2);
        assertThat(refused.output).contains("set HAWTIO_USER and HAWTIO_PASSWORD");

        Result started = run(List.of("sh", "ops/hawtio/entrypoint.sh", "sh", "-c", "echo \"$CATALINA_OPTS\""),
                Map.of("CATALINA_BASE", base.toString(), "HAWTIO_USER", "ops", "HAWTIO_PASSWORD", "p<&>\"'w",
                        "HAWTIO_PROXY_ALLOWLIST", "market-etl"));
        assertThat(started.exit).as(started.output).isZero();
        assertThat(started.output).contains("-Dhawtio.authenticationEnabled=true")
                .contains("-Dhawtio.proxyAllowlist=market-etl").contains("-Dhawtio.localAddressProbing=false")
                .doesNotContain("p<&>");
        Path users = base.resolve("conf/tomcat-users.xml");
        assertThat(Files.readString(users)).contains(
                "<user username=\"ops\" password=\"p&lt;&amp;&gt;&quot;&apos;w\" roles=\"admin\"/>");
        assertThat(Files.getPosixFilePermissions(users))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        // well-formed XML
        javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(users.toFile());
    }

    @Test
    void theDashboardIsValidJsonAndQueriesOnlyMetricsTheApplicationExposes() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<String> exprs = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("unique panel id " + panel.get("id")).isTrue();
            if (panel.get("type").asText().equals("row")) {
                continue;
            }
            assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
            panel.get("targets").forEach(t -> exprs.add(t.get("expr").asText()));
        }
        assertThat(dashboard.get("title").asText()).isEqualTo("market-etl");
        assertThat(panelTitled(dashboard, "Spool depth").get("description").asText())
                .contains("market_etl_spool_depth").contains("Batches in the durable load spool");

        // every query is valid PromQL: promtool checks them as recording rules (Grafana's variables filled in)
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < exprs.size(); i++) {
            String expr = exprs.get(i).replace("$__rate_interval", "1m").replace("$source", ".*");
            rules.append("      - record: dashboard:q").append(i).append("\n        expr: '")
                    .append(expr.replace("'", "''")).append("'\n");
        }
        Path rulesFile = Files.writeString(tmp.resolve("dashboard-rules.yml"), rules);
        Result check = run(List.of("promtool", "check", "rules", rulesFile.toString()), Map.of());
        assertThat(check.exit).as(check.output).isZero();

        Set<String> queried = new TreeSet<>();
        exprs.forEach(e -> METRIC.matcher(e).results().forEach(m -> queried.add(m.group(1))));
        assertThat(queried).contains("market_etl_messages_received_total", "hikaricp_connections_active",
                "market_etl_reconnects_total", "market_etl_send_to_commit_latency_seconds_bucket",
                "market_etl_spool_depth", "market_etl_retention_deleted_rows_total");

        String code = mainSources();
        ON_FIRST_EVENT.values().forEach(name -> assertThat(code).contains("\"" + name + "\""));
        Set<String> mustBeScraped = new TreeSet<>(queried);
        mustBeScraped.removeAll(ON_FIRST_EVENT.keySet());
        assertLiveApplicationExposes(mustBeScraped);
    }

    /** The offline demo (sources and HTTP connectors on the in-process simulator), with retention every second. */
    private void assertLiveApplicationExposes(Set<String> families) throws Exception {
        try (TestDatabase db = TestDatabase.reserveName()) {
            Map<String, String> env = AppProcess.environment(db.settings(), PROJECT.resolve("routes"));
            env.put("MARKET_ETL_DEMO", "true");
            env.put("MARKET_ETL_RETENTION_WEBSOCKET_MESSAGES", "30d");
            env.put("MARKET_ETL_RETENTION_CRON", "0/1 * * * * ?");
            env.put("MARKET_ETL_ANALYZE_CRON", "0/1 * * * * ?");
            String metrics = "http://127.0.0.1:" + env.get("MARKET_ETL_MANAGEMENT_PORT") + "/observe/metrics";
            try (AppProcess app = AppProcess.start(tmp.resolve("app"), env)) {
                app.awaitOutput("(market-etl) started", Duration.ofSeconds(60));
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    String scrape = get(metrics);
                    Set<String> exposed = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]").matcher(scrape)
                            .results().map(m -> m.group(1)).collect(Collectors.toSet());
                    Set<String> missing = new TreeSet<>(families);
                    missing.removeAll(exposed);
                    assertThat(missing).as("families the dashboard queries that /observe/metrics lacks").isEmpty();
                });
                app.stop(Duration.ofSeconds(30));
            }
        }
    }

    private static JsonNode panelTitled(JsonNode dashboard, String title) {
        for (JsonNode p : dashboard.get("panels")) {
            if (p.get("title").asText().equals(title)) {
                return p;
            }
        }
        throw new AssertionError("no panel " + title);
    }

    private static String mainSources() throws Exception {
        try (Stream<Path> files = Files.walk(PROJECT.resolve("src/main"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8));
            }
            return all.toString();
        }
    }

    private static String get(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private record Result(int exit, String output) {
    }

    private static Result run(List<String> command, Map<String, String> env) throws Exception {
        assertThat(onPath(command.get(0)))
                .as(command.get(0) + " is not installed (.ci/run installs the Debian packages the tests need)").isTrue();
        ProcessBuilder pb = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("MARKET_ETL_") || k.startsWith("HAWTIO_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv("PATH").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }
}
