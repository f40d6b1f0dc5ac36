package io.marketetl.connector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiRequestTest {

    @Test
    void methodIsUpperCaseAndTheBaseUrlKeepsItsPath() {
        ApiRequest r = new ApiRequest("post", "HTTPS://api.example.test:8443/v1/orders%2Fx");
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.baseUrl()).isEqualTo("https://api.example.test:8443/v1/orders%2Fx");
        assertThat(r.path()).isEqualTo("/v1/orders%2Fx");
        ApiRequest root = new ApiRequest("GET", "https://api.example.test");
        assertThat(root.path()).isEqualTo("/");
        assertThat(root.url()).isEqualTo("https://api.example.test/");
    }

    @Test
    void baseUrlsWithQueryFragmentUserInfoOrOtherSchemesAreRefused() {
        assertThatThrownBy(() -> new ApiRequest("GET", "https://h/p?a=b"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
        assertThatThrownBy(() -> new ApiRequest("GET", "https://h/p?"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("query");
        assertThatThrownBy(() -> new ApiRequest("GET", "https://h/p#x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fragment");
        assertThatThrownBy(() -> new ApiRequest("GET", "https://user:hunter2@h/p"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user info")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> new ApiRequest("GET", "wss://h/p")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApiRequest("GET", "/relative")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApiRequest("GET", "https:///nohost")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApiRequest("GE T", "https://h/")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ApiRequest(null, "https://h/")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queryStringEncodesEverythingButUnreservedCharactersInInsertionOrder() {
        ApiRequest r = new ApiRequest("GET", "https://h/api");
        r.queryParam("symbol", "BTC-USDT")
                .queryParam("note", "a b+c&d=e/f?g#h%i")
                .queryParam("unreserved", "AZaz09-._~")
                .queryParam("ü name", "€")
                .queryParam("empty", "")
                .queryParam("flag", null);
        assertThat(r.queryString()).isEqualTo("symbol=BTC-USDT&note=a%20b%2Bc%26d%3De%2Ff%3Fg%23h%25i"
                + "&unreserved=AZaz09-._~&%C3%BC%20name=%E2%82%AC&empty=&flag");
        assertThat(r.pathWithQuery()).isEqualTo("/api?" + r.queryString());
        assertThat(r.url()).isEqualTo("https://h/api?" + r.queryString());

        // replacing keeps the place; new names go last
        r.queryParam("symbol", "ETH-USDT").queryParam("z", "1");
        assertThat(r.queryString()).startsWith("symbol=ETH-USDT&note=").endsWith("&flag&z=1");
        assertThat(r.queryParam("symbol")).isEqualTo("ETH-USDT");
        r.queryParams().remove("note");
        assertThat(r.queryString()).doesNotContain("note");
        assertThat(ApiRequest.encode("~*'()!")).isEqualTo("~%2A%27%28%29%21");
    }

    @Test
    void withoutParametersThereIsNoQuestionMark() {
        ApiRequest r = new ApiRequest("GET", "https://h/api/v5/x");
        assertThat(r.queryString()).isEmpty();
        assertThat(r.pathWithQuery()).isEqualTo("/api/v5/x");
        assertThat(r.url()).isEqualTo("https://h/api/v5/x");
    }

    @Test
    void headerNamesAreCaseInsensitiveKeepingOrderAndTheLatestSpelling() {
        ApiRequest r = new ApiRequest("GET", "https://h/");
        r.header("Accept", "application/json").header("X-Trace", "1").header("content-type", "text/plain");
        r.header("ACCEPT", "*/*");
        assertThat(r.headers()).containsExactly(
                java.util.Map.entry("ACCEPT", "*/*"),
                java.util.Map.entry("X-Trace", "1"),
                java.util.Map.entry("content-type", "text/plain"));
        assertThat(r.header("accept")).isEqualTo("*/*");
        assertThat(r.header("Content-Type")).isEqualTo("text/plain");
        assertThat(r.header("missing")).isNull();
        r.removeHeader("x-trace");
        assertThat(r.headers()).containsOnlyKeys("ACCEPT", "content-type");
        assertThatThrownBy(() -> r.headers().put("a", "b")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void headersCannotInjectLinesOrHaveInvalidNames() {
        ApiRequest r = new ApiRequest("GET", "https://h/");
        assertThatThrownBy(() -> r.header("X-Token", "abc\r\nX-Evil: 1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("control character")
                .hasMessageNotContaining("abc");
        assertThatThrownBy(() -> r.header("Bad Name", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.header("X:Y", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.header("", "v")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.header("X", null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(r.headers()).isEmpty();
    }

    @Test
    void bodyIsOptional() {
        ApiRequest r = new ApiRequest("POST", "https://h/");
        assertThat(r.body()).isNull();
        assertThat(r.body("{}").body()).isEqualTo("{}");
    }

    @Test
    void toStringShowsNamesButNoValues() {
        ApiRequest r = new ApiRequest("POST", "https://h/api");
        r.queryParam("signature", "deadbeefsig").header("Authorization", "Bearer tok-secret").body("{\"a\":\"b\"}");
        assertThat(r.toString())
                .contains("POST https://h/api", "signature", "Authorization", "9 chars")
                .doesNotContain("deadbeefsig", "tok-secret", "\"a\"");
    }
}
