package io.marketetl.connector.auth;

import static io.marketetl.connector.auth.AuthAssertions.CLOCK;
import static io.marketetl.connector.auth.AuthAssertions.creds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NoneAuthTest {

    private final AuthType none = new NoneAuth();

    @Test
    void takesNoCredentialsAndAddsNothing() {
        assertThat(none.name()).isEqualTo("None");
        assertThat(none.validate(Map.of())).isEmpty();
        assertThat(none.validate(null)).isEmpty();
        ApiRequest r = new ApiRequest("GET", "https://h/p").queryParam("a", "1");
        none.apply(r, Map.of(), CLOCK);
        assertThat(r.headers()).isEmpty();
        assertThat(r.url()).isEqualTo("https://h/p?a=1");
        assertThat(none.secretValues(Map.of())).isEmpty();
    }

    @Test
    void anyFieldIsAProblem() {
        assertThat(none.validate(creds("token", "abc", "b", ""))).containsExactly(
                "credentials.b is not a field of None (None takes no credentials)",
                "credentials.token is not a field of None (None takes no credentials)");
        AuthAssertions.applyRefuses(none, creds("token", "abcdef"), "credentials.token is not a field of None");
        assertThat(none.secretValues(creds("token", "abcdef"))).containsExactly("abcdef");
    }
}
