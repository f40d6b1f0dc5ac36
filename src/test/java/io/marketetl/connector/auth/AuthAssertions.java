package io.marketetl.connector.auth;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

/** Helpers shared by the auth type tests. */
public final class AuthAssertions {

    public static final Clock CLOCK = Clock.fixed(Instant.parse("2020-12-08T09:08:57.715Z"), ZoneOffset.UTC);

    private AuthAssertions() {
    }

    /** An ordered map of name, value, name, value... (values may be null). */
    public static Map<String, String> creds(String... nameValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            m.put(nameValues[i], nameValues[i + 1]);
        }
        return m;
    }

    /** apply() refuses invalid credentials, naming the problems and none of the values. */
    public static void applyRefuses(AuthType type, Map<String, String> credentials, String problem) {
        ApiRequest r = new ApiRequest("GET", "https://h/p");
        var thrown = assertThatThrownBy(() -> type.apply(r, credentials, CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid " + type.name() + " credentials: ")
                .hasMessageContaining(problem);
        for (String v : credentials.values()) {
            if (v != null && v.length() > 3) {
                thrown.hasMessageNotContaining(v);
            }
        }
        org.assertj.core.api.Assertions.assertThat(r.headers()).isEmpty();
        org.assertj.core.api.Assertions.assertThat(r.queryParams()).isEmpty();
    }
}
