package io.marketetl.exchanges.binance;

import static io.marketetl.connector.auth.AuthAssertions.creds;
import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.connector.auth.ApiRequest;
import io.marketetl.connector.auth.AuthAssertions;
import io.marketetl.connector.auth.AuthType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class BinanceHmacAuthTest {

    // Binance's documentation example (SIGNED endpoint examples for POST /api/v3/order)
    private static final String DOC_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
    private static final String DOC_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    private static final Clock DOC_CLOCK = Clock.fixed(Instant.ofEpochMilli(1499827319559L), ZoneOffset.UTC);

    private final AuthType auth = new BinanceHmacAuth();

    private static ApiRequest docOrder() {
        return new ApiRequest("POST", "https://api.binance.com/api/v3/order")
                .queryParam("symbol", "LTCBTC").queryParam("side", "BUY").queryParam("type", "LIMIT")
                .queryParam("timeInForce", "GTC").queryParam("quantity", "1").queryParam("price", "0.1");
    }

    private static String hmacHex(String key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void signaturesOfBinancesDocumentationExamples() {
        // example 1: all parameters in the query string
        assertThat(BinanceHmacAuth.signature(DOC_SECRET, "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
                + "&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"))
                .isEqualTo("c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
        // example 3: query string followed directly by the request body
        assertThat(BinanceHmacAuth.signature(DOC_SECRET, "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC"
                + "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"))
                .isEqualTo("0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77");
    }

    @Test
    void signsTheQueryOfTheDocumentationExample() {
        ApiRequest r = docOrder();
        auth.apply(r, creds("api_key", DOC_KEY, "secret", DOC_SECRET), DOC_CLOCK);
        assertThat(r.queryString()).isEqualTo("symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1"
                + "&recvWindow=5000&timestamp=1499827319559"
                + "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
        assertThat(r.headers()).containsExactly(Map.entry("X-MBX-APIKEY", DOC_KEY));
        assertThat(r.body()).isNull();
    }

    @Test
    void recvWindowAndTimestampReplaceOnesTheConnectorHadAndTheSignatureIsLast() throws Exception {
        ApiRequest r = new ApiRequest("GET", "https://api.binance.com/api/v3/account")
                .queryParam("timestamp", "1").queryParam("signature", "stale").queryParam("omitZeroBalances", "true")
                .queryParam("recvWindow", "9");
        Clock clock = Clock.fixed(Instant.parse("2026-03-01T12:00:00.123Z"), ZoneOffset.UTC);
        auth.apply(r, creds("api_key", "k", "secret", "s3cr3t", "recv_window", "10000"), clock);
        String signed = "omitZeroBalances=true&recvWindow=10000&timestamp=" + clock.millis();
        assertThat(r.queryString()).isEqualTo(signed + "&signature=" + hmacHex("s3cr3t", signed));
        assertThat(r.url()).startsWith("https://api.binance.com/api/v3/account?omitZeroBalances=true&");
    }

    @Test
    void encodedParametersAreSignedAsSent() throws Exception {
        ApiRequest r = new ApiRequest("GET", "https://api.binance.com/api/v3/x").queryParam("note", "a b/ü");
        auth.apply(r, creds("api_key", "k", "secret", "s"), DOC_CLOCK);
        String signed = "note=a%20b%2F%C3%BC&recvWindow=5000&timestamp=1499827319559";
        assertThat(r.queryString()).isEqualTo(signed + "&signature=" + hmacHex("s", signed));
    }

    @Test
    void aFormBodyIsSignedAfterTheQueryAndTheSignatureEndsTheBody() throws Exception {
        ApiRequest r = new ApiRequest("POST", "https://api.binance.com/api/v3/order")
                .queryParam("symbol", "LTCBTC").queryParam("side", "BUY")
                .body("type=LIMIT&timeInForce=GTC&quantity=1&price=0.1");
        auth.apply(r, creds("api_key", DOC_KEY, "secret", DOC_SECRET), DOC_CLOCK);
        String query = "symbol=LTCBTC&side=BUY&recvWindow=5000&timestamp=1499827319559";
        assertThat(r.queryString()).isEqualTo(query);
        String signature = hmacHex(DOC_SECRET, query + "type=LIMIT&timeInForce=GTC&quantity=1&price=0.1");
        assertThat(r.body()).isEqualTo("type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&signature=" + signature);
        assertThat(r.header("content-type")).isEqualTo("application/x-www-form-urlencoded");

        ApiRequest typed = docOrder().header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .body("a=1");
        auth.apply(typed, creds("api_key", DOC_KEY, "secret", DOC_SECRET), DOC_CLOCK);
        assertThat(typed.header("Content-Type")).isEqualTo("application/x-www-form-urlencoded; charset=UTF-8");
    }

    @Test
    void validation() {
        assertThat(auth.name()).isEqualTo("BinanceHmac");
        assertThat(auth.validate(creds("api_key", "k", "secret", "s"))).isEmpty();
        assertThat(auth.validate(creds("api_key", "k", "secret", "s", "recv_window", "60000"))).isEmpty();
        assertThat(auth.validate(Map.of())).containsExactly("credentials.api_key is required",
                "credentials.secret is required");
        assertThat(auth.validate(creds("api_key", "k\n", "secret", " "))).containsExactly(
                "credentials.api_key must not contain control characters (line breaks, tabs)",
                "credentials.secret must not be blank");
        for (String bad : new String[] {"0", "60001", "-1", "5.5", "5s", "1e3", "99999999999999999999"}) {
            assertThat(auth.validate(creds("api_key", "k", "secret", "s", "recv_window", bad))).as(bad)
                    .containsExactly("credentials.recv_window must be a whole number of milliseconds from 1 to 60000");
        }
        assertThat(auth.validate(creds("api_key", "k", "secret", "s", "apiKey", "k2"))).containsExactly(
                "credentials.apiKey is not a field of BinanceHmac (fields: api_key, secret, recv_window)");
        AuthAssertions.applyRefuses(auth, creds("api_key", "k-visible-nowhere", "recv_window", "70000"),
                "credentials.secret is required; credentials.recv_window must be a whole number");
    }

    @Test
    void keyAndSecretAreSecretTheWindowIsNot() {
        assertThat(auth.secretValues(creds("api_key", "k", "secret", "s", "recv_window", "5000")))
                .containsExactly("k", "s");
    }
}
