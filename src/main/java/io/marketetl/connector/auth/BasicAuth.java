package io.marketetl.connector.auth;

import io.marketetl.connector.auth.CredentialFields.Field;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code Basic}: {@code {"username": ..., "password": ...}} sent as
 * {@code Authorization: Basic base64(username:password)}, UTF-8 (RFC 7617). The username may not contain a colon;
 * the password may be empty (APIs that take a key as the user name).
 */
public final class BasicAuth extends FieldsAuthType {

    private static final CredentialFields FIELDS = new CredentialFields("Basic", List.of(
            Field.secret("username").check(v -> v.indexOf(':') >= 0 ? "must not contain a colon (:)" : null),
            Field.secret("password").allowEmpty()));

    public BasicAuth() {
        super(FIELDS);
    }

    @Override
    public void apply(ApiRequest request, Map<String, String> credentials, Clock clock) {
        Map<String, String> c = FIELDS.requireValid(credentials, validate(credentials));
        request.header("Authorization", "Basic " + encoded(c));
    }

    /** The values and the encoded {@code username:password} (which leaks them as surely). */
    @Override
    public List<String> secretValues(Map<String, String> credentials) {
        List<String> out = new ArrayList<>(FIELDS.secretValues(credentials));
        if (credentials != null && credentials.get("username") != null && credentials.get("password") != null) {
            out.add(encoded(credentials));
        }
        return out;
    }

    private static String encoded(Map<String, String> c) {
        return Base64.getEncoder().encodeToString((c.get("username") + ":" + c.get("password"))
                .getBytes(StandardCharsets.UTF_8));
    }
}
