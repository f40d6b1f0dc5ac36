package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.marketetl.simulator.HttpTestClient.HTTP;
import static io.marketetl.simulator.HttpTestClient.get;
import static io.marketetl.simulator.HttpTestClient.header;
import static io.marketetl.simulator.HttpTestClient.json;
import static io.marketetl.simulator.HttpTestClient.request;
import static io.marketetl.simulator.HttpTestClient.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Slow, failing and never-answered REST requests, switched through the Java API and POST /sim/faults. */
class SimulatorRestFaultsTest extends SimulatorTestBase {

    @Test
    void delayedAnswersUseTimersNotTheEventLoop() throws Exception {
        start(SimulatorConfig.builder());
        String url = sim.binanceRestUrl() + "/api/v3/ticker/price?symbol=BTCUSDT";
        assertThat(get(url).statusCode()).isEqualTo(200); // connection and JIT warm-up
        sim.faults().setRestDelay(Duration.ofMillis(400));
        long t0 = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(HTTP.sendAsync(request("GET", url, null).build(), HttpResponse.BodyHandlers.ofString()));
        }
        for (CompletableFuture<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get(10, TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(header(r, "X-MBX-USED-WEIGHT-1M")).isNotNull();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).as("each answer waits 400 ms, all in parallel").isBetween(400L, 6 * 400L - 1);
        assertThat(get(sim.controlUrl() + "/stats").statusCode()).as("the control API is not delayed").isEqualTo(200);

        sim.faults().setRestDelay(null);
        long t1 = System.nanoTime();
        assertThat(get(url).statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(400);
    }

    @Test
    void failuresCycle500_502_503WithBodiesOrUseOneStatus() throws Exception {
        start(SimulatorConfig.builder());
        sim.faults().setRestFailRatio(1);
        String binance = sim.binanceRestUrl() + "/api/v3/ticker/price?symbol=BTCUSDT";
        HttpResponse<String> a = get(binance);
        HttpResponse<String> b = get(binance);
        HttpResponse<String> c = get(binance);
        assertThat(List.of(a.statusCode(), b.statusCode(), c.statusCode())).containsExactly(500, 502, 503);
        assertThat(json(a).path("code").asInt()).isEqualTo(-1001);
        assertThat(header(a, "X-MBX-USED-WEIGHT-1M")).as("the weight was counted").isEqualTo("2");
        assertThat(b.body()).contains("502 Bad Gateway");
        assertThat(header(b, "Content-Type")).startsWith("text/html");
        assertThat(json(c).path("code").asInt()).isEqualTo(-1008);

        sim.faults().setRestFailStatus(503);
        HttpResponse<String> okx = get(sim.okxRestUrl() + "/api/v5/market/ticker?instId=BTC-USDT");
        assertThat(okx.statusCode()).isEqualTo(503);
        assertThat(json(okx).path("code").asText()).isEqualTo("50001");
        HttpResponse<String> generic = get(sim.okxRestUrl() + "/generic/prices");
        assertThat(generic.statusCode()).isEqualTo(503);
        assertThat(json(generic).path("error").asText()).isEqualTo("Service Unavailable");

        sim.faults().setRestFailStatus(0).setRestFailRatio(0.5);
        int failed = 0;
        for (int i = 0; i < 40; i++) {
            if (get(sim.okxRestUrl() + "/generic/prices").statusCode() >= 500) {
                failed++;
            }
        }
        assertThat(failed).isBetween(8, 32);
        assertThat(sim.stats().restFailuresInjected()).isEqualTo(5 + failed);
        sim.faults().setRestFailRatio(0);
        assertThat(get(binance).statusCode()).isEqualTo(200);
    }

    @Test
    void neverAnsweredRequestsTimeOutAtTheClient() throws Exception {
        start(SimulatorConfig.builder());
        sim.faults().setRestTimeoutRatio(1);
        String url = sim.okxRestUrl() + "/api/v5/market/ticker?instId=BTC-USDT";
        assertThatThrownBy(() -> HTTP.send(request("GET", url, null).timeout(Duration.ofMillis(300)).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(HttpTimeoutException.class);
        assertThat(sim.stats().restTimeoutsInjected()).isEqualTo(1);
        SimulatorStats.RestRequest logged = sim.stats().requests(1).get(0);
        assertThat(logged.path()).isEqualTo("/api/v5/market/ticker");
        assertThat(logged.status()).as("never answered").isZero();
        assertThat(logged.answeredAtMs()).isZero();

        sim.faults().setRestTimeoutRatio(0);
        assertThat(get(url).statusCode()).isEqualTo(200);
    }

    @Test
    void everyRestSettingThroughTheControlApiAndTheNewStats() throws Exception {
        start(SimulatorConfig.builder());
        HttpResponse<String> ok = send("POST", sim.controlUrl() + "/faults", "{\"binanceWeightLimit\":50,"
                + "\"binanceWeightWindowSeconds\":2,\"binanceBanAfterRequests\":1,\"binanceBanSeconds\":2,\"okxRestLimit\":5,"
                + "\"okxRestWindowSeconds\":0.5,\"okxBodyError\":\"50011\",\"restDelayMs\":10,\"restFailRatio\":0.25,"
                + "\"restFailStatus\":502,\"restTimeoutRatio\":0.1,\"resetRestLimits\":true}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        SimulatorFaults f = sim.faults();
        assertThat(f.binanceWeightLimit()).isEqualTo(50);
        assertThat(f.binanceWeightWindow()).isEqualTo(Duration.ofSeconds(2));
        assertThat(f.binanceBanAfterRequests()).isEqualTo(1);
        assertThat(f.binanceBanSeconds()).isEqualTo(2);
        assertThat(f.okxRestLimit()).isEqualTo(5);
        assertThat(f.okxRestWindow()).isEqualTo(Duration.ofMillis(500));
        assertThat(f.okxBodyError()).isEqualTo("50011");
        assertThat(f.restDelay()).isEqualTo(Duration.ofMillis(10));
        assertThat(f.restFailRatio()).isEqualTo(0.25);
        assertThat(f.restFailStatus()).isEqualTo(502);
        assertThat(f.restTimeoutRatio()).isEqualTo(0.1);
        JsonNode echoed = json(ok);
        assertThat(echoed.path("okxBodyError").asText()).isEqualTo("50011");
        assertThat(echoed.path("binanceWeightWindowSeconds").asDouble()).isEqualTo(2.0);

        for (String bad : new String[] {"{\"binanceWeightWindowSeconds\":1.5}", "{\"okxBodyError\":\"abc\"}",
                "{\"restFailStatus\":404}", "{\"restTimeoutRatio\":2}", "{\"binanceWeightLimit\":0}"}) {
            assertThat(send("POST", sim.controlUrl() + "/faults", bad).statusCode()).as(bad).isEqualTo(400);
        }
        assertThat(send("POST", sim.controlUrl() + "/faults", "{\"clear\":true,\"okxBodyError\":null}").statusCode())
                .isEqualTo(200);
        assertThat(f.okxBodyError()).isNull();
        assertThat(f.binanceWeightLimit()).isEqualTo(6000);
        assertThat(f.restDelay()).isZero();

        get(sim.binanceRestUrl() + "/api/v3/ticker/price");
        get(sim.okxRestUrl() + "/private/bearer");
        get(sim.okxRestUrl() + "/private/bearer", "Authorization", "Bearer sim-bearer-token");
        f.setRest429(true);
        get(sim.okxRestUrl() + "/generic/prices");
        await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().restAnswers(429) == 1);
        JsonNode stats = json(get(sim.controlUrl() + "/stats"));
        assertThat(stats.path("restRequests").asLong()).isEqualTo(4);
        assertThat(stats.path("rest429Sent").asLong()).isEqualTo(1);
        assertThat(stats.path("rest418Sent").asLong()).isZero();
        assertThat(stats.path("restRequestsByEndpoint").path("/private/bearer").asLong()).isEqualTo(2);
        assertThat(stats.path("restAnswersByStatus").path("401").asLong()).isEqualTo(1);
        assertThat(stats.path("restAnswersByStatus").path("200").asLong()).isEqualTo(2);
        assertThat(stats.path("authSuccessesByEndpoint").path("/private/bearer").asLong()).isEqualTo(1);
        assertThat(stats.path("authFailuresByEndpoint").path("/private/bearer").asLong()).isEqualTo(1);
        assertThat(stats.path("authFailures").asLong()).isEqualTo(1);
        assertThat(stats.path("restFailuresInjected").asLong()).isZero();
        assertThat(stats.path("restTimeoutsInjected").asLong()).isZero();
        assertThat(stats.path("restErrorsByCode").isObject()).isTrue();

        assertThat(send("POST", sim.controlUrl() + "/reset", "").statusCode()).isEqualTo(200);
        assertThat(sim.stats().restRequests()).isZero();
        assertThat(sim.stats().requests()).isEmpty();
    }
}
