package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;

import static io.marketetl.simulator.HttpTestClient.get;
import static io.marketetl.simulator.HttpTestClient.header;
import static io.marketetl.simulator.HttpTestClient.json;
import static io.marketetl.simulator.HttpTestClient.send;
import static org.assertj.core.api.Assertions.assertThat;

/** The private endpoints accept the configured credentials and refuse others, as each exchange or scheme does. */
class SimulatorRestAuthTest {

    private static final String BINANCE_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    private static final String BINANCE_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    private static final String OKX_KEY = "985d5b66-57ce-40fb-b714-afc0b9787083";
    private static final String OKX_SECRET = "22582BD0CFF14C41EDBF1AB98506286D";
    private static final String OKX_PASSPHRASE = "Test-passphrase-1";
    private static final DateTimeFormatter OKX_TS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static ExchangeSimulator sim;

    @BeforeAll
    static void start() {
        sim = ExchangeSimulator.start(SimulatorConfig.builder().apiKey("X-Custom-Key", "k-123").bearerToken("tok-456")
                .basicAuth("alice", "s3cret:x").binanceKeys(BINANCE_KEY, BINANCE_SECRET)
                .okxKeys(OKX_KEY, OKX_SECRET, OKX_PASSPHRASE).build());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private static String base() {
        return sim.okxRestUrl();
    }

    private static String hmacSha256(String secret, String payload, boolean base64) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] h = mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        return base64 ? Base64.getEncoder().encodeToString(h) : HexFormat.of().formatHex(h);
    }

    private static void assertRefused(HttpResponse<String> r, String auth) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(json(r).path("ok").asBoolean(true)).isFalse();
        assertThat(json(r).path("auth").asText()).isEqualTo(auth);
        assertThat(json(r).path("error").asText()).isNotEmpty();
    }

    private static void assertAccepted(HttpResponse<String> r, String auth) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode b = json(r);
        assertThat(b.path("ok").asBoolean()).isTrue();
        assertThat(b.path("auth").asText()).isEqualTo(auth);
        assertThat(b.path("items")).extracting(n -> n.path("symbol").asText())
                .containsExactly("BTC-USDT", "ETH-USDT", "SOL-USDT");
        assertThat(b.path("items").get(0).path("price").asText()).matches("\\d+(\\.\\d+)?");
    }

    @Test
    void apiKeyInHeaderOrQueryBearerAndBasic() throws Exception {
        String u = base() + "/private/";
        assertAccepted(get(u + "apikey-header", "X-Custom-Key", "k-123"), "ApiKeyHeader");
        assertRefused(get(u + "apikey-header", "X-Custom-Key", "k-124"), "ApiKeyHeader");
        assertRefused(get(u + "apikey-header", "X-API-KEY", "k-123"), "ApiKeyHeader");

        assertAccepted(get(u + "apikey-query?api_key=k-123"), "ApiKeyQuery");
        assertRefused(get(u + "apikey-query?api_key=nope"), "ApiKeyQuery");
        assertRefused(get(u + "apikey-query", "X-Custom-Key", "k-123"), "ApiKeyQuery");

        assertAccepted(get(u + "bearer", "Authorization", "Bearer tok-456"), "Bearer");
        HttpResponse<String> badToken = get(u + "bearer", "Authorization", "Bearer tok-457");
        assertRefused(badToken, "Bearer");
        assertThat(header(badToken, "WWW-Authenticate")).startsWith("Bearer ").contains("invalid_token");
        HttpResponse<String> noToken = get(u + "bearer");
        assertRefused(noToken, "Bearer");
        assertThat(header(noToken, "WWW-Authenticate")).startsWith("Bearer realm=");
        assertRefused(get(u + "bearer", "Authorization", "Basic tok-456"), "Bearer");

        String good = Base64.getEncoder().encodeToString("alice:s3cret:x".getBytes(StandardCharsets.UTF_8));
        String bad = Base64.getEncoder().encodeToString("alice:s3cret".getBytes(StandardCharsets.UTF_8));
        assertAccepted(get(u + "basic", "Authorization", "Basic " + good), "Basic");
        HttpResponse<String> badBasic = get(u + "basic", "Authorization", "Basic " + bad);
        assertRefused(badBasic, "Basic");
        assertThat(header(badBasic, "WWW-Authenticate")).startsWith("Basic realm=");
        assertRefused(get(u + "basic", "Authorization", "Basic %%%"), "Basic");

        assertThat(sim.stats().authSuccessesByEndpoint()).containsEntry("/private/basic", 1L)
                .containsEntry("/private/bearer", 1L).containsEntry("/private/apikey-query", 1L);
        assertThat(sim.stats().authFailures("/private/bearer")).isEqualTo(3);
        assertThat(sim.stats().authFailures("/private/basic")).isEqualTo(2);
    }

    private static HttpResponse<String> binance(String path, String query, String key) throws Exception {
        String signature = hmacSha256(BINANCE_SECRET, query, false);
        String url = sim.binanceRestUrl() + path + "?" + query + "&signature=" + signature;
        return key == null ? get(url) : get(url, "X-MBX-APIKEY", key);
    }

    @Test
    void binanceSignedEndpointsCheckKeyTimestampRecvWindowAndSignature() throws Exception {
        long now = System.currentTimeMillis();
        HttpResponse<String> ok = binance("/api/v3/account", "omitZeroBalances=false&timestamp=" + now, BINANCE_KEY);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(header(ok, "X-MBX-USED-WEIGHT-1M")).isNotNull();
        JsonNode account = json(ok);
        assertThat(account.path("accountType").asText()).isEqualTo("SPOT");
        assertThat(account.path("balances")).extracting(n -> n.path("asset").asText()).contains("BTC", "ETH", "USDT");
        assertThat(account.path("balances").get(0).path("free").asText()).matches("\\d+\\.\\d{8}");

        HttpResponse<String> orders = binance("/api/v3/openOrders", "symbol=BTCUSDT&recvWindow=5000&timestamp=" + now,
                BINANCE_KEY);
        assertThat(orders.statusCode()).as(orders.body()).isEqualTo(200);
        assertThat(orders.body()).isEqualTo("[]");

        HttpResponse<String> wrongSig = get(sim.binanceRestUrl() + "/api/v3/account?timestamp=" + now + "&signature="
                + hmacSha256("other-secret", "timestamp=" + now, false), "X-MBX-APIKEY", BINANCE_KEY);
        assertThat(wrongSig.statusCode()).isEqualTo(400);
        assertThat(wrongSig.body()).isEqualTo("{\"code\":-1022,\"msg\":\"Signature for this request is not valid.\"}");
        // The signature covers the query exactly as sent: reordering the parameters breaks it.
        String q = "timestamp=" + now + "&recvWindow=5000";
        HttpResponse<String> reordered = get(sim.binanceRestUrl() + "/api/v3/account?recvWindow=5000&timestamp=" + now
                + "&signature=" + hmacSha256(BINANCE_SECRET, q, false), "X-MBX-APIKEY", BINANCE_KEY);
        assertThat(json(reordered).path("code").asInt()).isEqualTo(-1022);

        for (String key : new String[] {"wrong-key", null}) {
            HttpResponse<String> r = binance("/api/v3/account", "timestamp=" + now, key);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).isEqualTo("{\"code\":-2015,\"msg\":\"Invalid API-key, IP, or permissions for action.\"}");
        }

        long stale = System.currentTimeMillis() - 10_000;
        HttpResponse<String> outside = binance("/api/v3/account", "timestamp=" + stale, BINANCE_KEY);
        assertThat(outside.statusCode()).isEqualTo(400);
        assertThat(outside.body())
                .isEqualTo("{\"code\":-1021,\"msg\":\"Timestamp for this request is outside of the recvWindow.\"}");
        assertThat(binance("/api/v3/account", "timestamp=" + stale + "&recvWindow=20000", BINANCE_KEY).statusCode())
                .as("a wider recvWindow accepts it").isEqualTo(200);
        HttpResponse<String> tooWide = binance("/api/v3/account", "timestamp=" + stale + "&recvWindow=70000", BINANCE_KEY);
        assertThat(json(tooWide).path("code").asInt()).isEqualTo(-1131);
        HttpResponse<String> ahead = binance("/api/v3/account", "timestamp=" + (System.currentTimeMillis() + 5000),
                BINANCE_KEY);
        assertThat(json(ahead).path("code").asInt()).isEqualTo(-1021);
        HttpResponse<String> noTs = binance("/api/v3/account", "recvWindow=5000", BINANCE_KEY);
        assertThat(noTs.statusCode()).isEqualTo(400);
        assertThat(json(noTs).path("code").asInt()).isEqualTo(-1102);

        assertThat(sim.stats().authSuccessesByEndpoint()).containsEntry("/api/v3/account", 2L)
                .containsEntry("/api/v3/openOrders", 1L);
        assertThat(sim.stats().authFailures("/api/v3/account")).isEqualTo(8);
    }

    private static HttpResponse<String> okx(String method, String pathAndQuery, String body, String ts, String key,
                                            String secret, String passphrase) throws Exception {
        String sign = hmacSha256(secret, ts + method + pathAndQuery + (body == null ? "" : body), true);
        return send(method, base() + pathAndQuery, body, "OK-ACCESS-KEY", key, "OK-ACCESS-SIGN", sign,
                "OK-ACCESS-TIMESTAMP", ts, "OK-ACCESS-PASSPHRASE", passphrase, "Content-Type", "application/json");
    }

    private static String okxNow() {
        return OKX_TS.format(Instant.now());
    }

    @Test
    void okxSignedRequestsWithQueryAndBodyAndEveryRefusal() throws Exception {
        HttpResponse<String> balance = okx("GET", "/api/v5/account/balance?ccy=BTC,USDT", null, okxNow(), OKX_KEY,
                OKX_SECRET, OKX_PASSPHRASE);
        assertThat(balance.statusCode()).as(balance.body()).isEqualTo(200);
        JsonNode b = json(balance);
        assertThat(b.path("code").asText()).isEqualTo("0");
        assertThat(b.path("data").get(0).path("details")).extracting(n -> n.path("ccy").asText()).contains("BTC", "USDT");
        assertThat(Double.parseDouble(b.path("data").get(0).path("totalEq").asText())).isGreaterThan(10_000);

        String order = "{\"instId\":\"BTC-USDT\",\"tdMode\":\"cash\",\"clOrdId\":\"b15\",\"side\":\"buy\",\"ordType\":\"limit\","
                + "\"px\":\"2.15\",\"sz\":\"2\"}";
        HttpResponse<String> echo = okx("POST", "/api/v5/trade/order-echo", order, okxNow(), OKX_KEY, OKX_SECRET,
                OKX_PASSPHRASE);
        assertThat(echo.statusCode()).as(echo.body()).isEqualTo(200);
        JsonNode e = json(echo);
        assertThat(e.path("code").asText()).isEqualTo("0");
        assertThat(e.path("data").get(0).path("clOrdId").asText()).isEqualTo("b15");
        assertThat(e.path("data").get(0).path("sCode").asText()).isEqualTo("0");
        assertThat(e.path("data").get(0).path("echo").path("px").asText()).isEqualTo("2.15");

        // The body is signed: the same headers with another body fail.
        String ts = okxNow();
        String sign = hmacSha256(OKX_SECRET, ts + "POST/api/v5/trade/order-echo" + order, true);
        HttpResponse<String> tampered = send("POST", base() + "/api/v5/trade/order-echo", order.replace("2.15", "2.16"),
                "OK-ACCESS-KEY", OKX_KEY, "OK-ACCESS-SIGN", sign, "OK-ACCESS-TIMESTAMP", ts,
                "OK-ACCESS-PASSPHRASE", OKX_PASSPHRASE);
        assertThat(tampered.statusCode()).isEqualTo(401);
        assertThat(tampered.body()).isEqualTo("{\"code\":\"50113\",\"msg\":\"Invalid Sign\",\"data\":[]}");

        String path = "/api/v5/account/balance";
        assertThat(json(okx("GET", path, null, okxNow(), OKX_KEY, "wrong-secret", OKX_PASSPHRASE)).path("code").asText())
                .isEqualTo("50113");
        assertThat(json(okx("GET", path, null, okxNow(), "wrong-key", OKX_SECRET, OKX_PASSPHRASE)).path("code").asText())
                .isEqualTo("50111");
        assertThat(json(okx("GET", path, null, okxNow(), OKX_KEY, OKX_SECRET, "wrong")).path("code").asText())
                .isEqualTo("50105");
        String old = OKX_TS.format(Instant.now().minusSeconds(40));
        HttpResponse<String> expired = okx("GET", path, null, old, OKX_KEY, OKX_SECRET, OKX_PASSPHRASE);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(json(expired).path("code").asText()).isEqualTo("50102");
        assertThat(json(okx("GET", path, null, "1607418537", OKX_KEY, OKX_SECRET, OKX_PASSPHRASE)).path("code").asText())
                .isEqualTo("50112");

        HttpResponse<String> noKey = send("GET", base() + path, null, "OK-ACCESS-SIGN", "x", "OK-ACCESS-TIMESTAMP", okxNow(),
                "OK-ACCESS-PASSPHRASE", OKX_PASSPHRASE);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(json(noKey).path("code").asText()).isEqualTo("50103");
        assertThat(json(send("GET", base() + path, null, "OK-ACCESS-KEY", OKX_KEY, "OK-ACCESS-TIMESTAMP", okxNow(),
                "OK-ACCESS-PASSPHRASE", OKX_PASSPHRASE)).path("code").asText()).isEqualTo("50106");
        assertThat(json(send("GET", base() + path, null, "OK-ACCESS-KEY", OKX_KEY, "OK-ACCESS-SIGN", "x",
                "OK-ACCESS-TIMESTAMP", okxNow())).path("code").asText()).isEqualTo("50104");

        assertThat(sim.stats().authSuccessesByEndpoint()).containsEntry(path, 1L)
                .containsEntry("/api/v5/trade/order-echo", 1L);
        assertThat(sim.stats().authFailures(path)).isEqualTo(8);
        assertThat(sim.stats().restErrorsSent("okx", "50113")).isEqualTo(2);
    }
}
