package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SimulatorDataTest extends SimulatorTestBase {

    /** First {@code n} OKX BTC trades and Binance ETH trades as "id px sz side" lines. */
    private static List<String> firstTrades(long seed, int n) {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().seed(seed).ratePerConnection(1000).build());
             WsTestClient okx = WsTestClient.connect(vertx, sim.okxWsUrl());
             WsTestClient binance = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/ethusdt@trade")) {
            okx.send("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"}]}");
            List<String> out = new ArrayList<>();
            List<JsonNode> frames = okx.awaitJson(f -> f.has("data"), n);
            for (JsonNode f : frames) {
                for (JsonNode t : f.path("data")) {
                    out.add("okx " + t.path("tradeId").asText() + " " + t.path("px").asText() + " " + t.path("sz").asText()
                            + " " + t.path("side").asText() + " " + t.path("count").asText());
                }
            }
            out = new ArrayList<>(out.subList(0, n));
            for (JsonNode t : binance.awaitJson(f -> "trade".equals(f.path("e").asText()), n).subList(0, n)) {
                out.add("binance " + t.path("t").asText() + " " + t.path("p").asText() + " " + t.path("q").asText()
                        + " " + t.path("m").asText());
            }
            out.add("connId " + okx.json().get(0).path("connId").asText());
            return out;
        }
    }

    @Test
    void sameSeedGivesTheSameFirstTradesAndAnotherSeedDoesNot() {
        List<String> a = firstTrades(42, 30);
        List<String> b = firstTrades(42, 30);
        List<String> c = firstTrades(7, 30);
        assertThat(a).hasSize(61);
        assertThat(b).isEqualTo(a);
        assertThat(c).isNotEqualTo(a);
        assertThat(c.get(0)).isNotEqualTo(a.get(0));
    }

    @Test
    void statsCountExactlyWhatClientsReceivedPerStream() {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().ratePerConnection(1500).build());
             WsTestClient okx = WsTestClient.connect(vertx, sim.okxWsUrl(), "market-etl/okx-test");
             WsTestClient combined = WsTestClient.connect(vertx,
                     sim.binanceWsUrl() + "/stream?streams=btcusdt@trade/ethusdt@bookTicker/solusdt@ticker", "market-etl/bn");
             WsTestClient raw = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade", "market-etl/bn")) {
            okx.send("{\"id\":\"1\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},"
                    + "{\"channel\":\"trades\",\"instId\":\"ETH-USDT\"},{\"channel\":\"tickers\",\"instId\":\"SOL-USDT\"},"
                    + "{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"}]}");
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> okx.count() > 600 && combined.count() > 600 && raw.count() > 300);
            sim.faults().setStall(true);

            AtomicReference<Map<String, Long>> last = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                Map<String, Long> sent = sim.stats().itemsSentByStream();
                boolean stable = sent.equals(last.getAndSet(sent));
                return stable && received(okx, combined, raw).equals(sent);
            });
            Map<String, Long> sent = sim.stats().itemsSentByStream();
            assertThat(sent).containsOnlyKeys("okx:trades:BTC-USDT", "okx:trades:ETH-USDT", "okx:tickers:SOL-USDT",
                    "okx:bbo-tbt:BTC-USDT", "binance:btcusdt@trade", "binance:ethusdt@bookTicker", "binance:solusdt@ticker");
            assertThat(sim.stats().totalItemsSent()).isEqualTo(sent.values().stream().mapToLong(Long::longValue).sum());
            // Several trades per OKX frame: items > frames on the trades streams.
            assertThat(sent.get("okx:trades:BTC-USDT")).isGreaterThan(sim.stats().framesSentByStream().get("okx:trades:BTC-USDT"));
            // Rate is spread round-robin across a connection's streams.
            long bnTrade = Frames.binance(combined.texts()).itemsByStream.get("binance:btcusdt@trade");
            long bnBook = Frames.binance(combined.texts()).itemsByStream.get("binance:ethusdt@bookTicker");
            assertThat(Math.abs(bnTrade - bnBook)).isLessThanOrEqualTo(1);

            // Per connection, too.
            Map<Long, Long> itemsByConn = new HashMap<>();
            sim.stats().connections().forEach(cs -> itemsByConn.put(cs.id(), cs.itemsSent()));
            assertThat(itemsByConn.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(sim.stats().totalItemsSent());
            assertThat(sim.stats().connections()).anyMatch(cs -> cs.clientIdentity().equals("market-etl/okx-test")
                    && cs.itemsSent() == Frames.okx(okx.texts()).items && cs.exchange().equals("okx"));
            assertThat(sim.stats().maxConcurrentConnections("market-etl/bn")).isEqualTo(2);
            assertThat(sim.stats().subscribeAcksSent()).isEqualTo(4);

            sim.stats().reset();
            assertThat(sim.stats().totalItemsSent()).isZero();
            assertThat(sim.stats().itemsSentByStream().values()).allMatch(v -> v == 0);
            assertThat(sim.stats().maxConcurrentConnections("market-etl/bn")).isEqualTo(2);
        }
    }

    private static Map<String, Long> received(WsTestClient okx, WsTestClient combined, WsTestClient raw) {
        Map<String, Long> m = new HashMap<>(Frames.okx(okx.texts()).itemsByStream);
        Frames.binance(combined.texts()).itemsByStream.forEach((k, v) -> m.merge(k, v, Long::sum));
        Frames.binance(raw.texts()).itemsByStream.forEach((k, v) -> m.merge(k, v, Long::sum));
        return m;
    }

    @Test
    void twoConnectionsOnOneInstrumentSeeTheSameMarketAndAReconnectContinuesIt() {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().ratePerConnection(200).build())) {
            long lastId;
            try (WsTestClient first = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade")) {
                List<JsonNode> t = first.awaitJson(n -> "trade".equals(n.path("e").asText()), 10);
                sim.faults().setStall(true);
                await().atMost(Duration.ofSeconds(5)).until(() -> first.count() == sim.stats().totalFramesSent());
                lastId = first.json().get(first.count() - 1).path("t").asLong();
                assertThat(lastId).isGreaterThanOrEqualTo(t.get(9).path("t").asLong());
            }
            sim.faults().setStall(false);
            try (WsTestClient second = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade")) {
                JsonNode next = second.awaitJson(n -> "trade".equals(n.path("e").asText()));
                assertThat(next.path("t").asLong()).as("ids continue, never go back").isEqualTo(lastId + 1);
            }
        }
    }
}
