package io.marketetl.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.InProcessApplication;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With no MARKET_ETL_API_TOKEN configured the write API is refused: the page, asked to start a REST API connector,
 * says 403 and which variable enables writes (headless Chromium, clicked over the DevTools protocol).
 */
class ConsoleWithoutTokenTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void startingAConnectorShows403AndTheVariableThatEnablesWrites() throws Exception {
        Assumptions.assumeTrue(HeadlessChromium.binary().isPresent(),
                "chromium is not installed (apt-get install chromium): the console page is not tested in a browser here");
        try (TestDatabase db = TestDatabase.create()) {
            // a connector registered through the API earlier (the write API cannot register one now)
            db.execute("INSERT INTO api_connectors (connector_id, name, api_url, protocol_type, origin, status)"
                    + " VALUES ('conn-b', 'B', 'http://127.0.0.1:9/prices', 'REST', 'api', 'inactive')");
            db.execute("INSERT INTO connector_status (connector_id, status) VALUES ('conn-b', 'stopped')");
            try (InProcessApplication app = InProcessApplication.start(db, work, Map.of("market-etl.api.token", ""));
                    HeadlessChromium.Tab tab = HeadlessChromium.open(app.apiBase() + "/", work)) {
                String button = "document.querySelector('tr[data-source=\"conn-b\"] button')";
                await().atMost(WAIT).until(() -> "start".equals(tab.text(button + "?.dataset.action")));
                tab.eval("document.getElementById('token').value = 'any-token';"
                        + " document.getElementById('token-save').click()");
                tab.eval(button + ".click()");
                await().atMost(WAIT).until(() -> tab.text("document.getElementById('notice').textContent")
                        .startsWith("403 Forbidden"));
                assertThat(tab.text("document.getElementById('notice').textContent"))
                        .isEqualTo("403 Forbidden: the write API is disabled: set MARKET_ETL_API_TOKEN to enable it");
                assertThat(db.queryString("SELECT status FROM api_connectors WHERE connector_id = 'conn-b'"))
                        .isEqualTo("inactive");
            }
        }
    }
}
