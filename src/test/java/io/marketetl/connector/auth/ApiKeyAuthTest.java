package io.marketetl.connector.auth;

import static io.marketetl.connector.auth.AuthAssertions.CLOCK;
import static io.marketetl.connector.auth.AuthAssertions.creds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ApiKeyAuthTest {

    private final AuthType apiKey = new ApiKeyAuth();

    @Test
    void inHeader() {
        ApiRequest r = new ApiRequest("GET", "https://h/p").header("Accept", "application/json");
        apiKey.apply(r, creds("in", "header", "name", "X-API-Key", "value", "k-123"), CLOCK);
        assertThat(r.headers()).containsExactly(Map.entry("Accept", "application/json"),
                Map.entry("X-API-Key", "k-123"));
        assertThat(r.queryParams()).isEmpty();
    }

    @Test
    void inQueryLastOrInPlaceOfTheSameName() {
        ApiRequest r = new ApiRequest("GET", "https://h/p").queryParam("apikey", "placeholder")
                .queryParam("symbol", "BTC");
        apiKey.apply(r, creds("in", "query", "name", "apikey", "value", "k 1/2"), CLOCK);
        assertThat(r.url()).isEqualTo("https://h/p?apikey=k%201%2F2&symbol=BTC");
        ApiRequest r2 = new ApiRequest("GET", "https://h/p").queryParam("symbol", "BTC");
        apiKey.apply(r2, creds("in", "query", "name", "api key", "value", "k"), CLOCK);
        assertThat(r2.queryString()).isEqualTo("symbol=BTC&api%20key=k");
        assertThat(r2.headers()).isEmpty();
    }

    @Test
    void validation() {
        assertThat(apiKey.validate(creds("in", "query", "name", "key", "value", "v"))).isEmpty();
        assertThat(apiKey.validate(Map.of())).containsExactly("credentials.in is required",
                "credentials.name is required", "credentials.value is required");
        assertThat(apiKey.validate(creds("in", "cookie", "name", "k", "value", "v")))
                .containsExactly("credentials.in must be \"header\" or \"query\"");
        assertThat(apiKey.validate(creds("in", "Header", "name", "k", "value", "v")))
                .containsExactly("credentials.in must be \"header\" or \"query\"");
        assertThat(apiKey.validate(creds("in", "header", "name", "X Key", "value", "v\r\n")))
                .containsExactly("credentials.name must be a valid HTTP header name (letters, digits, - and the like)"
                        + " when credentials.in is \"header\"",
                        "credentials.value must not contain control characters (line breaks, tabs)"
                                + " when credentials.in is \"header\"");
        assertThat(apiKey.validate(creds("in", "query", "name", "X Key", "value", "a\nb"))).isEmpty();
        assertThat(apiKey.validate(creds("in", "query", "name", "", "value", "v", "location", "q")))
                .containsExactly("credentials.name must not be blank",
                        "credentials.location is not a field of ApiKey (fields: in, name, value)");
        AuthAssertions.applyRefuses(apiKey, creds("in", "body", "name", "key", "value", "k-secret-1"),
                "credentials.in must be \"header\" or \"query\"");
    }

    @Test
    void onlyTheValueIsSecret() {
        assertThat(apiKey.secretValues(creds("in", "header", "name", "X-API-Key", "value", "k-123")))
                .containsExactly("k-123");
        assertThat(apiKey.secretValues(creds("in", "header", "name", "X-API-Key", "value", "k", "extra", "e")))
                .containsExactly("k", "e");
    }
}
