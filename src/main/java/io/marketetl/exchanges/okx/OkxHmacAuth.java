package io.marketetl.exchanges.okx;

import io.marketetl.connector.auth.ApiRequest;
import io.marketetl.connector.auth.FieldsAuthType;
import io.marketetl.connector.auth.CredentialFields;
import io.marketetl.connector.auth.CredentialFields.Field;
import io.marketetl.connector.auth.HmacSha256;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code OkxHmac}: OKX's v5 REST signature, credentials {@code {"api_key": ..., "secret": ..., "passphrase": ...}},
 * all secret.
 *
 * <p>Headers: {@code OK-ACCESS-KEY} (the API key), {@code OK-ACCESS-TIMESTAMP} (the clock, ISO-8601 UTC with
 * exactly three fraction digits, e.g. {@code 2020-12-08T09:08:57.715Z}), {@code OK-ACCESS-PASSPHRASE} and
 * {@code OK-ACCESS-SIGN} = base64(HMAC-SHA256(secret, timestamp + METHOD + pathWithQuery + body)), the body being ""
 * when there is none. With a body, {@code Content-Type: application/json}.
 */
public final class OkxHmacAuth extends FieldsAuthType {

    public static final String NAME = "OkxHmac";

    static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private static final CredentialFields FIELDS = new CredentialFields(NAME, List.of(
            Field.secret("api_key").check(CredentialFields.HEADER_VALUE),
            Field.secret("secret"),
            Field.secret("passphrase").check(CredentialFields.HEADER_VALUE)));

    public OkxHmacAuth() {
        super(FIELDS);
    }

    @Override
    public void apply(ApiRequest request, Map<String, String> credentials, Clock clock) {
        Map<String, String> c = FIELDS.requireValid(credentials, validate(credentials));
        String timestamp = TIMESTAMP.format(clock.instant().truncatedTo(ChronoUnit.MILLIS));
        String body = request.body() == null ? "" : request.body();
        String prehash = timestamp + request.method() + request.pathWithQuery() + body;
        request.header("OK-ACCESS-KEY", c.get("api_key"));
        request.header("OK-ACCESS-SIGN", Base64.getEncoder().encodeToString(HmacSha256.sign(c.get("secret"), prehash)));
        request.header("OK-ACCESS-TIMESTAMP", timestamp);
        request.header("OK-ACCESS-PASSPHRASE", c.get("passphrase"));
        if (request.body() != null) {
            request.header("Content-Type", "application/json");
        }
    }
}
