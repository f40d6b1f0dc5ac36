package io.marketetl.e2e;

import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.simulator.SimulatorStats.ConnectionSnapshot;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Planned reconnects without a gap, through the pipeline into websocket_messages: the simulator announces an OKX
 * service upgrade (64008), a Binance serverShutdown, or the source reaches its max connection age, while trades
 * stream. Afterwards every trade the simulator sent (as its REST trade history lists them) is stored exactly once,
 * the trade ids have no hole, the server never had to close the old connection, and the source held two sockets only
 * during the bounded overlap.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PlannedReconnectEndToEndTest {

    private static final long MAX_OVERLAP_MS = 3000;
    private static final long CLOSE_TIMEOUT_MS = 1000;
    private static final String LIFECYCLE = "&pingIntervalMs=500&pongTimeoutMs=2000&staleAfterMs=10000"
            + "&backoffInitialMs=50&backoffMaxMs=500&minConnectIntervalMs=100&hostConnectIntervalMs=100"
            + "&closeTimeoutMs=" + CLOSE_TIMEOUT_MS + "&handoverMaxOverlapMs=" + MAX_OVERLAP_MS;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /**
     * The market moves on while nobody reads a trade stream (1000 trades/s, into the REST history only), as a real
     * one does: closing first and reconnecting then would leave a hole that the history shows.
     */
    private static SimulatorConfig.Builder simConfig() {
        return SimulatorConfig.builder().ratePerConnection(200).instruments("BTC-USDT", "ETH-USDT")
                .unreadTradesPerSecond(1000)
                .okxIdleTimeout(Duration.ofSeconds(5)).okxNoticeLead(Duration.ofSeconds(6))
                .binanceShutdownLead(Duration.ofSeconds(6));
    }

    @Test
    void okxUpgradeNoticeIsHandedOverWithEveryTradeStoredOnce() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(simConfig().build());
                TestDatabase db = TestDatabase.create();
                PipelineHarness p = pipeline(db, "exchange:okx-h?dialect=okx&channels=trades,tickers"
                        + "&instruments=BTC-USDT,ETH-USDT&url=" + sim.okxWsUrl() + LIFECYCLE)) {
            DataSource ds = db.dataSource();
            handOverWhileTradesStream(sim, ds, "okx", "okx-h", () -> sim.faults().sendOkxNotice());
            for (String inst : List.of("BTC-USDT", "ETH-USDT")) {
                assertEveryStreamedTradeStoredOnce(sim, ds, "okx", inst);
            }
            // OKX trades have no hole: each record's tradeId minus its count is the previous record's tradeId
            for (String inst : List.of("BTC-USDT", "ETH-USDT")) {
                List<List<Object>> chain = rows(ds, "SELECT trade_id::bigint, (data#>>'{data,0,count}')::bigint"
                        + " FROM websocket_messages WHERE exchange = 'okx' AND message_type = 'trade'"
                        + " AND instrument = '" + inst + "' ORDER BY 1");
                for (int i = 1; i < chain.size(); i++) {
                    assertThat((long) chain.get(i).get(0) - (long) chain.get(i).get(1)).as("tradeId chain at %d", i)
                            .isEqualTo((long) chain.get(i - 1).get(0));
                }
            }
        }
    }

    @Test
    void binanceServerShutdownIsHandedOverWithEveryTradeStoredOnce() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(simConfig().build());
                TestDatabase db = TestDatabase.create();
                PipelineHarness p = pipeline(db, "exchange:bn-h?dialect=binance&channels=trade,bookTicker"
                        + "&instruments=BTCUSDT,ETHUSDT&url=" + sim.binanceWsUrl() + LIFECYCLE)) {
            DataSource ds = db.dataSource();
            handOverWhileTradesStream(sim, ds, "binance", "bn-h", () -> sim.faults().sendBinanceServerShutdown());
            for (String inst : List.of("BTC-USDT", "ETH-USDT")) {
                assertEveryStreamedTradeStoredOnce(sim, ds, "binance", inst);
                assertConsecutive(trades(ds, "binance", inst));
            }
        }
    }

    @Test
    void aFailingSuccessorLeavesTheOldConnectionDeliveringUntilALaterOneTakesOver() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(simConfig().build());
                TestDatabase db = TestDatabase.create();
                PipelineHarness p = pipeline(db, "exchange:okx-f?dialect=okx&channels=trades"
                        + "&instruments=BTC-USDT&url=" + sim.okxWsUrl() + LIFECYCLE)) {
            DataSource ds = db.dataSource();
            await().atMost(Duration.ofSeconds(10)).until(() -> trades(ds, "okx", "BTC-USDT").size() >= 30);
            sim.faults().refuseConnectionsFor(Duration.ofSeconds(2)); // upgrades answered 503 for 2 s
            sim.faults().sendOkxNotice(); // the server would close 6 s later
            await().atMost(Duration.ofSeconds(3)).until(() -> sim.stats().connectionsRefused() >= 2);
            // the successors failed; the old connection still delivers
            assertThat(opened(sim, "okx-f")).isEqualTo(1);
            int during = trades(ds, "okx", "BTC-USDT").size();
            await().atMost(Duration.ofSeconds(5)).until(() -> trades(ds, "okx", "BTC-USDT").size() >= during + 20);
            // once upgrades are accepted again a successor takes over, before the server's close
            await().atMost(Duration.ofSeconds(4)).until(() -> opened(sim, "okx-f") == 2
                    && sim.stats().currentConnections("market-etl/okx-f") == 1);
            assertHandedOverWithinTheOverlap(sim, "okx-f");
            assertEveryStreamedTradeStoredOnce(sim, ds, "okx", "BTC-USDT");
        }
    }

    @Test
    void maxConnectionAgeReconnectsBeforeTheCutWithoutAGap() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(simConfig().binanceLifetime(Duration.ofSeconds(4)).build());
                TestDatabase db = TestDatabase.create();
                PipelineHarness p = pipeline(db, "exchange:bn-age?dialect=binance&channels=trade"
                        + "&instruments=BTCUSDT&url=" + sim.binanceWsUrl() + LIFECYCLE + "&maxConnectionAgeMs=1500")) {
            DataSource ds = db.dataSource();
            // 1.5 s age, 4 s hard cut: the source moves on well before the server cuts
            await().atMost(Duration.ofSeconds(15)).until(() -> opened(sim, "bn-age") >= 4);
            assertHandedOverWithinTheOverlap(sim, "bn-age");
            assertEveryStreamedTradeStoredOnce(sim, ds, "binance", "BTC-USDT");
            assertConsecutive(trades(ds, "binance", "BTC-USDT"));
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Trades stream, then {@code announce} (the server would close 6 s later): a second connection opens and the
     * first one is gone (well before the server's close); trades go on; the handover stayed within its bounds.
     */
    private static void handOverWhileTradesStream(ExchangeSimulator sim, DataSource ds, String exchange,
            String sourceId, Runnable announce) {
        await().atMost(Duration.ofSeconds(10)).until(() -> trades(ds, exchange, "BTC-USDT").size() >= 30);
        announce.run();
        await().atMost(Duration.ofSeconds(5)).until(() -> opened(sim, sourceId) == 2
                && sim.stats().currentConnections("market-etl/" + sourceId) == 1);
        int before = trades(ds, exchange, "BTC-USDT").size();
        await().atMost(Duration.ofSeconds(10)).until(() -> trades(ds, exchange, "BTC-USDT").size() >= before + 30);
        assertHandedOverWithinTheOverlap(sim, sourceId);
    }

    private static PipelineHarness pipeline(TestDatabase db, String sourceUri) throws Exception {
        PipelineHarness p = PipelineHarness.startWithNormalise(db.dataSource(), Map.of(
                "market-etl.batch.max-wait-ms", "50"));
        p.context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(sourceUri).routeId("source").to("direct:normalise");
            }
        });
        return p;
    }

    /** Stops the market (the sockets stay open), then the stored trade ids equal the simulator's history: once each. */
    private static void assertEveryStreamedTradeStoredOnce(ExchangeSimulator sim, DataSource ds, String exchange,
            String inst) throws Exception {
        sim.faults().setStall(true);
        List<Long> streamed = exchange.equals("okx") ? okxHistory(sim, inst) : binanceHistory(sim, inst);
        assertThat(streamed).hasSizeGreaterThan(60);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(trades(ds, exchange, inst)).containsExactlyElementsOf(streamed));
        assertThat(rows(ds, "SELECT count(*) - count(DISTINCT trade_id) FROM websocket_messages WHERE exchange = '"
                + exchange + "' AND instrument = '" + inst + "' AND message_type = 'trade'").get(0).get(0))
                .isEqualTo(0L);
    }

    /** Stored trade ids of one stream, ascending. */
    private static List<Long> trades(DataSource ds, String exchange, String inst) {
        List<Long> ids = new ArrayList<>();
        for (List<Object> r : rows(ds, "SELECT trade_id::bigint FROM websocket_messages WHERE exchange = '" + exchange
                + "' AND instrument = '" + inst + "' AND message_type = 'trade' ORDER BY 1")) {
            ids.add((Long) r.get(0));
        }
        return ids;
    }

    private static void assertConsecutive(List<Long> ids) {
        assertThat(ids.get(ids.size() - 1) - ids.get(0) + 1).as("ids from first to last, no hole").isEqualTo(ids.size());
    }

    private static List<Long> binanceHistory(ExchangeSimulator sim, String inst) throws Exception {
        JsonNode page = get(sim.binanceRestUrl() + "/api/v3/historicalTrades?symbol=" + inst.replace("-", "")
                + "&fromId=0&limit=1000");
        assertThat(page.size()).as("one page holds the whole test").isLessThan(1000);
        List<Long> ids = new ArrayList<>();
        page.forEach(t -> ids.add(t.get("id").asLong()));
        return ids;
    }

    /** Every page of OKX's history, newest first, following {@code after}; returned ascending. */
    private static List<Long> okxHistory(ExchangeSimulator sim, String inst) throws Exception {
        TreeMap<Long, Boolean> ids = new TreeMap<>();
        String after = "";
        while (true) {
            JsonNode data = get(sim.okxRestUrl() + "/api/v5/market/history-trades?instId=" + inst + "&type=1&limit=100"
                    + after).get("data");
            if (data.isEmpty()) {
                return new ArrayList<>(ids.keySet());
            }
            data.forEach(t -> ids.put(t.get("tradeId").asLong(), true));
            after = "&after=" + data.get(data.size() - 1).get("tradeId").asText();
        }
    }

    private static JsonNode get(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static long opened(ExchangeSimulator sim, String sourceId) {
        return sim.stats().connections().stream().filter(c -> ("market-etl/" + sourceId).equals(c.clientIdentity()))
                .count();
    }

    /**
     * The server never closed a connection (the client moved on first), at most two were open at once, and each old
     * one was closed within the overlap bound (max overlap + close handshake) after its successor opened.
     */
    private static void assertHandedOverWithinTheOverlap(ExchangeSimulator sim, String sourceId) {
        String ua = "market-etl/" + sourceId;
        assertThat(sim.stats().closesSent(1001)).as("server-side closes after notice or lifetime").isZero();
        assertThat(sim.stats().maxConcurrentConnections(ua)).isEqualTo(2);
        List<ConnectionSnapshot> mine = sim.stats().connections().stream()
                .filter(c -> ua.equals(c.clientIdentity())).sorted(Comparator.comparingLong(ConnectionSnapshot::id))
                .toList();
        assertThat(mine).hasSizeGreaterThanOrEqualTo(2);
        assertThat(mine.get(0).closedAtMs()).as("the first connection closed").isPositive();
        for (int i = 1; i < mine.size(); i++) {
            ConnectionSnapshot old = mine.get(i - 1);
            if (old.closedAtMs() == 0) {
                continue; // a handover under way right now
            }
            assertThat(old.closedAtMs() - mine.get(i).openedAtMs()).as("overlap of connection %d and %d", i - 1, i)
                    .isBetween(0L, MAX_OVERLAP_MS + CLOSE_TIMEOUT_MS);
        }
    }
}
