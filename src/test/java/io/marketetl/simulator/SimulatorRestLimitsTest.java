package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.marketetl.simulator.HttpTestClient.get;
import static io.marketetl.simulator.HttpTestClient.header;
import static io.marketetl.simulator.HttpTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/** Binance request weight (429, then 418 and a ban) and the OKX per-endpoint rate limit, with short windows. */
class SimulatorRestLimitsTest extends SimulatorTestBase {

    private static final String WEIGHT = "X-MBX-USED-WEIGHT-1M";

    /** Waits (condition with a deadline) until the fixed window has at least {@code neededMs} left. */
    private static void awaitFreshWindow(long windowMs, long neededMs) {
        await().atMost(Duration.ofMillis(windowMs + 1000)).pollInterval(Duration.ofMillis(10))
                .until(() -> windowMs - System.currentTimeMillis() % windowMs >= neededMs);
    }

    @Test
    void binanceWeightHeaderThen429ThenRecoveryThen418AndBan() throws Exception {
        start(SimulatorConfig.builder().binanceWeightLimit(50).binanceWeightWindow(Duration.ofSeconds(2))
                .binanceBanAfterRequests(3).binanceBanSeconds(2));
        String base = sim.binanceRestUrl() + "/api/v3";
        assertThat(get(sim.controlUrl() + "/stats").statusCode()).isEqualTo(200); // warm the client up

        awaitFreshWindow(2000, 1600);
        HttpResponse<String> r = get(base + "/ticker/price?symbol=BTCUSDT");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, WEIGHT)).isEqualTo("2");
        assertThat(header(r, "X-MBX-USED-WEIGHT-2S")).as("the real window's own header").isEqualTo("2");
        assertThat(header(get(base + "/ticker/price"), WEIGHT)).isEqualTo("6");
        assertThat(header(get(base + "/ticker/bookTicker?symbols=%5B%22BTCUSDT%22%5D"), WEIGHT)).isEqualTo("10");
        assertThat(header(get(base + "/ticker/bookTicker?symbol=ETHUSDT"), WEIGHT)).isEqualTo("12");
        assertThat(header(get(base + "/ping"), WEIGHT)).isEqualTo("13");
        HttpResponse<String> unsigned = get(base + "/account");
        assertThat(unsigned.statusCode()).as("errors carry the header too").isEqualTo(401);
        assertThat(header(unsigned, WEIGHT)).isEqualTo("33");
        // historicalTrades weighs 25: 58 > 50, so the request that crosses the limit is itself refused.
        HttpResponse<String> over = get(base + "/historicalTrades?symbol=BTCUSDT");
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(header(over, WEIGHT)).isEqualTo("58");
        long retryAfter = Long.parseLong(header(over, "Retry-After"));
        assertThat(retryAfter).isBetween(1L, 2L);
        assertThat(json(over).path("code").asInt()).isEqualTo(-1003);
        assertThat(json(over).path("msg").asText())
                .startsWith("Too much request weight used; current limit is 50 request weight per 2 SECOND.");

        // A client that honours Retry-After is served again in the next window, without a ban.
        long resumeAt = System.currentTimeMillis() + retryAfter * 1000;
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(20))
                .until(() -> System.currentTimeMillis() >= resumeAt);
        HttpResponse<String> again = get(base + "/ticker/price?symbol=BTCUSDT");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(header(again, WEIGHT)).isEqualTo("2");

        // A client that keeps going after a 429: two more 429s, the third request is a 418 and bans the IP.
        awaitFreshWindow(2000, 600);
        for (int i = 0; i < 2; i++) {
            assertThat(get(base + "/account").statusCode()).isEqualTo(401); // 20, 40
        }
        assertThat(get(base + "/account").statusCode()).isEqualTo(429);      // 60
        assertThat(get(base + "/ticker/price").statusCode()).isEqualTo(429);
        HttpResponse<String> over2 = get(base + "/ticker/price");
        assertThat(over2.statusCode()).isEqualTo(429);
        HttpResponse<String> banned = get(base + "/ticker/price");
        long bannedAt = System.currentTimeMillis();
        assertThat(banned.statusCode()).isEqualTo(418);
        assertThat(header(banned, "Retry-After")).isEqualTo("2");
        assertThat(header(banned, WEIGHT)).isNotNull();
        JsonNode body = json(banned);
        assertThat(body.path("code").asInt()).isEqualTo(-1003);
        Matcher m = Pattern.compile("^Way too much request weight used; IP banned until (\\d+)\\. .+")
                .matcher(body.path("msg").asText());
        assertThat(m.matches()).as(body.toString()).isTrue();
        long bannedUntil = Long.parseLong(m.group(1));
        assertThat(bannedUntil).isBetween(bannedAt + 1000, bannedAt + 2100);

        HttpResponse<String> stillBanned = get(base + "/ping");
        assertThat(stillBanned.statusCode()).as("every request during the ban").isEqualTo(418);
        assertThat(Long.parseLong(header(stillBanned, "Retry-After"))).isBetween(1L, 2L);
        assertThat(sim.stats().rest418Sent()).isEqualTo(2);
        assertThat(sim.stats().rest429Sent()).isEqualTo(4);
        // the request log keeps each answer's Retry-After as sent (none on a 200)
        assertThat(sim.stats().requests(3)).extracting(SimulatorStats.RestRequest::status,
                SimulatorStats.RestRequest::retryAfter).containsExactly(tuple(429, header(over2, "Retry-After")),
                tuple(418, "2"), tuple(418, header(stillBanned, "Retry-After")));
        assertThat(sim.stats().requests().get(0).retryAfter()).isNull();

        // The ban (2 s) outlasts the 2 s window it started in, so the client starts afresh.
        await().atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(20))
                .until(() -> System.currentTimeMillis() > bannedUntil);
        HttpResponse<String> free = get(base + "/ticker/price?symbol=BTCUSDT");
        assertThat(free.statusCode()).isEqualTo(200);
        assertThat(header(free, WEIGHT)).isEqualTo("2");
        assertThat(sim.stats().restErrorsByCode()).containsEntry("binance:-1003", 6L);
    }

    @Test
    void binanceLimitsChangeAtRuntimeAndCanBeForgotten() throws Exception {
        start(SimulatorConfig.builder());
        assertThat(sim.faults().binanceWeightLimit()).isEqualTo(6000);
        assertThat(sim.faults().binanceWeightWindow()).isEqualTo(Duration.ofMinutes(1));
        String url = sim.binanceRestUrl() + "/api/v3/ticker/price";
        sim.faults().setBinanceWeightLimit(6).setBinanceBanAfterRequests(1).setBinanceBanSeconds(30);
        awaitFreshWindow(60_000, 5_000);
        assertThat(get(url).statusCode()).isEqualTo(200);      // 4
        HttpResponse<String> over = get(url);                  // 8
        assertThat(over.statusCode()).isEqualTo(429);
        assertThat(Long.parseLong(header(over, "Retry-After"))).isBetween(5L, 60L);
        HttpResponse<String> banned = get(url);
        assertThat(banned.statusCode()).as("1 = any request before Retry-After is up").isEqualTo(418);
        assertThat(header(banned, "Retry-After")).isEqualTo("30");

        sim.faults().resetRestLimits();
        assertThat(header(get(url), WEIGHT)).isEqualTo("4");
        sim.faults().clear();
        assertThat(sim.faults().binanceWeightLimit()).isEqualTo(6000);
    }

    @Test
    void okxTwentyRequestsPerTwoSecondsPerEndpointThen429With50011() throws Exception {
        start(SimulatorConfig.builder());
        String ticker = sim.okxRestUrl() + "/api/v5/market/ticker?instId=BTC-USDT";
        for (int i = 0; i < 20; i++) {
            assertThat(get(ticker).statusCode()).as("request %d", i + 1).isEqualTo(200);
        }
        HttpResponse<String> limited = get(ticker);
        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.body()).isEqualTo("{\"code\":\"50011\",\"msg\":\"Too Many Requests\",\"data\":[]}");
        assertThat(header(limited, "Retry-After")).as("OKX sends no Retry-After").isNull();
        assertThat(get(sim.okxRestUrl() + "/api/v5/market/tickers?instType=SPOT").statusCode())
                .as("the limit is per endpoint").isEqualTo(200);
        assertThat(get(sim.binanceRestUrl() + "/api/v3/ticker/price").statusCode()).isEqualTo(200);
        // Refused requests do not count: the rolling window frees up two seconds after the first requests.
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> get(ticker).statusCode() == 200);
        assertThat(sim.stats().rest429Sent()).isGreaterThanOrEqualTo(1);
        assertThat(sim.stats().restErrorsSent("okx", "50011")).isEqualTo(sim.stats().rest429Sent());
    }

    @Test
    void okxBodyLevelErrorModesAnswer200WithTheCode() throws Exception {
        start(SimulatorConfig.builder());
        String ticker = sim.okxRestUrl() + "/api/v5/market/ticker?instId=BTC-USDT";
        sim.faults().setOkxBodyError("50011");
        HttpResponse<String> r = get(ticker);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("{\"code\":\"50011\",\"msg\":\"Rate limit reached. Please refer to API "
                + "documentation and throttle requests accordingly.\",\"data\":[]}");

        sim.faults().setOkxBodyError("50001");
        r = get(ticker);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).path("code").asText()).isEqualTo("50001");
        assertThat(json(r).path("msg").asText()).startsWith("Service temporarily unavailable");
        assertThat(json(r).path("data").size()).isZero();
        assertThat(get(sim.binanceRestUrl() + "/api/v3/ticker/price?symbol=BTCUSDT").statusCode())
                .as("Binance is not affected").isEqualTo(200);

        sim.faults().setOkxBodyError(null);
        assertThat(json(get(ticker)).path("code").asText()).isEqualTo("0");
        assertThat(sim.stats().restErrorsByCode()).containsEntry("okx:50011", 1L).containsEntry("okx:50001", 1L);
    }
}
