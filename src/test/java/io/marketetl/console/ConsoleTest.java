package io.marketetl.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.InProcessApplication;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.status.ConnectorStatusStore;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console as an operator sees it: the application (in this JVM, on a throw-away database seeded with sources in
 * every state, one of them with markup in its name and error, plus a REST API connector polling the simulator) and
 * its page at / in headless Chromium: what it shows ({@code --dump-dom}), a screenshot, and start/stop with the token
 * clicked in a live tab over the DevTools protocol. The browser tests skip only when chromium is not installed (CI
 * installs it). {@code -Dconsole.screenshot=docs/console.png} writes the README's screenshot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "console-test-token";
    private static final String EVIL_NAME = "<img src=x onerror=\"document.body.setAttribute('data-pwned','name')\">";
    private static final String EVIL_ERROR =
            "<script>document.body.setAttribute('data-pwned','error')</script> closed by the peer";
    private static final String STALE_ERROR = "stale: no data on trade BTCUSDT; reconnecting";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    static Path work;

    private ExchangeSimulator sim;
    private TestDatabase db;
    private InProcessApplication app;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void startTheApplication() throws Exception {
        sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(9).build());
        db = TestDatabase.create();
        seed();
        app = InProcessApplication.start(db, work, Map.of("market-etl.api.token", TOKEN));
        base = app.apiBase();
        HttpResponse<String> created = post("/api/connectors", """
                {"connector_id":"conn-a","name":"Generic prices","api_url":"%s/generic/prices","http_method":"GET",
                 "auth_type":"None","polling_interval":200,"exchange_name":"generic",
                 "extract":{"items":"/items","instrument":"/instrument","price":"/price","timestamp":"/ts"}}"""
                .formatted(sim.okxRestUrl()), TOKEN);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    /** Sources in several states, written by the status store the application writes them with. */
    private void seed() throws Exception {
        ConnectorStatusStore store = new ConnectorStatusStore(db.dataSource(), 16384);
        store.register("okx-spot", "OKX trades and tickers", "wss://ws.okx.com:8443/ws/v5/public", "WebSocket", "okx");
        store.status("okx-spot", "running");
        store.register("binance-spot", "Binance trades and bookTicker", "wss://stream.binance.com:9443/stream",
                "WebSocket", "binance");
        store.status("binance-spot", "stale");
        store.error("binance-spot", Instant.now().minusSeconds(20), STALE_ERROR);
        store.register("evil-feed", EVIL_NAME, "wss://feed.example.invalid/ws", "WebSocket", "custom");
        store.status("evil-feed", "disconnected");
        store.error("evil-feed", Instant.now().minusSeconds(5), EVIL_ERROR);
        store.register("okx-ticker", "okx-ticker", "https://www.okx.com/api/v5/market/ticker", "REST", "okx");
        store.status("okx-ticker", "rate_limited");
        store.error("okx-ticker", Instant.now().minusSeconds(2), "429 Too Many Requests: next call in 2 s");
        db.execute("UPDATE api_connectors SET origin = 'yaml' WHERE connector_id = 'okx-ticker'");
        // what the loader writes with the rows
        db.execute("UPDATE connector_status SET message_count = 152340, last_message_timestamp = NOW()"
                + " WHERE connector_id = 'okx-spot'");
        db.execute("UPDATE connector_status SET message_count = 98211,"
                + " last_message_timestamp = NOW() - INTERVAL '95 seconds' WHERE connector_id = 'binance-spot'");
        db.execute("UPDATE connector_status SET message_count = 1207, last_message_timestamp = NOW() - INTERVAL"
                + " '12 minutes' WHERE connector_id = 'okx-ticker'");
        // ten minutes of BTC-USDT trades for the chart
        db.execute("""
                INSERT INTO websocket_messages (timestamp, exchange, instrument, price, data, message_type,
                    connector_id, message_number, format)
                SELECT NOW() - i * INTERVAL '2 seconds', 'okx', 'BTC-USDT',
                       67000 + 120 * sin(i / 25.0) + 40 * cos(i / 7.0), '{}'::jsonb, 'trade', 'okx-spot', 400 - i, 'OKX'
                FROM generate_series(1, 300) AS i""");
    }

    @AfterAll
    void stop() {
        try {
            if (app != null) {
                app.close();
            }
        } finally {
            try {
                if (db != null) {
                    db.close();
                }
            } finally {
                if (sim != null) {
                    sim.close();
                }
            }
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode source(String id) throws Exception {
        HttpResponse<String> r = get("/api/sources");
        assertThat(r.statusCode()).isEqualTo(200);
        for (JsonNode s : JSON.readTree(r.body())) {
            if (s.path("source_id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no " + id + " in " + r.body());
    }

    @Test
    void sourcesListsEverySourceAndConnectorWithItsStatusAndNoUrls() throws Exception {
        HttpResponse<String> r = get("/api/sources");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode all = JSON.readTree(r.body());
        assertThat(all.isArray()).isTrue();
        assertThat(all.findValuesAsText("source_id"))
                .containsExactly("binance-spot", "evil-feed", "okx-spot", "conn-a", "okx-ticker");
        JsonNode okx = source("okx-spot");
        assertThat(okx.path("kind").asText()).isEqualTo("websocket");
        assertThat(okx.path("exchange").asText()).isEqualTo("okx");
        assertThat(okx.path("status").asText()).isEqualTo("running");
        assertThat(okx.path("message_count").asLong()).isGreaterThanOrEqualTo(152340); // other tests let it grow
        assertThat(okx.path("last_message_age_seconds").asDouble()).isBetween(0.0, 60.0);
        assertThat(okx.path("controllable").asBoolean()).isFalse();
        JsonNode binance = source("binance-spot");
        assertThat(binance.path("message_count").asLong()).isEqualTo(98211);
        assertThat(binance.path("last_error").asText()).isEqualTo(STALE_ERROR);
        assertThat(Instant.parse(binance.path("last_error_at").asText())).isBefore(Instant.now().minusSeconds(10));
        assertThat(binance.path("last_message_age_seconds").asDouble()).isGreaterThanOrEqualTo(95.0);
        assertThat(source("evil-feed").path("name").asText()).isEqualTo(EVIL_NAME);
        JsonNode conn = source("conn-a");
        assertThat(conn.path("kind").asText()).isEqualTo("http");
        assertThat(conn.path("origin").asText()).isEqualTo("api");
        assertThat(conn.path("controllable").asBoolean()).isTrue();
        assertThat(source("okx-ticker").path("controllable").asBoolean()).isFalse();
        // ids, names, exchanges and status only: no URL (a URL may carry a key) of either kind
        assertThat(r.body()).doesNotContain("wss://", "https://", "http://", "generic/prices");

        // messages/s: the count's growth between readings
        awaitRateOfOkxSpot();

        String openApi = get("/api/openapi.json").body();
        assertThat(openApi).contains("/sources", "messages_per_second");
    }

    /** Reads, lets okx-spot's count grow as the loader would, and waits until the server has a rate for it. */
    private void awaitRateOfOkxSpot() throws Exception {
        source("okx-spot");
        db.execute("UPDATE connector_status SET message_count = message_count + 2500 WHERE connector_id = 'okx-spot'");
        await().atMost(WAIT).pollInterval(Duration.ofMillis(300))
                .until(() -> source("okx-spot").path("messages_per_second").asDouble(0) > 0);
    }

    @Test
    void thePageIsOneFileWithAPolicyThatRunsOnlyItsOwnScript() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'none'", "script-src 'sha256-", "connect-src 'self'");
        // nothing loaded from elsewhere
        assertThat(page.body()).doesNotContainPattern("(src|href)=\"(https?:)?//");
        assertThat(post("/", "", null).statusCode()).isEqualTo(405);
    }

    private static void assumeChromium() {
        Assumptions.assumeTrue(HeadlessChromium.binary().isPresent(),
                "chromium is not installed (apt-get install chromium): the console page is not tested in a browser here");
    }

    @Test
    void chromiumShowsEverySourceItsStatusErrorsEscapedAndThePriceChart() throws Exception {
        assumeChromium();
        String url = base + "/#instrument=BTC-USDT&range=900";
        awaitRateOfOkxSpot();
        Path png = Path.of(System.getProperty("console.screenshot", "target/console.png"));
        HeadlessChromium.screenshot(url, 6000, png, work);
        assertThat(Files.size(png)).isGreaterThan(10_000);
        String dom = HeadlessChromium.dumpDom(url, 6000, work);
        assertThat(dom).contains("<tr data-source=\"okx-spot\">", "<tr data-source=\"binance-spot\">",
                "<tr data-source=\"conn-a\">", "<tr data-source=\"okx-ticker\">");
        assertThat(dom).contains("OKX trades and tickers", "data-status=\"running\"", "data-status=\"stale\"",
                "data-status=\"rate_limited\"", "1,207", STALE_ERROR);
        assertThat(dom).containsPattern("1 min \\d+ s ago"); // binance-spot's last message, 95 s before the start
        // okx-spot's messages/s: a number, not the "-" of no rate yet
        assertThat(dom).containsPattern("<tr data-source=\"okx-spot\">(<td[^>]*>.*?</td>){5}<td class=\"num\">[0-9][0-9,.]*</td>");
        // markup from outside is shown as text, never run or parsed
        assertThat(dom).contains("&lt;img src=x onerror=", "&lt;script&gt;document.body.setAttribute(");
        assertThat(dom).doesNotContainPattern("<body[^>]*data-pwned").doesNotContain("<img src=\"x\"");
        // one Start button for the REST API's connector; route files' connectors are not started from here
        assertThat(dom).containsPattern("data-action=\"(start|stop)\" data-id=\"conn-a\"")
                .doesNotContain("data-id=\"okx-ticker\"");
        Matcher points = Pattern.compile("<svg id=\"chart\"[^>]*data-points=\"(\\d+)\"").matcher(dom);
        assertThat(points.find()).as("the chart in %s", dom).isTrue();
        assertThat(Integer.parseInt(points.group(1))).as("points of the chart").isGreaterThan(10);
        assertThat(dom).contains("<polyline");

    }

    @Test
    void startAndStopFromThePageNeedTheTokenAndSay401Clearly() throws Exception {
        assumeChromium();
        String button = "document.querySelector('tr[data-source=\"conn-a\"] button')";
        String notice = "document.getElementById('notice').textContent";
        try (HeadlessChromium.Tab tab = HeadlessChromium.open(base + "/", work)) {
            await().atMost(WAIT).until(() -> "start".equals(tab.text(button + "?.dataset.action")));

            tab.eval(button + ".click()");
            await().atMost(WAIT).until(() -> tab.text(notice).contains("Enter the API token"));

            tab.eval("document.getElementById('token').value = 'wrong-token';"
                    + " document.getElementById('token-save').click()");
            tab.eval(button + ".click()");
            await().atMost(WAIT).until(() -> tab.text(notice).startsWith("401 Unauthorized"));
            assertThat(db.queryString("SELECT status FROM api_connectors WHERE connector_id = 'conn-a'"))
                    .isNotEqualTo("running");

            tab.eval("document.getElementById('token').value = '" + TOKEN + "';"
                    + " document.getElementById('token-save').click()");
            tab.eval(button + ".click()");
            await().atMost(WAIT).until(() -> tab.text(notice).equals("Started conn-a."));
            assertThat(db.queryString("SELECT status FROM api_connectors WHERE connector_id = 'conn-a'"))
                    .isEqualTo("running");
            // the connector's route runs (whether its calls bring rows is the connector tests' business), and the
            // page shows it can now be stopped
            await().atMost(WAIT).until(() -> JSON.readTree(get("/api/connectors/conn-a").body()).path("running")
                    .asBoolean());
            await().atMost(WAIT).until(() -> "stop".equals(tab.text(button + ".dataset.action")));
            // the token lives in this tab's sessionStorage only
            assertThat(tab.text("sessionStorage.getItem('market-etl.api-token')")).isEqualTo(TOKEN);
            assertThat(tab.eval("localStorage.length").asInt()).isZero();
            assertThat(tab.eval("document.cookie").asText()).isEmpty();

            tab.eval(button + ".click()");
            await().atMost(WAIT).until(() -> tab.text(notice).equals("Stopped conn-a."));
            assertThat(db.queryString("SELECT status FROM api_connectors WHERE connector_id = 'conn-a'"))
                    .isEqualTo("stopped");
            await().atMost(WAIT).until(() -> "start".equals(tab.text(button + ".dataset.action")));
        }
    }
}
