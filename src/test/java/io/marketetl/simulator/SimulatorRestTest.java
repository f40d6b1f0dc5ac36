package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorRestTest {

    private static ExchangeSimulator sim;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        sim = ExchangeSimulator.start(SimulatorConfig.builder().restRetryAfterSeconds(3).build());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return WsTestClient.JSON.readTree(r.body());
    }

    @Test
    void okxTickerAndUnknownInstrument() throws Exception {
        HttpResponse<String> r = get(sim.okxRestUrl() + "/api/v5/market/ticker?instId=BTC-USDT");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode body = json(r);
        assertThat(body.path("code").asText()).isEqualTo("0");
        assertThat(body.path("msg").asText()).isEmpty();
        JsonNode t = body.path("data").get(0);
        assertThat(t.path("instId").asText()).isEqualTo("BTC-USDT");
        for (String f : new String[] {"last", "lastSz", "askPx", "askSz", "bidPx", "bidSz", "open24h", "high24h", "low24h",
                "volCcy24h", "vol24h", "sodUtc0", "sodUtc8", "ts"}) {
            assertThat(t.path(f).isTextual()).as(f).isTrue();
        }
        assertThat(Double.parseDouble(t.path("last").asText())).isBetween(90_000.0, 130_000.0);

        JsonNode unknown = json(get(sim.okxRestUrl() + "/api/v5/market/ticker?instId=DOGE-USDT"));
        assertThat(unknown.toString()).isEqualTo("{\"code\":\"51001\",\"msg\":\"Instrument ID does not exist\",\"data\":[]}");

        JsonNode all = json(get(sim.okxRestUrl() + "/api/v5/market/tickers?instType=SPOT"));
        assertThat(all.path("data").size()).isEqualTo(3);
    }

    @Test
    void binancePriceSingleArrayAndUnknownSymbol() throws Exception {
        JsonNode one = json(get(sim.binanceRestUrl() + "/api/v3/ticker/price?symbol=ETHUSDT"));
        assertThat(one.size()).isEqualTo(2);
        assertThat(one.path("symbol").asText()).isEqualTo("ETHUSDT");
        assertThat(one.path("price").asText()).matches("\\d+\\.\\d{8}");
        assertThat(Double.parseDouble(one.path("price").asText())).isBetween(3000.0, 4600.0);

        JsonNode all = json(get(sim.binanceRestUrl() + "/api/v3/ticker/price"));
        assertThat(all.isArray()).isTrue();
        assertThat(all).extracting(n -> n.path("symbol").asText()).containsExactly("BTCUSDT", "ETHUSDT", "SOLUSDT");

        JsonNode some = json(get(sim.binanceRestUrl() + "/api/v3/ticker/price?symbols=%5B%22BTCUSDT%22,%22SOLUSDT%22%5D"));
        assertThat(some).extracting(n -> n.path("symbol").asText()).containsExactly("BTCUSDT", "SOLUSDT");

        HttpResponse<String> bad = get(sim.binanceRestUrl() + "/api/v3/ticker/price?symbol=DOGEUSDT");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).isEqualTo("{\"code\":-1121,\"msg\":\"Invalid symbol.\"}");

        JsonNode book = json(get(sim.binanceRestUrl() + "/api/v3/ticker/bookTicker?symbol=BTCUSDT"));
        assertThat(Double.parseDouble(book.path("askPrice").asText()))
                .isGreaterThan(Double.parseDouble(book.path("bidPrice").asText()));
    }

    @Test
    void rest429ModeAnswersWithRetryAfterOnBothExchanges() throws Exception {
        sim.faults().setRest429(true);
        try {
            HttpResponse<String> b = get(sim.binanceRestUrl() + "/api/v3/ticker/price?symbol=BTCUSDT");
            assertThat(b.statusCode()).isEqualTo(429);
            assertThat(b.headers().firstValue("Retry-After")).hasValue("3");
            assertThat(json(b).path("code").asInt()).isEqualTo(-1003);
            assertThat(json(b).path("msg").asText()).startsWith("Too much request weight used;");

            HttpResponse<String> o = get(sim.okxRestUrl() + "/api/v5/market/ticker?instId=BTC-USDT");
            assertThat(o.statusCode()).isEqualTo(429);
            assertThat(o.headers().firstValue("Retry-After")).hasValue("3");
            assertThat(o.body()).isEqualTo("{\"code\":\"50011\",\"msg\":\"Too Many Requests\",\"data\":[]}");
            assertThat(sim.stats().rest429Sent()).isGreaterThanOrEqualTo(2);
        } finally {
            sim.faults().setRest429(false);
        }
        assertThat(get(sim.binanceRestUrl() + "/api/v3/ticker/price?symbol=BTCUSDT").statusCode()).isEqualTo(200);
    }
}
