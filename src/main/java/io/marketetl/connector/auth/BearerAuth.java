package io.marketetl.connector.auth;

import io.marketetl.connector.auth.CredentialFields.Field;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** {@code Bearer}: {@code {"token": ...}} sent as {@code Authorization: Bearer <token>} (RFC 6750). */
public final class BearerAuth extends FieldsAuthType {

    private static final CredentialFields FIELDS = new CredentialFields("Bearer", List.of(
            Field.secret("token").check(CredentialFields.HEADER_VALUE)));

    public BearerAuth() {
        super(FIELDS);
    }

    @Override
    public void apply(ApiRequest request, Map<String, String> credentials, Clock clock) {
        Map<String, String> c = FIELDS.requireValid(credentials, validate(credentials));
        request.header("Authorization", "Bearer " + c.get("token"));
    }
}
