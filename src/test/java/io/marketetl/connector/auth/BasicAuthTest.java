package io.marketetl.connector.auth;

import static io.marketetl.connector.auth.AuthAssertions.CLOCK;
import static io.marketetl.connector.auth.AuthAssertions.creds;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BasicAuthTest {

    private final AuthType basic = new BasicAuth();

    @Test
    void sendsBase64OfUserColonPasswordInUtf8() {
        ApiRequest r = new ApiRequest("GET", "https://h/p");
        // RFC 7617 section 2's example
        basic.apply(r, creds("username", "Aladdin", "password", "open sesame"), CLOCK);
        assertThat(r.headers()).containsExactly(Map.entry("Authorization", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="));
        // RFC 7617 section 2.1's UTF-8 example: "test" / "123£"
        basic.apply(r, creds("username", "test", "password", "123\u00a3"), CLOCK);
        assertThat(r.header("Authorization")).isEqualTo("Basic dGVzdDoxMjPCow==");
        // an empty password (a key as user name)
        basic.apply(r, creds("username", "sk_test", "password", ""), CLOCK);
        assertThat(r.header("Authorization")).isEqualTo("Basic c2tfdGVzdDo=");
    }

    @Test
    void validation() {
        assertThat(basic.validate(creds("username", "u", "password", "p"))).isEmpty();
        assertThat(basic.validate(Map.of())).containsExactly("credentials.username is required",
                "credentials.password is required");
        assertThat(basic.validate(creds("username", "a:b", "password", "p")))
                .containsExactly("credentials.username must not contain a colon (:)");
        assertThat(basic.validate(creds("username", " ", "password", "p")))
                .containsExactly("credentials.username must not be blank");
        assertThat(basic.validate(creds("username", "u", "password", "p", "user", "x")))
                .containsExactly("credentials.user is not a field of Basic (fields: username, password)");
        AuthAssertions.applyRefuses(basic, creds("username", "someone", "pass", "hunter22"),
                "credentials.password is required");
    }

    @Test
    void userPasswordAndTheirEncodingAreSecret() {
        assertThat(basic.secretValues(creds("username", "Aladdin", "password", "open sesame")))
                .containsExactly("Aladdin", "open sesame", "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    }
}
