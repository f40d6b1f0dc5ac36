package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SimulatorOkxTest extends SimulatorTestBase {

    private static SimulatorConfig.Builder quiet() {
        return SimulatorConfig.builder().ratePerConnection(200);
    }

    @Test
    void acksOneArgAtATimeWithConnIdAndReportsUnknownInstrumentsAndBadJson() {
        start(quiet());
        assertThat(sim.okxWsUrl()).isEqualTo("ws://127.0.0.1:" + sim.port() + "/ws/v5/public");
        try (WsTestClient c = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            c.send("{\"id\":\"1512\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},"
                    + "{\"channel\":\"tickers\",\"instId\":\"ETH-USDT\"},{\"channel\":\"trades\",\"instId\":\"DOGE-USDT\"}]}");
            List<JsonNode> acks = c.awaitJson(n -> "subscribe".equals(n.path("event").asText()), 2);
            assertThat(acks).hasSize(2);
            assertThat(acks.get(0).path("id").asText()).isEqualTo("1512");
            assertThat(acks.get(0).path("arg").path("channel").asText()).isEqualTo("trades");
            assertThat(acks.get(0).path("arg").path("instId").asText()).isEqualTo("BTC-USDT");
            assertThat(acks.get(1).path("arg").path("channel").asText()).isEqualTo("tickers");
            String connId = acks.get(0).path("connId").asText();
            assertThat(connId).matches("[0-9a-f]{8}");

            JsonNode err = c.awaitJson(n -> "error".equals(n.path("event").asText()));
            assertThat(err.path("code").isTextual()).isTrue();
            assertThat(err.path("code").asText()).isEqualTo("60018");
            assertThat(err.path("msg").asText()).startsWith("Wrong URL or channel:").contains("DOGE-USDT");
            assertThat(err.path("id").asText()).isEqualTo("1512");
            assertThat(err.path("connId").asText()).isEqualTo(connId);

            // Without an id, none is echoed.
            c.send("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"bbo-tbt\",\"instId\":\"SOL-USDT\"}]}");
            JsonNode ack = c.awaitJson(n -> "subscribe".equals(n.path("event").asText())
                    && "bbo-tbt".equals(n.path("arg").path("channel").asText()));
            assertThat(ack.has("id")).isFalse();

            // Unknown channel, bad JSON, unknown op.
            c.send("{\"id\":\"7\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"candle1m\",\"instId\":\"BTC-USDT\"}]}");
            c.send("{not json");
            c.send("{\"id\":\"9\",\"op\":\"dance\",\"args\":[]}");
            await().atMost(Duration.ofSeconds(5)).until(() -> sim.stats().errorsSent("okx", "60012") == 2
                    && sim.stats().errorsSent("okx", "60018") == 2);
            JsonNode badJson = c.awaitJson(n -> "60012".equals(n.path("code").asText()));
            assertThat(badJson.path("event").asText()).isEqualTo("error");
            assertThat(badJson.path("msg").asText()).startsWith("Invalid request");

            c.send("{\"id\":\"10\",\"op\":\"unsubscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"}]}");
            JsonNode unsub = c.awaitJson(n -> "unsubscribe".equals(n.path("event").asText()));
            assertThat(unsub.path("id").asText()).isEqualTo("10");
            assertThat(unsub.path("arg").path("instId").asText()).isEqualTo("BTC-USDT");
            assertThat(sim.stats().subscribeAcksSent()).isEqualTo(4);
        }
    }

    @Test
    void answersTextPingWithTextPong() {
        start(quiet());
        try (WsTestClient c = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            c.send("ping");
            await().atMost(Duration.ofSeconds(5)).until(() -> c.texts().contains("pong"));
            assertThat(c.texts()).containsExactly("pong");
        }
    }

    @Test
    void closesWith4004AfterIdleTimeoutUnlessTheClientPings() {
        start(quiet().okxIdleTimeout(Duration.ofMillis(800)));
        try (WsTestClient silent = WsTestClient.connect(vertx, sim.okxWsUrl());
             WsTestClient pinger = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            long pingerTimer = vertx.setPeriodic(250, id -> pinger.send("ping"));
            try {
                silent.awaitClosed();
                assertThat(silent.closeCode).isEqualTo((short) 4004);
                assertThat(silent.closeReason).isEqualTo("No data received in 30s");
                // The pinging client outlives several idle timeouts.
                await().during(Duration.ofMillis(1800)).atMost(Duration.ofSeconds(3)).until(() -> !pinger.closed);
            } finally {
                vertx.cancelTimer(pingerTimer);
            }
            assertThat(sim.stats().closesSent(4004)).isEqualTo(1);
        }
    }

    @Test
    void optionallyPushedDataKeepsTheConnectionAliveAsOkxDocuments() {
        start(quiet().okxIdleTimeout(Duration.ofMillis(600)).okxIdleCountsPushedData(true));
        try (WsTestClient fed = WsTestClient.connect(vertx, sim.okxWsUrl());
             WsTestClient idle = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            fed.send("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"}]}");
            idle.awaitClosed();
            assertThat(idle.closeCode).isEqualTo((short) 4004);
            await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(3)).until(() -> !fed.closed);
            // Stalled data: now silence is silence.
            sim.faults().setStall(true);
            fed.awaitClosed();
            assertThat(fed.closeCode).isEqualTo((short) 4004);
        }
    }

    @Test
    void tradesFramesCarryAggregatedTradesWithContinuousIds() {
        start(quiet().ratePerConnection(500));
        try (WsTestClient c = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            c.send("{\"id\":\"1\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"}]}");
            List<JsonNode> frames = c.awaitJson(n -> n.has("data"), 60);
            long now = System.currentTimeMillis();
            long prev = -1;
            int items = 0;
            for (JsonNode f : frames) {
                assertThat(f.path("arg").path("channel").asText()).isEqualTo("trades");
                assertThat(f.path("arg").path("instId").asText()).isEqualTo("BTC-USDT");
                assertThat(f.path("data").isArray()).isTrue();
                for (JsonNode t : f.path("data")) {
                    items++;
                    for (String field : List.of("instId", "tradeId", "px", "sz", "side", "ts", "count", "source")) {
                        assertThat(t.path(field).isTextual()).as(field + " is a string").isTrue();
                    }
                    assertThat(t.path("seqId").isIntegralNumber()).isTrue();
                    assertThat(t.path("side").asText()).isIn("buy", "sell");
                    assertThat(t.path("source").asText()).isEqualTo("0");
                    assertThat(Double.parseDouble(t.path("px").asText())).isBetween(90_000.0, 130_000.0);
                    assertThat(Double.parseDouble(t.path("sz").asText())).isPositive();
                    assertThat(Long.parseLong(t.path("ts").asText())).isBetween(now - 60_000, now + 1_000);
                    long id = Long.parseLong(t.path("tradeId").asText());
                    int count = Integer.parseInt(t.path("count").asText());
                    assertThat(count).isBetween(1, 3);
                    if (prev >= 0) {
                        assertThat(id - count).as("tradeId - count == previous tradeId").isEqualTo(prev);
                    }
                    prev = id;
                }
            }
            assertThat(items).isGreaterThanOrEqualTo(frames.size());
        }
    }

    @Test
    void tickersAndBboTbtHaveTheDocumentedShape() {
        start(quiet());
        try (WsTestClient c = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            c.send("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"tickers\",\"instId\":\"ETH-USDT\"},"
                    + "{\"channel\":\"bbo-tbt\",\"instId\":\"SOL-USDT\"}]}");
            JsonNode ticker = c.awaitJson(n -> "tickers".equals(n.path("arg").path("channel").asText()) && n.has("data"))
                    .path("data").get(0);
            for (String f : List.of("instType", "instId", "last", "lastSz", "askPx", "askSz", "bidPx", "bidSz", "open24h",
                    "high24h", "low24h", "volCcy24h", "vol24h", "sodUtc0", "sodUtc8", "ts")) {
                assertThat(ticker.path(f).isTextual()).as(f).isTrue();
            }
            assertThat(ticker.path("instId").asText()).isEqualTo("ETH-USDT");
            assertThat(Double.parseDouble(ticker.path("last").asText())).isBetween(3000.0, 4600.0);
            assertThat(Double.parseDouble(ticker.path("askPx").asText()))
                    .isGreaterThan(Double.parseDouble(ticker.path("bidPx").asText()));

            JsonNode bbo = c.awaitJson(n -> "bbo-tbt".equals(n.path("arg").path("channel").asText()) && n.has("data"))
                    .path("data").get(0);
            JsonNode ask = bbo.path("asks").get(0);
            assertThat(ask.size()).isEqualTo(4);
            assertThat(ask.get(2).asText()).isEqualTo("0");
            assertThat(Double.parseDouble(ask.get(0).asText())).isBetween(140.0, 220.0);
            assertThat(bbo.path("bids").get(0).size()).isEqualTo(4);
            assertThat(bbo.path("ts").isTextual()).isTrue();
            assertThat(bbo.path("seqId").isIntegralNumber()).isTrue();
        }
    }

    @Test
    void limitsSubscribeRequestsPerHourWith60014() {
        start(quiet().okxMaxSubscribeRequestsPerHour(3));
        try (WsTestClient c = WsTestClient.connect(vertx, sim.okxWsUrl())) {
            for (int i = 1; i <= 4; i++) {
                c.send("{\"id\":\"" + i + "\",\"op\":\"subscribe\",\"args\":[{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"}]}");
            }
            JsonNode err = c.awaitJson(n -> "error".equals(n.path("event").asText()));
            assertThat(err.path("code").asText()).isEqualTo("60014");
            assertThat(err.path("id").asText()).isEqualTo("4");
            assertThat(c.json().stream().filter(n -> "subscribe".equals(n.path("event").asText())).count()).isEqualTo(3);
        }
    }

    @Test
    void noticeThenCloseAfterTheLeadTime() {
        start(quiet().okxNoticeLead(Duration.ofMillis(400)));
        try (WsTestClient c = WsTestClient.connect(vertx, sim.okxWsUrl());
             WsTestClient business = WsTestClient.connect(vertx, sim.okxWsUrl().replace("/public", "/business"))) {
            c.send("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"}]}");
            c.awaitJson(n -> n.has("data"));
            sim.faults().sendOkxNotice();
            for (WsTestClient client : List.of(c, business)) {
                JsonNode notice = client.awaitJson(n -> "notice".equals(n.path("event").asText()));
                assertThat(notice.path("code").asText()).isEqualTo("64008");
                assertThat(notice.path("msg").asText()).isEqualTo(
                        "The connection will soon be closed for a service upgrade. Please reconnect.");
                assertThat(notice.path("connId").asText()).matches("[0-9a-f]{8}");
            }
            assertThat(c.closed).isFalse();
            c.awaitClosed();
            business.awaitClosed();
            // Data kept flowing during the lead time, and the notice came before the close.
            List<String> texts = c.texts();
            int noticeAt = new ArrayList<>(texts).indexOf(texts.stream().filter(t -> t.contains("64008")).findFirst().orElseThrow());
            assertThat(texts.subList(noticeAt + 1, texts.size())).anyMatch(t -> t.contains("\"data\""));
            assertThat(c.closeCode).isEqualTo((short) 1001);
        }
    }
}
