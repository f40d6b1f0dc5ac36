package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class SimulatorBinanceTest extends SimulatorTestBase {

    private static SimulatorConfig.Builder base() {
        return SimulatorConfig.builder().ratePerConnection(300);
    }

    @Test
    void rawTradeStreamHasTheDocumentedShapeAndConsecutiveIds() {
        start(base());
        assertThat(sim.binanceWsUrl()).isEqualTo("ws://127.0.0.1:" + sim.port());
        try (WsTestClient c = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade")) {
            List<JsonNode> trades = c.awaitJson(n -> "trade".equals(n.path("e").asText()), 40);
            long now = System.currentTimeMillis();
            long prev = -1;
            for (JsonNode t : trades) {
                assertThat(t.has("stream")).isFalse();
                assertThat(t.path("s").asText()).isEqualTo("BTCUSDT");
                assertThat(t.path("t").isIntegralNumber()).isTrue();
                assertThat(t.path("p").asText()).matches("\\d+\\.\\d{8}");
                assertThat(t.path("q").asText()).matches("\\d+\\.\\d{8}");
                assertThat(t.path("m").isBoolean()).isTrue();
                assertThat(t.path("M").booleanValue()).isTrue();
                assertThat(t.path("E").asLong()).isBetween(now - 60_000, now + 1_000);
                assertThat(t.path("T").isIntegralNumber()).isTrue();
                if (prev >= 0) {
                    assertThat(t.path("t").asLong()).isEqualTo(prev + 1);
                }
                prev = t.path("t").asLong();
            }
        }
    }

    @Test
    void combinedStreamsWrapEveryPayload() {
        start(base());
        try (WsTestClient c = WsTestClient.connect(vertx,
                sim.binanceWsUrl() + "/stream?streams=btcusdt@trade/ethusdt@bookTicker/solusdt@ticker")) {
            List<JsonNode> frames = c.awaitJson(n -> n.has("stream"), 30);
            Set<String> streams = frames.stream().map(n -> n.path("stream").asText()).collect(Collectors.toSet());
            assertThat(streams).containsExactlyInAnyOrder("btcusdt@trade", "ethusdt@bookTicker", "solusdt@ticker");
            assertThat(c.json()).allMatch(n -> n.has("stream") && n.path("data").isObject());
            JsonNode book = frames.stream().filter(n -> n.path("stream").asText().endsWith("@bookTicker")).findFirst()
                    .orElseThrow().path("data");
            assertThat(book.has("E")).as("bookTicker has no timestamp").isFalse();
            assertThat(book.has("e")).isFalse();
            assertThat(book.path("u").isIntegralNumber()).isTrue();
            assertThat(book.path("s").asText()).isEqualTo("ETHUSDT");
            assertThat(Double.parseDouble(book.path("a").asText())).isGreaterThan(Double.parseDouble(book.path("b").asText()));
            for (String f : List.of("B", "A")) {
                assertThat(book.path(f).isTextual()).isTrue();
            }
            JsonNode ticker = frames.stream().filter(n -> n.path("stream").asText().endsWith("@ticker")).findFirst()
                    .orElseThrow().path("data");
            assertThat(ticker.path("e").asText()).isEqualTo("24hrTicker");
            for (String f : List.of("p", "P", "w", "x", "c", "Q", "b", "B", "a", "A", "o", "h", "l", "v", "q")) {
                assertThat(ticker.path(f).isTextual()).as(f).isTrue();
            }
            for (String f : List.of("E", "O", "C", "F", "L", "n")) {
                assertThat(ticker.path(f).isIntegralNumber()).as(f).isTrue();
            }
            assertThat(ticker.path("C").asLong() - ticker.path("O").asLong()).isEqualTo(86_400_000L);
        }
    }

    @Test
    void subscribeListUnsubscribeAndNestedErrors() {
        start(base().binanceMaxIncomingPerSecond(50));
        try (WsTestClient c = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws")) {
            c.send("{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\",\"ethusdt@bookTicker\"],\"id\":1}");
            JsonNode ack = c.awaitJson(n -> n.path("id").asInt() == 1);
            assertThat(ack.has("result")).isTrue();
            assertThat(ack.get("result").isNull()).isTrue();
            c.awaitJson(n -> "trade".equals(n.path("e").asText()));
            assertThat(c.json()).noneMatch(n -> n.has("stream"));

            c.send("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":3}");
            JsonNode list = c.awaitJson(n -> n.path("id").asInt() == 3);
            assertThat(list.path("result").toString()).isEqualTo("[\"btcusdt@trade\",\"ethusdt@bookTicker\"]");

            c.send("{\"method\":\"SUBSCRIBE\",\"params\":[\"dogeusdt@trade\"],\"id\":4}");
            JsonNode err = c.awaitJson(n -> n.path("id").asInt() == 4);
            assertThat(err.path("error").path("code").asInt()).isEqualTo(2);
            assertThat(err.path("error").path("msg").asText()).isEqualTo("Invalid request: invalid stream");

            c.send("{\"method\":\"SUBSCRIBE\",\"params\":[\"BTCUSDT@trade\"],\"id\":\"abc\"}");
            JsonNode upper = c.awaitJson(n -> "abc".equals(n.path("id").asText()));
            assertThat(upper.path("error").path("code").asInt()).as("stream names are lowercase").isEqualTo(2);

            c.send("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"btcusdt@trade\"],\"id\":5}");
            c.awaitJson(n -> n.path("id").asInt() == 5 && n.has("result"));
            c.send("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":6}");
            assertThat(c.awaitJson(n -> n.path("id").asInt() == 6).path("result").toString())
                    .isEqualTo("[\"ethusdt@bookTicker\"]");

            c.send("{\"method\":\"SET_PROPERTY\",\"params\":[\"combined\",true],\"id\":7}");
            c.awaitJson(n -> n.path("id").asInt() == 7);
            c.awaitJson(n -> "ethusdt@bookTicker".equals(n.path("stream").asText()));

            c.send("not json");
            JsonNode bad = c.awaitJson(n -> n.path("error").path("code").asInt() == 3);
            assertThat(bad.get("id").isNull()).isTrue();

            assertThat(sim.stats().subscribeAcksSent()).isEqualTo(2);
            assertThat(sim.stats().errorsSent("binance", "2")).isEqualTo(2);
        }
    }

    @Test
    void tooManySubscriptionsIsErrorCode4() {
        start(base().binanceMaxStreams(2).binanceMaxIncomingPerSecond(50));
        try (WsTestClient c = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/stream?streams=btcusdt@trade")) {
            c.send("{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@trade\",\"solusdt@trade\"],\"id\":19}");
            JsonNode err = c.awaitJson(n -> n.path("id").asInt() == 19);
            assertThat(err.toString()).isEqualTo("{\"error\":{\"code\":4,\"msg\":\"Too many subscriptions\"},\"id\":19}");
        }
        // Too many streams in the URL, or an unknown one, is refused at the handshake.
        assertThatThrownBy(() -> WsTestClient.connect(vertx,
                sim.binanceWsUrl() + "/stream?streams=btcusdt@trade/ethusdt@trade/solusdt@trade"))
                .isInstanceOfSatisfying(WsTestClient.Rejected.class, r -> assertThat(r.status).isEqualTo(400));
        assertThatThrownBy(() -> WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/xrpusdt@trade"))
                .isInstanceOfSatisfying(WsTestClient.Rejected.class, r -> assertThat(r.status).isEqualTo(400));
    }

    @Test
    void moreThanFiveMessagesPerSecondCloses1008() {
        start(base());
        try (WsTestClient polite = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws");
             WsTestClient greedy = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws")) {
            // Five in a burst is allowed...
            for (int i = 1; i <= 5; i++) {
                polite.send("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + i + "}");
            }
            polite.awaitJson(n -> n.path("id").asInt() == 5);
            // ...six are not; pings count like messages.
            for (int i = 1; i <= 5; i++) {
                greedy.send("{\"method\":\"LIST_SUBSCRIPTIONS\",\"id\":" + i + "}");
            }
            greedy.ping("x");
            greedy.awaitClosed();
            assertThat(greedy.closeCode).isEqualTo((short) 1008);
            assertThat(greedy.closeReason).isEqualTo("Too many requests");
            assertThat(polite.closed).isFalse();
            assertThat(sim.stats().closesSent(1008)).isEqualTo(1);
            assertThat(sim.stats().binanceRateViolations()).isEqualTo(1);
        }
    }

    @Test
    void serverPingsCarryAPayloadAndUnansweredPingsCloseTheConnection() throws Exception {
        start(base().binancePingInterval(Duration.ofMillis(300)).binancePongTimeout(Duration.ofMillis(900)));
        try (WsTestClient vertxClient = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@bookTicker");
             RawWsClient raw = new RawWsClient(sim.port(), "/ws/btcusdt@trade")) {
            assertThat(raw.status).isEqualTo(101);
            // The raw client never answers: close after the pong timeout.
            RawWsClient.Frame f;
            boolean sawPing = false;
            while ((f = raw.read(5000)) != null && f.opcode() != RawWsClient.CLOSE) {
                if (f.opcode() == RawWsClient.PING) {
                    sawPing = true;
                    assertThat(f.text()).isNotEmpty();
                }
            }
            assertThat(sawPing).isTrue();
            assertThat(f).isNotNull();
            assertThat(f.closeCode()).isEqualTo(1001);
            assertThat(f.closeReason()).isEqualTo("Pong timeout");
            // Vert.x answers pings itself, so its connection survives.
            await().atMost(Duration.ofSeconds(5)).until(() -> vertxClient.pingsReceived.get() >= 3);
            assertThat(vertxClient.closed).isFalse();
            assertThat(vertxClient.pingPayloads).allMatch(p -> !p.isEmpty());
            assertThat(sim.stats().pongsReceived()).isGreaterThanOrEqualTo(2);
            assertThat(sim.stats().closesSent(1008)).isZero();
        }
    }

    @Test
    void connectionLifetimeIsCut() {
        start(base().binanceLifetime(Duration.ofMillis(700)));
        try (WsTestClient c = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade")) {
            c.awaitJson(n -> "trade".equals(n.path("e").asText()));
            c.awaitClosed();
            assertThat(c.closeCode).isEqualTo((short) 1001);
            assertThat(sim.stats().closesSent(1001)).isEqualTo(1);
        }
    }

    @Test
    void serverShutdownEventIsRawOrWrappedThenTheConnectionCloses() {
        start(base().binanceShutdownLead(Duration.ofMillis(300)));
        try (WsTestClient raw = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade");
             WsTestClient combined = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/stream?streams=btcusdt@trade")) {
            raw.awaitJson(n -> "trade".equals(n.path("e").asText()));
            sim.faults().sendBinanceServerShutdown();
            JsonNode ev = raw.awaitJson(n -> "serverShutdown".equals(n.path("e").asText()));
            assertThat(ev.path("E").isIntegralNumber()).isTrue();
            assertThat(ev.size()).isEqualTo(2);
            JsonNode wrapped = combined.awaitJson(n -> "!serverShutdown".equals(n.path("stream").asText()));
            assertThat(wrapped.path("data").path("e").asText()).isEqualTo("serverShutdown");
            raw.awaitClosed();
            combined.awaitClosed();
            assertThat(raw.closeCode).isEqualTo((short) 1001);
        }
    }
}
