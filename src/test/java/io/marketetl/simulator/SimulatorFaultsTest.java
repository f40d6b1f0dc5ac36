package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.simulator.SimulatorStats.TradeGap;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SimulatorFaultsTest extends SimulatorTestBase {

    private static final String OKX_TRADES_BTC =
            "{\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"}]}";

    /** Waits until the server's counter stops moving and the client has received everything it counted. */
    private void awaitQuiet(WsTestClient c, java.util.function.LongSupplier received, java.util.function.LongSupplier sent) {
        AtomicLong last = new AtomicLong(-1);
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> {
                long s = sent.getAsLong();
                boolean stable = s == last.getAndSet(s);
                return stable && received.getAsLong() == s;
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            assertThat(received.getAsLong()).as("received vs sent; client closed=" + c.closed + " code=" + c.closeCode
                    + " stats=" + sim.stats().snapshot()).isEqualTo(sent.getAsLong());
            throw e;
        }
    }

    @Test
    void stallKeepsTheSocketAndControlFramesButStopsData() {
        start(SimulatorConfig.builder().ratePerConnection(500).binancePingInterval(Duration.ofMillis(200)));
        try (WsTestClient binance = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/stream?streams=btcusdt@trade");
             WsTestClient okx = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            okx.send(OKX_TRADES_BTC);
            binance.awaitJson(n -> n.has("stream"), 20);
            okx.awaitJson(n -> n.has("data"), 20);

            sim.faults().setStall(true);
            awaitQuiet(binance, () -> Frames.binance(binance.texts()).items, () -> sim.stats().itemsSent("binance:btcusdt@trade"));
            awaitQuiet(okx, () -> Frames.okx(okx.texts()).items, () -> sim.stats().itemsSent("okx:trades:BTC-USDT"));
            int binanceFrames = binance.count();
            int pings = binance.pingsReceived.get();
            long pongs = sim.stats().pongsReceived();

            // Zombie: pings keep coming and are answered, OKX still pongs, subscribe still acks; no data.
            okx.send("ping");
            okx.send("{\"id\":\"z\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"tickers\",\"instId\":\"ETH-USDT\"}]}");
            await().atMost(Duration.ofSeconds(5)).until(() -> binance.pingsReceived.get() >= pings + 3
                    && sim.stats().pongsReceived() >= pongs + 3);
            okx.awaitJson(n -> "z".equals(n.path("id").asText()));
            assertThat(okx.texts()).contains("pong");
            assertThat(binance.count()).isEqualTo(binanceFrames);
            assertThat(binance.closed).isFalse();
            assertThat(okx.closed).isFalse();

            sim.faults().setStall(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> binance.count() > binanceFrames + 10);
        }
    }

    @Test
    void malformedFramesFollowTheRatioAndAreCountedApart() {
        start(SimulatorConfig.builder().ratePerConnection(2000));
        sim.faults().setMalformedRatio(0.2);
        try (WsTestClient binance = WsTestClient.connect(vertx,
                sim.binanceWsUrl() + "/stream?streams=btcusdt@trade/ethusdt@bookTicker");
             WsTestClient okx = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            okx.send("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},"
                    + "{\"channel\":\"tickers\",\"instId\":\"SOL-USDT\"}]}");
            await().atMost(Duration.ofSeconds(15)).until(() -> binance.count() >= 1000 && okx.count() >= 1000);
            sim.faults().setStall(true);
            awaitQuiet(binance, binance::count, () -> framesSent("binance:"));
            awaitQuiet(okx, () -> {
                Frames.Tally t = Frames.okx(okx.texts());
                return t.dataFrames + t.malformed;
            }, () -> framesSent("okx:"));

            Frames.Tally b = Frames.binance(binance.texts());
            Frames.Tally o = Frames.okx(okx.texts());
            double ratio = (double) (b.malformed + o.malformed) / (b.malformed + o.malformed + b.dataFrames + o.dataFrames);
            assertThat(ratio).isBetween(0.15, 0.25);
            assertThat(b.malformed + o.malformed).isEqualTo(sim.stats().totalMalformedSent());
            assertThat(b.items + o.items).isEqualTo(sim.stats().totalItemsSent());
            // Malformed frames never eat trade ids: the valid trades stay contiguous.
            List<JsonNode> trades = binance.json().stream().filter(n -> n.path("data").path("t").isIntegralNumber()).toList();
            for (int i = 1; i < trades.size(); i++) {
                assertThat(trades.get(i).path("data").path("t").asLong())
                        .isEqualTo(trades.get(i - 1).path("data").path("t").asLong() + 1);
            }
        }
    }

    /** Valid plus malformed data frames sent on streams whose key starts with {@code prefix}. */
    private long framesSent(String prefix) {
        return sim.stats().framesSentByStream().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> e.getValue()).sum()
                + sim.stats().malformedSentByStream().entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> e.getValue()).sum();
    }

    @Test
    void tradeIdGapsAreInjectedRecordedAndVisible() {
        start(SimulatorConfig.builder().ratePerConnection(1000));
        sim.faults().setTradeIdGap(10, 3);
        try (WsTestClient binance = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade");
             WsTestClient okx = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            okx.send(OKX_TRADES_BTC);
            List<JsonNode> trades = binance.awaitJson(n -> "trade".equals(n.path("e").asText()), 45);
            List<long[]> seen = new ArrayList<>(); // observed holes {from, to}
            for (int i = 1; i < trades.size(); i++) {
                long prev = trades.get(i - 1).path("t").asLong();
                long cur = trades.get(i).path("t").asLong();
                if (cur != prev + 1) {
                    seen.add(new long[] {prev + 1, cur - 1});
                }
            }
            assertThat(seen).hasSizeGreaterThanOrEqualTo(3);
            List<TradeGap> recorded = sim.stats().gaps().stream().filter(g -> g.exchange().equals("binance")).toList();
            for (long[] hole : seen) {
                assertThat(recorded).contains(new TradeGap("binance", "BTC-USDT", hole[0], hole[1]));
                assertThat(hole[1] - hole[0] + 1).isEqualTo(3);
            }
            // Every 10 trades: exactly one hole after trades 10, 20, 30, ...
            long firstId = trades.get(0).path("t").asLong();
            assertThat(trades.get(10).path("t").asLong()).isEqualTo(firstId + 13);

            // OKX: tradeId - count jumps by the gap size where a gap was injected.
            List<JsonNode> items = new ArrayList<>();
            okx.awaitJson(n -> n.has("data"), 30).forEach(f -> f.path("data").forEach(items::add));
            int holes = 0;
            for (int i = 1; i < items.size(); i++) {
                long prev = items.get(i - 1).path("tradeId").asLong();
                long firstOfCur = items.get(i).path("tradeId").asLong() - items.get(i).path("count").asLong() + 1;
                if (firstOfCur != prev + 1) {
                    holes++;
                    assertThat(sim.stats().gaps()).contains(new TradeGap("okx", "BTC-USDT", prev + 1, firstOfCur - 1));
                }
            }
            assertThat(holes).isGreaterThanOrEqualTo(2);
            assertThat(sim.stats().gapsByStream().get("okx:trades:BTC-USDT")).isGreaterThanOrEqualTo(holes);
        }
    }

    @Test
    void disconnectEveryDropsEveryConnectionWithoutACloseFrame() throws Exception {
        start(SimulatorConfig.builder());
        try (WsTestClient a = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade");
             WsTestClient b = WsTestClient.connect(vertx, sim.okxWsUrl());
             RawWsClient raw = new RawWsClient(sim.port(), "/ws/ethusdt@trade")) {
            sim.faults().setDisconnectEvery(Duration.ofMillis(300));
            a.awaitClosed();
            b.awaitClosed();
            RawWsClient.Frame f;
            while ((f = raw.read(5000)) != null) {
                assertThat(f.opcode()).as("no close frame, just a cut").isNotEqualTo(RawWsClient.CLOSE);
            }
            // No close frame arrived (Vert.x then reports no status; RFC 6455 calls this 1006).
            assertThat(a.closeCode).isNull();
            assertThat(b.closeCode).isNull();
            assertThat(sim.stats().closesSent(1006)).isEqualTo(3);
            assertThat(sim.stats().currentConnections()).isZero();
        }
        sim.faults().setDisconnectEvery(null);
        try (WsTestClient c = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> !c.closed);
        }
    }

    @Test
    void refuseModeRejectsUpgradesUntilLifted() {
        start(SimulatorConfig.builder());
        sim.faults().refuseConnectionsFor(Duration.ofSeconds(30));
        assertThatThrownBy(() -> WsTestClient.connect(vertx, sim.okxWsUrl()))
                .isInstanceOfSatisfying(WsTestClient.Rejected.class, r -> assertThat(r.status).isEqualTo(503));
        assertThatThrownBy(() -> WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade"))
                .isInstanceOf(WsTestClient.Rejected.class);
        assertThat(sim.stats().connectionsRefused()).isEqualTo(2);
        assertThat(sim.stats().connectionsOpened()).isZero();
        sim.faults().refuseConnectionsFor(Duration.ofMillis(300));
        await().atMost(Duration.ofSeconds(3)).until(() -> !sim.faults().refusing());
        try (WsTestClient c = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            assertThat(c.closed).isFalse();
        }
    }

    @Test
    void tracksMaxConcurrentConnectionsPerUserAgent() {
        start(SimulatorConfig.builder());
        try (WsTestClient a1 = WsTestClient.connect(vertx, sim.okxWsUrl(), "market-etl/okx-1");
             WsTestClient a2 = WsTestClient.connect(vertx, sim.okxWsUrl(), "market-etl/okx-1");
             WsTestClient b = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws", "market-etl/bin-1")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> sim.stats().currentConnections() == 3);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sim.stats().currentConnections() == 0);
        try (WsTestClient again = WsTestClient.connect(vertx, sim.okxWsUrl(), "market-etl/okx-1")) {
            await().atMost(Duration.ofSeconds(5)).until(() -> sim.stats().currentConnections("market-etl/okx-1") == 1);
        }
        assertThat(sim.stats().maxConcurrentConnections("market-etl/okx-1")).isEqualTo(2);
        assertThat(sim.stats().maxConcurrentConnections("market-etl/bin-1")).isEqualTo(1);
        assertThat(sim.stats().maxConcurrentConnections("nobody")).isZero();
        assertThat(sim.stats().connectionsOpened()).isEqualTo(4);
    }

    @Test
    void unpacedRateStopsAtTheWriteQueueWhileTheClientDoesNotRead() {
        start(SimulatorConfig.builder().ratePerConnection(0));
        try (WsTestClient c = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> c.count() > 2000);
            c.pause();
            // With the reader paused the server must stop writing once buffers are full, not queue forever.
            AtomicLong last = new AtomicLong(-1);
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
                long sent = sim.stats().totalFramesSent();
                return sent == last.getAndSet(sent);
            });
            long plateau = sim.stats().totalFramesSent();
            c.resume();
            await().atMost(Duration.ofSeconds(10)).until(() -> sim.stats().totalFramesSent() > plateau + 1000);
            // Changing the rate at runtime paces it again.
            sim.faults().setRate(50);
            assertThat(sim.faults().rate()).isEqualTo(50);
        }
    }
}
