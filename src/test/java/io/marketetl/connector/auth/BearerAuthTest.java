package io.marketetl.connector.auth;

import static io.marketetl.connector.auth.AuthAssertions.CLOCK;
import static io.marketetl.connector.auth.AuthAssertions.creds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BearerAuthTest {

    private final AuthType bearer = new BearerAuth();

    @Test
    void sendsTheTokenAsAnAuthorizationHeader() {
        ApiRequest r = new ApiRequest("GET", "https://h/p").header("authorization", "old");
        bearer.apply(r, Map.of("token", "eyJhbGciOi.abc-_~+/="), CLOCK);
        assertThat(r.headers()).containsExactly(Map.entry("Authorization", "Bearer eyJhbGciOi.abc-_~+/="));
        assertThat(r.queryParams()).isEmpty();
        assertThat(bearer.name()).isEqualTo("Bearer");
        assertThat(bearer.toString()).isEqualTo("Bearer");
    }

    @Test
    void validation() {
        assertThat(bearer.validate(Map.of("token", "t"))).isEmpty();
        assertThat(bearer.validate(Map.of())).containsExactly("credentials.token is required");
        assertThat(bearer.validate(creds("token", null))).containsExactly("credentials.token is required");
        assertThat(bearer.validate(Map.of("token", "  "))).containsExactly("credentials.token must not be blank");
        assertThat(bearer.validate(Map.of("token", "a\nInjected: yes")))
                .containsExactly("credentials.token must not contain control characters (line breaks, tabs)");
        assertThat(bearer.validate(creds("token", "t", "secret", "s")))
                .containsExactly("credentials.secret is not a field of Bearer (fields: token)");
        AuthAssertions.applyRefuses(bearer, creds("tokn", "abcdef"), "credentials.token is required; "
                + "credentials.tokn is not a field of Bearer");
    }

    @Test
    void theTokenIsSecret() {
        assertThat(bearer.secretValues(Map.of("token", "tok"))).containsExactly("tok");
        assertThat(bearer.secretValues(Map.of("token", ""))).isEmpty();
        assertThat(bearer.secretValues(null)).isEmpty();
    }
}
