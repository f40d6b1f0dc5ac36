package io.marketetl.connector.auth;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/** {@code None}: no credentials ({@code {}}), nothing added to the request. */
public final class NoneAuth extends FieldsAuthType {

    private static final CredentialFields FIELDS = new CredentialFields("None", List.of());

    public NoneAuth() {
        super(FIELDS);
    }

    @Override
    public void apply(ApiRequest request, Map<String, String> credentials, Clock clock) {
        FIELDS.requireValid(credentials, validate(credentials));
    }
}
