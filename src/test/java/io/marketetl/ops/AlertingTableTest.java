package io.marketetl.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.AlertingTable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's suggested alerts are PromQL Prometheus accepts: each one, as an alerting rule, passes
 * {@code promtool check rules} (the Debian prometheus package; .ci/run installs it). That every family of the table is
 * exported is ObservabilityEndToEndTest's to check.
 */
class AlertingTableTest {

    @TempDir
    Path dir;

    @Test
    void everySuggestedAlertIsARulePromtoolAccepts() throws Exception {
        List<AlertingTable.Row> rows = AlertingTable.read(Path.of("README.md"));
        assertThat(rows).extracting(AlertingTable.Row::metric).contains("market_etl_source_connected",
                "market_etl_send_to_commit_latency_seconds", "hikaricp_connections_active");
        StringBuilder yaml = new StringBuilder("groups:\n  - name: market-etl\n    rules:\n");
        int n = 0;
        for (AlertingTable.Row row : rows) {
            for (String expr : row.alerts()) {
                yaml.append("      - alert: MarketEtl").append(++n).append("\n        expr: '")
                        .append(expr.replace("'", "''")).append("'\n");
            }
        }
        assertThat(n).isGreaterThanOrEqualTo(15);
        Path rules = Files.writeString(dir.resolve("rules.yml"), yaml);
        Process p = new ProcessBuilder("promtool", "check", "rules", rules.toString()).redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("SUCCESS: " + n + " rules found");
    }
}
