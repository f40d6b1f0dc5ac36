package io.marketetl.e2e;

import static io.marketetl.e2e.ConnectorRoutes.notFromTheApp;
import static io.marketetl.e2e.ConnectorRoutes.requestsOf;
import static io.marketetl.e2e.ConnectorRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.simulator.SimulatorStats.RestRequest;
import io.marketetl.testsupport.Closing;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8, route-file connectors and the rate limits of a host, one application run against four simulators (one
 * host each, so the scenarios do not share a budget):
 * <ul>
 * <li><b>Retry-After</b>: a Binance ticker every 100 ms against a weight limit it overruns; after each 429 no
 * request reaches the host until its Retry-After has passed, polling resumes, and no 418 is ever sent (the simulator
 * bans an IP for the first request sent inside a Retry-After).</li>
 * <li><b>Weight budget</b>: three connectors whose demand is ten times a host limit configured in the application
 * ({@code MARKET_ETL_HOST_LIMITS}, the simulator's limit and window); the budget refuses their ticks before the server
 * has to (no 429 at all, skipped ticks counted). And on an IP that another client uses too, the weight it spent is
 * learnt from the {@code X-MBX-USED-WEIGHT-5S} header and left to it, with calls in flight (100 ms answers).</li>
 * <li><b>OKX body-level rate limit</b>: 50011 in a 200 answer blocks the host for the default second, doubling on
 * the next; polling resumes when the answers are good again.</li>
 * </ul>
 */
class HostRateLimitsEndToEndTest {

    static final long WINDOW_MS = 3000;
    /** Binance weight of one ticker/price call with a symbol, in the simulator and in the application. */
    static final int TICKER_WEIGHT = 2;
    static final int BUDGET = 30;
    static final List<String> WEIGHT_CONNECTORS = List.of("wb-btc", "wb-eth", "wb-sol");
    // long enough that three route files dropped in are picked up and polling inside the window they were added in,
    // also on a loaded 2-core CI machine (a 5 s window with 4 s to start failed there once)
    static final long SHARED_WINDOW_MS = 12000;
    static final int SHARED_BUDGET = 40;
    static final List<String> SHARED_CONNECTORS = List.of("sh-btc", "sh-eth", "sh-sol");

    @TempDir
    static Path workDir;

    static ExchangeSimulator retryAfterSim;
    static ExchangeSimulator weightSim;
    static ExchangeSimulator okxSim;
    static ExchangeSimulator sharedSim;
    static TestDatabase db;
    static RunningApp app;

    @BeforeAll
    static void start() {
        // 20 weight per 3 s: ten calls, then 429 until the window ends; one request inside a Retry-After is a ban
        retryAfterSim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(31).ratePerConnection(1)
                .binanceWeightLimit(20).binanceWeightWindow(Duration.ofMillis(WINDOW_MS)).binanceBanAfterRequests(1)
                .binanceBanSeconds(30).build());
        // the application is told this host's limit (30 per 3 s); 100 ms per answer keeps calls in flight
        weightSim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(32).ratePerConnection(1)
                .binanceWeightLimit(BUDGET).binanceWeightWindow(Duration.ofMillis(WINDOW_MS))
                .binanceBanAfterRequests(1).binanceBanSeconds(30).build());
        weightSim.faults().setRestDelay(Duration.ofMillis(100));
        // the same for an IP that other clients use too (40 per 5 s)
        sharedSim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(34).ratePerConnection(1)
                .binanceWeightLimit(SHARED_BUDGET).binanceWeightWindow(Duration.ofMillis(SHARED_WINDOW_MS))
                .binanceBanAfterRequests(1).binanceBanSeconds(30).build());
        sharedSim.faults().setRestDelay(Duration.ofMillis(100));
        okxSim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(33).ratePerConnection(1).build());
        db = TestDatabase.create();

        Map<String, String> files = new LinkedHashMap<>();
        files.put("ra-binance.camel.yaml", route("ra-binance", Map.of(
                "url", "{{env:RA_URL}}/api/v3/ticker/price", "query.symbol", "{instrument}",
                "instruments", "BTC-USDT", "exchange", "binance", "interval", "100")));
        String[] instruments = { "BTC-USDT", "ETH-USDT", "SOL-USDT" };
        for (int i = 0; i < WEIGHT_CONNECTORS.size(); i++) {
            files.put(WEIGHT_CONNECTORS.get(i) + ".camel.yaml", route(WEIGHT_CONNECTORS.get(i), Map.of(
                    "url", "{{env:WB_URL}}/api/v3/ticker/price", "query.symbol", "{instrument}",
                    "instruments", instruments[i], "exchange", "binance", "interval", "50")));
        }
        files.put("okx-limited.camel.yaml", route("okx-limited", Map.of(
                "url", "{{env:OKX_C_URL}}/api/v5/market/ticker", "query.instId", "{instrument}",
                "instruments", "BTC-USDT", "exchange", "okx", "interval", "200")));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("RA_URL", retryAfterSim.binanceRestUrl());
        env.put("WB_URL", weightSim.binanceRestUrl());
        env.put("OKX_C_URL", okxSim.okxRestUrl());
        env.put("SHARED_URL", sharedSim.binanceRestUrl());
        env.put("MARKET_ETL_HOST_LIMITS", "127.0.0.1:" + weightSim.port() + "=weight:" + BUDGET + "/3s,"
                + "header:X-MBX-USED-WEIGHT-3S;127.0.0.1:" + sharedSim.port() + "=weight:" + SHARED_BUDGET
                + "/12s,header:X-MBX-USED-WEIGHT-12S");
        env.put("MARKET_ETL_CONNECTOR_STATUS_INTERVAL_MS", "500");
        env.put("MARKET_ETL_CONNECTOR_MIN_INTERVAL_MS", "50");
        app = RunningApp.startWith(workDir, db, retryAfterSim, files, env);
    }

    @AfterAll
    static void stop() {
        Closing.inOrder(app, db, retryAfterSim, weightSim, okxSim, sharedSim);
    }

    @Test
    void afterA429NoRequestReachesTheHostUntilRetryAfterHasPassedAndNoBanFollows() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<RestRequest> calls = requestsOf(retryAfterSim, "ra-binance");
            List<Integer> limited = indexes(calls, 429);
            assertThat(limited).as("429s followed by an answered call").hasSizeGreaterThanOrEqualTo(2);
            assertThat(calls.subList(limited.get(1) + 1, calls.size())).anyMatch(r -> r.status() == 200);
        });
        List<RestRequest> calls = requestsOf(retryAfterSim, "ra-binance");
        assertThat(retryAfterSim.stats().requests()).as("the connector is the only client").hasSameSizeAs(calls);
        for (int i : indexes(calls, 429)) {
            RestRequest limited = calls.get(i);
            assertThat(limited.retryAfter()).as("Retry-After of " + limited).matches("[1-3]");
            long until = limited.answeredAtMs() + Long.parseLong(limited.retryAfter()) * 1000;
            if (i + 1 < calls.size()) {
                RestRequest next = calls.get(i + 1);
                assertThat(next.timeMs()).as("the request after " + limited + " arrived " + (until - next.timeMs())
                        + " ms before the Retry-After had passed").isGreaterThanOrEqualTo(until);
                // and not much later: polling resumes by itself (ticks every 100 ms)
                assertThat(next.timeMs()).as("resumed after " + limited).isLessThan(until + 1500);
                assertThat(next.status()).as("the call after the block").isIn(0, 200);
            }
        }
        assertThat(retryAfterSim.stats().rest429Sent()).isEqualTo(indexes(calls, 429).size());
        assertThat(retryAfterSim.stats().rest418Sent()).as("418s: a request sent inside a Retry-After").isZero();
        // every answer stored with its status; the status row says what happened
        assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = 'ra-binance'"
                + " AND status_code = 429")).isGreaterThanOrEqualTo(2);
        assertThat(db.queryString("SELECT error_log FROM connector_status WHERE connector_id = 'ra-binance'"))
                .contains("rate limited by HTTP 429 code -1003: Too much request weight used");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(db.queryLong("SELECT (performance_metrics"
                + "->>'rate_limited')::int FROM connector_status WHERE connector_id = 'ra-binance'"))
                .isGreaterThanOrEqualTo(2));
    }

    @Test
    void theHostsWeightBudgetSkipsTicksBeforeTheServerHasToRefuse() {
        // several windows of three connectors wanting ten times the budget: each window full, never over
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<Long, Integer> byWindow = weightByWindow(weightSim, WEIGHT_CONNECTORS);
            assertThat(byWindow.values().stream().filter(w -> w >= BUDGET - 3 * TICKER_WEIGHT))
                    .as("windows used up by the connectors: " + byWindow).hasSizeGreaterThanOrEqualTo(3);
        });
        weightByWindow(weightSim, WEIGHT_CONNECTORS).forEach((w, weight) ->
                assertThat(weight).as("weight in window " + w).isLessThanOrEqualTo(BUDGET));
        assertThat(weightSim.stats().rest429Sent()).as("429s").isZero();
        assertThat(weightSim.stats().rest418Sent()).isZero();

        // every connector got answers and counted the ticks its host's budget refused
        for (String id : WEIGHT_CONNECTORS) {
            assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = '" + id
                    + "' AND status_code = 200")).as(id).isGreaterThanOrEqualTo(3);
            assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = '" + id
                    + "' AND status_code <> 200")).as(id).isZero();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(db.queryLong("SELECT coalesce("
                    + "(performance_metrics->'skipped_ticks'->>'weight')::bigint, 0) FROM connector_status"
                    + " WHERE connector_id = '" + id + "'")).as(id + " ticks refused by the weight budget")
                    .isGreaterThanOrEqualTo(10));
            assertThat(db.queryString("SELECT status FROM connector_status WHERE connector_id = '" + id + "'"))
                    .isEqualTo("running");
        }
    }

    @Test
    void weightThatOtherClientsOfTheIpUsedIsSeenThroughTheHeaderAndLeftToThem() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        http.send(HttpRequest.newBuilder(URI.create(sharedSim.binanceRestUrl() + "/api/v3/ping")).build(),
                HttpResponse.BodyHandlers.ofString()); // connected before the window that counts
        // at the start of a window another client of the same IP spends 20 of the 40...
        long window = nextWindowStart(SHARED_WINDOW_MS) / SHARED_WINDOW_MS;
        List<CompletableFuture<HttpResponse<String>>> burst = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            burst.add(http.sendAsync(HttpRequest.newBuilder(URI.create(sharedSim.binanceRestUrl()
                    + "/api/v3/ticker/price?symbol=BTCUSDT")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> r : burst) {
            assertThat(r.get().statusCode()).as("the other client's calls").isEqualTo(200);
        }
        // ... then three connectors start (route files dropped in while the application runs), each every 50 ms:
        // only the used-weight header can tell them about the 20
        String[] instruments = { "BTC-USDT", "ETH-USDT", "SOL-USDT" };
        for (int i = 0; i < SHARED_CONNECTORS.size(); i++) {
            String id = SHARED_CONNECTORS.get(i);
            Path tmp = app.routes.resolve(id + ".tmp");
            Files.writeString(tmp, route(id, Map.of("url", "{{env:SHARED_URL}}/api/v3/ticker/price",
                    "query.symbol", "{instrument}", "instruments", instruments[i], "exchange", "binance",
                    "interval", "50")));
            Files.move(tmp, app.routes.resolve(id + ".camel.yaml"), StandardCopyOption.ATOMIC_MOVE);
        }
        await().atMost(Duration.ofMillis(SHARED_WINDOW_MS - 3000)).until(() -> SHARED_CONNECTORS.stream()
                .allMatch(id -> !requestsOf(sharedSim, id).isEmpty()));
        assertThat(weightByWindow(sharedSim, SHARED_CONNECTORS).keySet()).as("the connectors started in the window"
                + " the other client used").first().isEqualTo(window);
        await().atMost(Duration.ofMillis(3 * SHARED_WINDOW_MS))
                .until(() -> System.currentTimeMillis() / SHARED_WINDOW_MS >= window + 2);

        assertThat(notFromTheApp(sharedSim)).hasSize(11).filteredOn(r -> r.path().equals("/api/v3/ticker/price"))
                .allSatisfy(r -> assertThat(r.timeMs() / SHARED_WINDOW_MS).isEqualTo(window));
        Map<Long, Integer> byWindow = weightByWindow(sharedSim, SHARED_CONNECTORS);
        assertThat(byWindow.get(window)).as("the connectors' weight beside the other client's 20, by window: "
                + byWindow).isBetween(SHARED_BUDGET - 20 - 3 * TICKER_WEIGHT, SHARED_BUDGET - 20);
        assertThat(byWindow.get(window + 1)).as("the next window is theirs: " + byWindow)
                .isBetween(SHARED_BUDGET - 3 * TICKER_WEIGHT, SHARED_BUDGET);
        assertThat(sharedSim.stats().rest429Sent()).as("429s").isZero();
        assertThat(sharedSim.stats().rest418Sent()).isZero();
    }

    @Test
    void okxRateLimitInTheBodyBlocksTheHostForTheDefaultSecondThenDoubles() {
        await().atMost(Duration.ofSeconds(20)).until(() -> requestsOf(okxSim, "okx-limited").size() >= 3);
        // switched between two calls (200 ms apart), so that no call is half-way
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> {
            List<RestRequest> calls = requestsOf(okxSim, "okx-limited");
            RestRequest last = calls.get(calls.size() - 1);
            return last.status() != 0 && System.currentTimeMillis() - last.answeredAtMs() < 60;
        });
        long on = System.currentTimeMillis();
        okxSim.faults().setOkxBodyError("50011");
        // two answers with 50011 (requests arriving after it was switched on), then good answers again
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsOf(okxSim, "okx-limited").stream()
                .filter(r -> r.timeMs() > on && r.status() == 200).count() >= 2);
        long off = System.currentTimeMillis();
        okxSim.faults().setOkxBodyError(null);
        await().atMost(Duration.ofSeconds(10)).until(() -> requestsOf(okxSim, "okx-limited").stream()
                .filter(r -> r.timeMs() > off && r.status() == 200).count() >= 3);

        List<RestRequest> calls = requestsOf(okxSim, "okx-limited");
        List<RestRequest> limited = calls.stream().filter(r -> r.timeMs() > on && r.timeMs() < off).toList();
        assertThat(limited).as("calls answered 50011").hasSize(2);
        RestRequest first = limited.get(0);
        RestRequest second = limited.get(1);
        RestRequest after = calls.get(calls.indexOf(second) + 1);
        assertThat(second.timeMs() - first.answeredAtMs()).as("no request for the default block (1 s)")
                .isGreaterThanOrEqualTo(1000).isLessThan(1600);
        assertThat(after.timeMs() - second.answeredAtMs()).as("a second 50011 in a row: twice as long")
                .isGreaterThanOrEqualTo(2000).isLessThan(2600);
        assertThat(after.timeMs()).isGreaterThan(off);
        // then every 200 ms again
        List<RestRequest> resumed = calls.subList(calls.indexOf(after), calls.size());
        for (int i = 1; i < resumed.size(); i++) {
            assertThat(resumed.get(i).timeMs() - resumed.get(i - 1).timeMs()).isLessThan(600);
        }
        assertThat(okxSim.stats().restErrorsByCode()).containsEntry("okx:50011", (long) limited.size());
        assertThat(db.queryString("SELECT error_log FROM connector_status WHERE connector_id = 'okx-limited'"))
                .contains("rate limited by HTTP 200 code 50011");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(db.queryString("SELECT status || ' '"
                + " || (performance_metrics->>'rate_limited') FROM connector_status WHERE connector_id ="
                + " 'okx-limited'")).isEqualTo("running 2"));
    }

    /** The connectors' Binance weight per window of that simulator, from the server's request times. */
    private static Map<Long, Integer> weightByWindow(ExchangeSimulator sim, List<String> connectors) {
        long windowMs = sim.faults().binanceWeightWindow().toMillis();
        Map<Long, Integer> byWindow = new TreeMap<>();
        for (String id : connectors) {
            for (RestRequest r : requestsOf(sim, id)) {
                byWindow.merge(r.timeMs() / windowMs, TICKER_WEIGHT, Integer::sum);
            }
        }
        return byWindow;
    }

    /** Waits for the start of the next weight window (of {@code windowMs}); returns it, epoch ms. */
    private static long nextWindowStart(long windowMs) {
        long next = (System.currentTimeMillis() / windowMs + 1) * windowMs;
        await().atMost(Duration.ofMillis(windowMs + 1000)).pollInterval(Duration.ofMillis(2))
                .until(() -> System.currentTimeMillis() >= next);
        return next;
    }

    private static List<Integer> indexes(List<RestRequest> calls, int status) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).status() == status) {
                out.add(i);
            }
        }
        return out;
    }
}
