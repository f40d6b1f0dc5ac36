package io.marketetl.exchanges.binance;

import io.marketetl.connector.auth.ApiRequest;
import io.marketetl.connector.auth.FieldsAuthType;
import io.marketetl.connector.auth.CredentialFields;
import io.marketetl.connector.auth.CredentialFields.Field;
import io.marketetl.connector.auth.HmacSha256;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code BinanceHmac}: Binance's HMAC-SHA256 signed requests (SIGNED endpoints), credentials
 * {@code {"api_key": ..., "secret": ..., "recv_window": "5000"}} ({@code recv_window} optional, milliseconds, 1 to
 * 60000, default 5000; not secret).
 *
 * <p>The API key goes in {@code X-MBX-APIKEY}. The query gets {@code recvWindow} and {@code timestamp} (the clock's
 * milliseconds) last, replacing any the connector had. The signature is the lower-case hex HMAC-SHA256, keyed with the
 * secret, of Binance's {@code totalParams}: the encoded query string, followed directly (no {@code &}) by the body
 * when there is one. It is appended last to what it signs, as Binance asks: as the last query parameter
 * {@code signature} without a body; with a (form-encoded) body, as {@code &signature=...} at the end of the body, as in
 * Binance's own query-plus-body example (and the body gets {@code Content-Type: application/x-www-form-urlencoded}
 * unless it has a content type).
 */
public final class BinanceHmacAuth extends FieldsAuthType {

    public static final String NAME = "BinanceHmac";
    public static final long DEFAULT_RECV_WINDOW_MS = 5000;
    public static final long MAX_RECV_WINDOW_MS = 60000;

    private static final CredentialFields FIELDS = new CredentialFields(NAME, List.of(
            Field.secret("api_key").check(CredentialFields.HEADER_VALUE),
            Field.secret("secret"),
            Field.notSecret("recv_window").optional().check(BinanceHmacAuth::recvWindowProblem)));

    public BinanceHmacAuth() {
        super(FIELDS);
    }

    @Override
    public void apply(ApiRequest request, Map<String, String> credentials, Clock clock) {
        Map<String, String> c = FIELDS.requireValid(credentials, validate(credentials));
        String recvWindow = c.get("recv_window") == null ? String.valueOf(DEFAULT_RECV_WINDOW_MS)
                : String.valueOf(Long.parseLong(c.get("recv_window").strip()));
        request.header("X-MBX-APIKEY", c.get("api_key"));
        Map<String, String> query = request.queryParams();
        query.remove("recvWindow");
        query.remove("timestamp");
        query.remove("signature");
        query.put("recvWindow", recvWindow);
        query.put("timestamp", String.valueOf(clock.millis()));
        String body = request.body();
        if (body == null || body.isEmpty()) {
            query.put("signature", signature(c.get("secret"), request.queryString()));
        } else {
            String signature = signature(c.get("secret"), request.queryString() + body);
            request.body(body + "&signature=" + signature);
            if (request.header("Content-Type") == null) {
                request.header("Content-Type", "application/x-www-form-urlencoded");
            }
        }
    }

    /** Lower-case hex HMAC-SHA256 of {@code totalParams} keyed with the secret. */
    public static String signature(String secret, String totalParams) {
        return HexFormat.of().formatHex(HmacSha256.sign(secret, totalParams));
    }

    private static String recvWindowProblem(String v) {
        String s = v.strip();
        if (!s.matches("[0-9]{1,6}") || Long.parseLong(s) < 1 || Long.parseLong(s) > MAX_RECV_WINDOW_MS) {
            return "must be a whole number of milliseconds from 1 to " + MAX_RECV_WINDOW_MS;
        }
        return null;
    }
}
