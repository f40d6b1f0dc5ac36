package io.marketetl.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator's REST trade history serves what its trade streams sent: Binance {@code historicalTrades} (ascending
 * from {@code fromId}) and OKX {@code history-trades} (newest first, paginated by tradeId), within the retention.
 */
class SimulatorTradeHistoryTest extends SimulatorTestBase {

    /** Text frames of a raw client, skipping control frames, until {@code n} trades were collected. */
    private static List<JsonNode> streamedTrades(RawWsClient raw, int n, boolean okx) throws Exception {
        List<JsonNode> trades = new ArrayList<>();
        while (trades.size() < n) {
            RawWsClient.Frame f = raw.read(5000);
            assertThat(f).as("stream ended early").isNotNull();
            if (f.opcode() != RawWsClient.TEXT) {
                continue;
            }
            JsonNode msg = WsTestClient.JSON.readTree(f.text());
            if (okx) {
                msg.path("data").forEach(trades::add); // the ack has no data
            } else {
                trades.add(msg);
            }
        }
        return trades;
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return WsTestClient.JSON.readTree(r.body());
    }

    @Test
    void binanceHistoricalTradesAreTheTradesTheStreamSent() throws Exception {
        start(SimulatorConfig.builder().ratePerConnection(500));
        List<JsonNode> streamed;
        try (RawWsClient raw = new RawWsClient(sim.port(), "/ws/btcusdt@trade")) {
            streamed = streamedTrades(raw, 150, false);
        }
        long first = streamed.get(0).path("t").asLong();
        HttpResponse<String> r = HttpTestClient.get(sim.binanceRestUrl() + "/api/v3/historicalTrades?symbol=BTCUSDT"
                + "&fromId=" + first + "&limit=100");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode page = json(r);
        assertThat(page.size()).isEqualTo(100);
        for (int i = 0; i < 100; i++) {
            JsonNode h = page.get(i);
            JsonNode s = streamed.get(i);
            assertThat(h.path("id").asLong()).as("ids consecutive from fromId").isEqualTo(first + i);
            assertThat(h.path("id").asLong()).isEqualTo(s.path("t").asLong());
            assertThat(h.path("price").asText()).isEqualTo(s.path("p").asText());
            assertThat(h.path("qty").asText()).isEqualTo(s.path("q").asText());
            assertThat(h.path("time").asLong()).isEqualTo(s.path("T").asLong());
            assertThat(h.path("isBuyerMaker").asBoolean()).isEqualTo(s.path("m").asBoolean());
            assertThat(h.path("isBestMatch").asBoolean()).isTrue();
            assertThat(Double.parseDouble(h.path("quoteQty").asText())).isCloseTo(
                    Double.parseDouble(s.path("p").asText()) * Double.parseDouble(s.path("q").asText()),
                    org.assertj.core.data.Offset.offset(1e-6));
        }
        // weight 25 per request, on the Binance weight header
        assertThat(HttpTestClient.header(r, "X-MBX-USED-WEIGHT-1M")).isEqualTo("25");
        HttpResponse<String> newest = HttpTestClient.get(sim.binanceRestUrl()
                + "/api/v3/historicalTrades?symbol=BTCUSDT&limit=5");
        assertThat(HttpTestClient.header(newest, "X-MBX-USED-WEIGHT-1M")).isEqualTo("50");
        JsonNode last5 = json(newest);
        assertThat(last5.size()).isEqualTo(5);
        assertThat(last5.get(4).path("id").asLong() - last5.get(0).path("id").asLong()).isEqualTo(4); // ascending
        assertThat(last5.get(4).path("id").asLong()).isGreaterThanOrEqualTo(streamed.get(149).path("t").asLong());
        // beyond the newest: nothing; a limit above 1000 is served as 1000
        long beyond = last5.get(4).path("id").asLong() + 1_000_000;
        assertThat(json(HttpTestClient.get(sim.binanceRestUrl() + "/api/v3/historicalTrades?symbol=BTCUSDT&fromId="
                + beyond)).size()).isZero();
        assertThat(json(HttpTestClient.get(sim.binanceRestUrl() + "/api/v3/historicalTrades?symbol=BTCUSDT&fromId="
                + first + "&limit=5000")).size()).isBetween(150, 1000);
        // the exchange's errors
        HttpResponse<String> noSymbol = HttpTestClient.get(sim.binanceRestUrl() + "/api/v3/historicalTrades");
        assertThat(noSymbol.statusCode()).isEqualTo(400);
        assertThat(json(noSymbol).path("code").asInt()).isEqualTo(-1102);
        assertThat(json(HttpTestClient.get(sim.binanceRestUrl() + "/api/v3/historicalTrades?symbol=DOGEUSDT"))
                .path("code").asInt()).isEqualTo(-1121);
        assertThat(json(HttpTestClient.get(sim.binanceRestUrl() + "/api/v3/historicalTrades?symbol=BTCUSDT&fromId=x"))
                .path("code").asInt()).isEqualTo(-1100);
    }

    @Test
    void okxHistoryTradesPaginateNewestFirstByTradeIdOverWhatTheStreamSent() throws Exception {
        start(SimulatorConfig.builder().ratePerConnection(500));
        List<JsonNode> streamed;
        try (RawWsClient raw = new RawWsClient(sim.port(), "/ws/v5/public")) {
            raw.sendText("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"}]}");
            streamed = streamedTrades(raw, 150, true);
        }
        sim.faults().setStall(true);
        long firstId = streamed.get(0).path("tradeId").asLong();
        // page through everything, newest first, following after=<last tradeId of the page>
        List<JsonNode> history = new ArrayList<>();
        String after = "";
        while (true) {
            JsonNode body = json(HttpTestClient.get(sim.okxRestUrl()
                    + "/api/v5/market/history-trades?instId=BTC-USDT&type=1&limit=100" + after));
            assertThat(body.path("code").asText()).isEqualTo("0");
            JsonNode data = body.path("data");
            assertThat(data.size()).isLessThanOrEqualTo(100);
            if (data.isEmpty()) {
                break;
            }
            data.forEach(history::add);
            after = "&after=" + data.get(data.size() - 1).path("tradeId").asText();
        }
        for (int i = 1; i < history.size(); i++) {
            assertThat(history.get(i).path("tradeId").asLong()).as("newest first")
                    .isLessThan(history.get(i - 1).path("tradeId").asLong());
        }
        // oldest first, the history is exactly the stream's trades (tradeId, price, size, side, time)
        List<JsonNode> ascending = new ArrayList<>(history);
        java.util.Collections.reverse(ascending);
        assertThat(ascending.get(0).path("tradeId").asLong()).isEqualTo(firstId);
        for (int i = 0; i < streamed.size(); i++) {
            JsonNode h = ascending.get(i);
            JsonNode s = streamed.get(i);
            for (String f : List.of("instId", "tradeId", "px", "sz", "side", "ts")) {
                assertThat(h.path(f).asText()).as(f + " of trade " + i).isEqualTo(s.path(f).asText());
            }
            if (i > 0) { // no hole: tradeId - count = the previous record's tradeId
                assertThat(s.path("tradeId").asLong() - s.path("count").asLong())
                        .isEqualTo(streamed.get(i - 1).path("tradeId").asLong());
            }
        }
        // before = newer than: the 10 trades just after it, newest first; after and before together: between
        long pivot = streamed.get(50).path("tradeId").asLong();
        JsonNode newer = json(HttpTestClient.get(sim.okxRestUrl()
                + "/api/v5/market/history-trades?instId=BTC-USDT&before=" + pivot + "&limit=10")).path("data");
        assertThat(newer.size()).isEqualTo(10);
        assertThat(newer.get(9).path("tradeId").asLong()).isEqualTo(streamed.get(51).path("tradeId").asLong());
        assertThat(newer.get(0).path("tradeId").asLong()).isEqualTo(streamed.get(60).path("tradeId").asLong());
        JsonNode between = json(HttpTestClient.get(sim.okxRestUrl() + "/api/v5/market/history-trades?instId=BTC-USDT"
                + "&after=" + streamed.get(60).path("tradeId").asText() + "&before=" + pivot)).path("data");
        assertThat(between.size()).isEqualTo(9);
        // more than 100 is served as 100; the exchange's errors
        assertThat(json(HttpTestClient.get(sim.okxRestUrl() + "/api/v5/market/history-trades?instId=BTC-USDT&limit=500"))
                .path("data").size()).isEqualTo(100);
        HttpResponse<String> noInst = HttpTestClient.get(sim.okxRestUrl() + "/api/v5/market/history-trades");
        assertThat(noInst.statusCode()).isEqualTo(400);
        assertThat(json(noInst).path("code").asText()).isEqualTo("50014");
        assertThat(json(HttpTestClient.get(sim.okxRestUrl() + "/api/v5/market/history-trades?instId=BTC-USDT&type=3"))
                .path("code").asText()).isEqualTo("51000");
        assertThat(json(HttpTestClient.get(sim.okxRestUrl() + "/api/v5/market/history-trades?instId=BTC-USDT&after=x"))
                .path("code").asText()).isEqualTo("51000");
        assertThat(json(HttpTestClient.get(sim.okxRestUrl() + "/api/v5/market/history-trades?instId=DOGE-USDT"))
                .path("code").asText()).isEqualTo("51001");
    }

    @Test
    void onlyTheRetainedTradesAreServedAndOlderRequestsGetWhatTheExchangesAnswer() throws Exception {
        start(SimulatorConfig.builder().ratePerConnection(500).tradeHistoryRetention(50));
        List<JsonNode> binance;
        List<JsonNode> okx;
        try (RawWsClient bn = new RawWsClient(sim.port(), "/ws/btcusdt@trade");
                RawWsClient ok = new RawWsClient(sim.port(), "/ws/v5/public")) {
            ok.sendText("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"}]}");
            binance = streamedTrades(bn, 120, false);
            okx = streamedTrades(ok, 120, true);
            sim.faults().setStall(true);
        }
        // Binance: a fromId older than what is kept starts at the oldest kept trade (as Binance does beyond its
        // retention); 50 kept, consecutive, the newest of them at least the last one read
        JsonNode kept = json(HttpTestClient.get(sim.binanceRestUrl() + "/api/v3/historicalTrades?symbol=BTCUSDT&fromId="
                + binance.get(0).path("t").asLong()));
        assertThat(kept.size()).isEqualTo(50);
        assertThat(kept.get(49).path("id").asLong() - kept.get(0).path("id").asLong()).isEqualTo(49);
        assertThat(kept.get(0).path("id").asLong()).isGreaterThan(binance.get(0).path("t").asLong());
        assertThat(kept.get(49).path("id").asLong()).isGreaterThanOrEqualTo(binance.get(119).path("t").asLong());
        // OKX: 50 kept; a page older than the oldest kept is empty (as OKX answers beyond its three months)
        JsonNode all = json(HttpTestClient.get(sim.okxRestUrl() + "/api/v5/market/history-trades?instId=BTC-USDT"))
                .path("data");
        assertThat(all.size()).isEqualTo(50);
        long oldestKept = all.get(49).path("tradeId").asLong();
        assertThat(oldestKept).isGreaterThan(okx.get(0).path("tradeId").asLong());
        JsonNode older = json(HttpTestClient.get(sim.okxRestUrl() + "/api/v5/market/history-trades?instId=BTC-USDT"
                + "&after=" + oldestKept));
        assertThat(older.path("code").asText()).isEqualTo("0");
        assertThat(older.path("data").size()).isZero();
        // the retention can be changed through the control API, like the other faults
        HttpResponse<String> set = HttpTestClient.send("POST", sim.controlUrl() + "/faults",
                "{\"tradeHistoryRetention\":20}");
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(json(set).path("tradeHistoryRetention").asInt()).isEqualTo(20);
        sim.faults().setStall(false);
        try (RawWsClient bn = new RawWsClient(sim.port(), "/ws/btcusdt@trade")) {
            streamedTrades(bn, 5, false);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> json(HttpTestClient.get(sim.binanceRestUrl()
                + "/api/v3/historicalTrades?symbol=BTCUSDT&limit=1000")).size() == 20);
    }

    @Test
    void theMarketMovesOnWhileNobodyReadsAndTheHistoryHasThoseTrades() throws Exception {
        start(SimulatorConfig.builder().ratePerConnection(500).unreadTradesPerSecond(1000));
        long lastBefore;
        try (RawWsClient bn = new RawWsClient(sim.port(), "/ws/btcusdt@trade")) {
            List<JsonNode> before = streamedTrades(bn, 20, false);
            lastBefore = before.get(19).path("t").asLong();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sim.stats().currentConnections() == 0);
        long firstAfter;
        try (RawWsClient bn = new RawWsClient(sim.port(), "/ws/btcusdt@trade")) {
            firstAfter = streamedTrades(bn, 1, false).get(0).path("t").asLong();
            sim.faults().setStall(true);
        }
        // trades happened between the two connections: never streamed to this client, but in the history
        assertThat(firstAfter).isGreaterThan(lastBefore + 1);
        JsonNode history = json(HttpTestClient.get(sim.binanceRestUrl() + "/api/v3/historicalTrades?symbol=BTCUSDT"
                + "&fromId=" + lastBefore + "&limit=1000"));
        assertThat(history.get(history.size() - 1).path("id").asLong() - history.get(0).path("id").asLong() + 1)
                .as("consecutive").isEqualTo(history.size());
        assertThat(history.get((int) (firstAfter - lastBefore)).path("id").asLong()).isEqualTo(firstAfter);
    }

    @Test
    void aClientThatStopsReadingIsCutAfterTheConfiguredTime() throws Exception {
        start(SimulatorConfig.builder().ratePerConnection(0).slowConsumerCutAfter(Duration.ZERO));
        try (RawWsClient idle = new RawWsClient(sim.port(), "/ws/btcusdt@trade")) { // never reads
            // the cut is off: the full write queue is tolerated
            await().pollDelay(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
                    .until(() -> sim.stats().currentConnections() == 1);
            assertThat(sim.stats().slowConsumerCuts()).isZero();
            HttpResponse<String> set = HttpTestClient.send("POST", sim.controlUrl() + "/faults",
                    "{\"slowConsumerCutSeconds\":1}");
            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(json(set).path("slowConsumerCutSeconds").asDouble()).isEqualTo(1.0);
            await().atMost(Duration.ofSeconds(10)).until(() -> sim.stats().slowConsumerCuts() == 1);
            assertThat(sim.stats().currentConnections()).isZero();
            assertThat(json(HttpTestClient.get(sim.controlUrl() + "/stats")).path("slowConsumerCuts").asLong())
                    .isEqualTo(1);
            assertThat(sim.stats().connections()).singleElement()
                    .satisfies(c -> assertThat(c.closeCode()).isEqualTo(1006)); // dropped, no close frame
        }
    }
}
