package io.marketetl.connector.auth;

import io.marketetl.connector.auth.CredentialFields.Field;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * {@code ApiKey}: {@code {"in": "header"|"query", "name": ..., "value": ...}}: the value sent as a header or a query
 * parameter of that name (replacing one the connector already has). Only {@code value} is secret. A header name must
 * be an HTTP token and its value free of control characters.
 */
public final class ApiKeyAuth extends FieldsAuthType {

    private static final CredentialFields FIELDS = new CredentialFields("ApiKey", List.of(
            Field.notSecret("in").check(v -> v.equals("header") || v.equals("query") ? null
                    : "must be \"header\" or \"query\""),
            Field.notSecret("name"),
            Field.secret("value")));

    public ApiKeyAuth() {
        super(FIELDS);
    }

    @Override
    public List<String> validate(Map<String, String> credentials) {
        List<String> problems = FIELDS.validate(credentials);
        if (credentials != null && "header".equals(credentials.get("in"))) {
            String name = credentials.get("name");
            if (name != null && !name.isBlank() && !ApiRequest.isToken(name)) {
                problems.add("credentials.name must be a valid HTTP header name (letters, digits, - and the like)"
                        + " when credentials.in is \"header\"");
            }
            String value = credentials.get("value");
            if (value != null && !value.isBlank() && CredentialFields.HEADER_VALUE.problem(value) != null) {
                problems.add("credentials.value " + CredentialFields.HEADER_VALUE.problem(value)
                        + " when credentials.in is \"header\"");
            }
        }
        return problems;
    }

    @Override
    public void apply(ApiRequest request, Map<String, String> credentials, Clock clock) {
        Map<String, String> c = FIELDS.requireValid(credentials, validate(credentials));
        if (c.get("in").equals("header")) {
            request.header(c.get("name"), c.get("value"));
        } else {
            request.queryParam(c.get("name"), c.get("value"));
        }
    }
}
