package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static io.marketetl.simulator.HttpTestClient.get;
import static io.marketetl.simulator.HttpTestClient.header;
import static io.marketetl.simulator.HttpTestClient.json;
import static io.marketetl.simulator.HttpTestClient.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The generic "any HTTP API" endpoints and the request log tests of the application assert on. */
class SimulatorGenericRestTest {

    private static ExchangeSimulator sim;

    @BeforeAll
    static void start() {
        sim = ExchangeSimulator.start(SimulatorConfig.builder().requestLogCapacity(5).build());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void clearLog() throws Exception {
        assertThat(send("POST", sim.controlUrl() + "/requests/clear", "").statusCode()).isEqualTo(200);
    }

    /** A header value from a JSON object of headers, the name compared without case; null when absent. */
    private static String headerValue(JsonNode headers, String name) {
        for (var it = headers.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue().asText();
            }
        }
        return null;
    }

    @Test
    void pricesTextAndEcho() throws Exception {
        long before = System.currentTimeMillis();
        JsonNode prices = json(get(sim.okxRestUrl() + "/generic/prices"));
        assertThat(prices.path("items")).extracting(n -> n.path("instrument").asText())
                .containsExactly("btc_usdt", "eth_usdt", "sol_usdt");
        JsonNode btc = prices.path("items").get(0);
        assertThat(btc.path("price").isTextual()).isTrue();
        assertThat(Double.parseDouble(btc.path("price").asText())).isBetween(90_000.0, 130_000.0);
        assertThat(btc.path("ts").asLong()).isBetween(before, System.currentTimeMillis());

        HttpResponse<String> text = get(sim.okxRestUrl() + "/generic/text");
        assertThat(text.statusCode()).isEqualTo(200);
        assertThat(header(text, "Content-Type")).startsWith("text/plain");
        assertThat(text.body().lines().toList()).hasSize(3).allMatch(l -> l.matches("[A-Z]+-USDT \\d+(\\.\\d+)? \\d+"));

        HttpResponse<String> echo = send("PUT", sim.okxRestUrl() + "/generic/echo?a=1&b=x&b=y&api_key=hidden", "{\"q\":1}",
                "X-Trace", "t-1", "Authorization", "Bearer very-secret", "X-API-KEY", "also-secret",
                "Content-Type", "application/json");
        assertThat(echo.statusCode()).isEqualTo(200);
        JsonNode e = json(echo);
        assertThat(e.path("method").asText()).isEqualTo("PUT");
        assertThat(e.path("path").asText()).isEqualTo("/generic/echo");
        assertThat(e.path("queryParams").path("a").asText()).isEqualTo("1");
        assertThat(e.path("queryParams").path("b")).extracting(JsonNode::asText).containsExactly("x", "y");
        assertThat(e.path("queryParams").path("api_key").asText()).isEqualTo("***");
        // Names as received (java.net.http sends them in lower case).
        assertThat(e.path("headerNames")).extracting(n -> n.asText().toLowerCase())
                .contains("x-trace", "authorization", "x-api-key", "content-type");
        assertThat(headerValue(e.path("headers"), "X-Trace")).isEqualTo("t-1");
        assertThat(headerValue(e.path("headers"), "Authorization")).isNull();
        assertThat(headerValue(e.path("headers"), "X-API-KEY")).isNull();
        assertThat(e.path("body").asText()).isEqualTo("{\"q\":1}");
        assertThat(echo.body()).doesNotContain("very-secret", "also-secret", "hidden");
        assertThat(send("POST", sim.okxRestUrl() + "/generic/echo", "x").statusCode()).isEqualTo(200);
        assertThat(send("POST", sim.okxRestUrl() + "/generic/prices", "x").statusCode()).isEqualTo(405);
    }

    @Test
    void requestLogIsBoundedNewestLastAndHidesSecrets() throws Exception {
        long t0 = System.currentTimeMillis();
        get(sim.binanceRestUrl() + "/api/v3/ticker/price?symbol=BTCUSDT", "X-MBX-APIKEY", "my-key", "X-Trace", "t-2");
        get(sim.okxRestUrl() + "/private/apikey-query?api_key=leak&x=1");
        get(sim.okxRestUrl() + "/nowhere");
        await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().requests().stream().allMatch(r -> r.status() != 0));

        HttpResponse<String> r = get(sim.controlUrl() + "/requests?limit=2");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode log = json(r);
        assertThat(log.path("recorded").asLong()).isEqualTo(3);
        assertThat(log.path("kept").asInt()).isEqualTo(3);
        assertThat(log.path("capacity").asInt()).isEqualTo(5);
        assertThat(log.path("requests")).extracting(n -> n.path("path").asText())
                .containsExactly("/private/apikey-query", "/nowhere");
        JsonNode q = log.path("requests").get(0);
        assertThat(q.path("query").asText()).isEqualTo("api_key=***&x=1");
        assertThat(q.path("status").asInt()).isEqualTo(401);
        assertThat(log.path("requests").get(1).path("status").asInt()).isEqualTo(404);

        JsonNode first = json(get(sim.controlUrl() + "/requests?pathPrefix=/api/v3")).path("requests").get(0);
        assertThat(first.path("method").asText()).isEqualTo("GET");
        assertThat(first.path("query").asText()).isEqualTo("symbol=BTCUSDT");
        assertThat(first.path("timeMs").asLong()).isBetween(t0, System.currentTimeMillis());
        assertThat(first.path("answeredAtMs").asLong()).isGreaterThanOrEqualTo(first.path("timeMs").asLong());
        assertThat(first.path("remoteAddress").asText()).isEqualTo("127.0.0.1");
        assertThat(first.path("remotePort").asInt()).isPositive();
        assertThat(first.path("status").asInt()).isEqualTo(200);
        assertThat(first.path("headerNames")).extracting(n -> n.asText().toLowerCase())
                .contains("x-mbx-apikey", "x-trace", "user-agent");
        assertThat(headerValue(first.path("headers"), "X-Trace")).isEqualTo("t-2");
        assertThat(headerValue(first.path("headers"), "X-MBX-APIKEY")).isNull();
        assertThat(first.toString()).doesNotContain("my-key");
        assertThat(json(get(sim.controlUrl() + "/requests")).toString()).doesNotContain("leak");

        for (int i = 0; i < 4; i++) {
            get(sim.okxRestUrl() + "/generic/prices?i=" + i);
        }
        JsonNode all = json(get(sim.controlUrl() + "/requests"));
        assertThat(all.path("recorded").asLong()).isEqualTo(7);
        assertThat(all.path("requests")).extracting(n -> n.path("query").asText())
                .as("bounded: the oldest were dropped").containsExactly("", "i=0", "i=1", "i=2", "i=3");
        assertThat(sim.stats().requests(2)).extracting(SimulatorStats.RestRequest::query).containsExactly("i=2", "i=3");

        assertThat(send("POST", sim.controlUrl() + "/requests/clear", "").statusCode()).isEqualTo(200);
        assertThat(json(get(sim.controlUrl() + "/requests")).path("requests").size()).isZero();
        assertThat(get(sim.controlUrl() + "/requests?limit=-1").statusCode()).isEqualTo(400);
    }
}
