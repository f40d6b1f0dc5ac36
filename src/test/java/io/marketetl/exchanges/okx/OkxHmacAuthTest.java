package io.marketetl.exchanges.okx;

import static io.marketetl.connector.auth.AuthAssertions.CLOCK;
import static io.marketetl.connector.auth.AuthAssertions.creds;
import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.connector.auth.ApiRequest;
import io.marketetl.connector.auth.AuthAssertions;
import io.marketetl.connector.auth.AuthType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class OkxHmacAuthTest {

    private static final Map<String, String> CREDS = creds("api_key", "37c541a1-c3b4-4d6b-9f41-e8d1a6f3f2c0",
            "secret", "22582BD0CFF14C41EDBF1AB98506286D", "passphrase", "my pass phrase");

    private final AuthType auth = new OkxHmacAuth();

    private static String hmacBase64(String key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return Base64.getEncoder().encodeToString(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void signsTimestampMethodPathAndQueryOfAGet() throws Exception {
        // the request of OKX's documentation example: GET /api/v5/account/balance?ccy=BTC at 2020-12-08T09:08:57.715Z
        ApiRequest r = new ApiRequest("get", "https://www.okx.com/api/v5/account/balance").queryParam("ccy", "BTC");
        auth.apply(r, CREDS, CLOCK);
        String expected = hmacBase64("22582BD0CFF14C41EDBF1AB98506286D",
                "2020-12-08T09:08:57.715ZGET/api/v5/account/balance?ccy=BTC");
        assertThat(r.headers()).containsExactly(
                Map.entry("OK-ACCESS-KEY", "37c541a1-c3b4-4d6b-9f41-e8d1a6f3f2c0"),
                Map.entry("OK-ACCESS-SIGN", expected),
                Map.entry("OK-ACCESS-TIMESTAMP", "2020-12-08T09:08:57.715Z"),
                Map.entry("OK-ACCESS-PASSPHRASE", "my pass phrase"));
        assertThat(r.url()).isEqualTo("https://www.okx.com/api/v5/account/balance?ccy=BTC");
        assertThat(r.body()).isNull();
    }

    @Test
    void aBodyIsSignedAndSentAsJson() throws Exception {
        String body = "{\"instId\":\"BTC-USDT\",\"tdMode\":\"cash\",\"side\":\"buy\",\"ordType\":\"market\",\"sz\":\"1\"}";
        ApiRequest r = new ApiRequest("POST", "https://www.okx.com/api/v5/trade/order").body(body);
        auth.apply(r, CREDS, CLOCK);
        assertThat(r.header("OK-ACCESS-SIGN")).isEqualTo(hmacBase64("22582BD0CFF14C41EDBF1AB98506286D",
                "2020-12-08T09:08:57.715ZPOST/api/v5/trade/order" + body));
        assertThat(r.header("Content-Type")).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo(body);
    }

    @Test
    void anEncodedQueryIsSignedAsSent() throws Exception {
        ApiRequest r = new ApiRequest("GET", "https://www.okx.com/api/v5/market/books").queryParam("instId", "BTC-USDT")
                .queryParam("note", "a b");
        auth.apply(r, CREDS, CLOCK);
        assertThat(r.header("OK-ACCESS-SIGN")).isEqualTo(hmacBase64("22582BD0CFF14C41EDBF1AB98506286D",
                "2020-12-08T09:08:57.715ZGET/api/v5/market/books?instId=BTC-USDT&note=a%20b"));
    }

    @Test
    void timestampHasExactlyThreeFractionDigitsTruncated() {
        for (String[] c : new String[][] {
                {"2021-01-02T03:04:05Z", "2021-01-02T03:04:05.000Z"},
                {"2021-01-02T03:04:05.1Z", "2021-01-02T03:04:05.100Z"},
                {"2021-01-02T03:04:05.999999999Z", "2021-01-02T03:04:05.999Z"}}) {
            ApiRequest r = new ApiRequest("GET", "https://www.okx.com/api/v5/x");
            auth.apply(r, CREDS, Clock.fixed(Instant.parse(c[0]), ZoneOffset.ofHours(8)));
            assertThat(r.header("OK-ACCESS-TIMESTAMP")).isEqualTo(c[1]);
        }
    }

    @Test
    void validation() {
        assertThat(auth.name()).isEqualTo("OkxHmac");
        assertThat(auth.validate(CREDS)).isEmpty();
        assertThat(auth.validate(Map.of())).containsExactly("credentials.api_key is required",
                "credentials.secret is required", "credentials.passphrase is required");
        assertThat(auth.validate(creds("api_key", "k", "secret", "s", "passphrase", "p\r\nX: y")))
                .containsExactly("credentials.passphrase must not contain control characters (line breaks, tabs)");
        assertThat(auth.validate(creds("api_key", "k", "secret", "s", "passphrase", "p", "simulated", "1")))
                .containsExactly("credentials.simulated is not a field of OkxHmac (fields: api_key, secret,"
                        + " passphrase)");
        AuthAssertions.applyRefuses(auth, creds("api_key", "k-not-printed", "secret", "s-not-printed"),
                "credentials.passphrase is required");
    }

    @Test
    void allThreeAreSecret() {
        assertThat(auth.secretValues(CREDS)).containsExactly("37c541a1-c3b4-4d6b-9f41-e8d1a6f3f2c0",
                "22582BD0CFF14C41EDBF1AB98506286D", "my pass phrase");
    }
}
