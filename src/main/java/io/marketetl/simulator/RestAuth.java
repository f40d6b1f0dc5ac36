package io.marketetl.simulator;

import io.marketetl.simulator.MarketDataGenerator.Instrument;
import io.marketetl.simulator.MarketDataGenerator.Tape;
import io.marketetl.simulator.SimulatorConfig.Credentials;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The private REST endpoints, one per kind of authentication, checking the configured
 * {@link SimulatorConfig.Credentials}:
 * <ul>
 *   <li>{@code GET /private/apikey-header} (header named by {@code apiKeyHeader}), {@code /private/apikey-query}
 *       ({@code ?api_key=}), {@code /private/bearer} ({@code Authorization: Bearer}), {@code /private/basic} (HTTP
 *       basic): 200 {@code {"ok":true,"auth":"Bearer","items":[{"symbol":"BTC-USDT","price":"..."}]}} or 401
 *       {@code {"ok":false,"auth":"Bearer","error":"..."}} (with {@code WWW-Authenticate} for bearer and basic).</li>
 *   <li>Binance SIGNED {@code GET /api/v3/account} and {@code /api/v3/openOrders}: {@code X-MBX-APIKEY},
 *       {@code timestamp} within {@code recvWindow} (default 5000, at most 60000) and {@code signature} = lowercase
 *       hex HMAC-SHA256(secret, the query string as sent without the signature parameter, followed by the body;
 *       upper-case hex is accepted too).
 *       Errors as Binance: 401 -2015 (missing or wrong key), 400 -1102 (missing parameter), -1131 (recvWindow
 *       too large), -1021 (timestamp outside recvWindow or over 1 s ahead), -1022 (bad signature).</li>
 *   <li>OKX {@code GET /api/v5/account/balance} and {@code POST /api/v5/trade/order-echo}: {@code OK-ACCESS-KEY},
 *       {@code OK-ACCESS-SIGN} = base64 HMAC-SHA256(secret, timestamp + METHOD + path?query + body),
 *       {@code OK-ACCESS-TIMESTAMP} (ISO-8601 UTC like {@code 2020-12-08T09:08:57.715Z}, within 30 s of the server
 *       clock) and {@code OK-ACCESS-PASSPHRASE}. Errors as OKX, HTTP 401: 50103/50104/50106/50107 (header
 *       missing), 50112 (malformed timestamp), 50102 (expired), 50111 (key), 50105 (passphrase), 50113 (sign).</li>
 * </ul>
 * Secrets are compared in constant time ({@link MessageDigest#isEqual}). Every accepted or refused credential is
 * counted per path in {@link SimulatorStats#authSuccessesByEndpoint()} / {@link SimulatorStats#authFailuresByEndpoint()}.
 */
final class RestAuth {

    static final long OKX_TIMESTAMP_TOLERANCE_MS = 30_000;
    static final long BINANCE_DEFAULT_RECV_WINDOW = 5_000;
    static final long BINANCE_MAX_RECV_WINDOW = 60_000;
    private static final Pattern OKX_TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,19}");

    private final ExchangeSimulator sim;
    private long orderIds = 612_000_000_000_000_000L;

    RestAuth(ExchangeSimulator sim) {
        this.sim = sim;
    }

    private Credentials creds() {
        return sim.config().credentials();
    }

    // ------------------------------------------------------------------ /private/...

    void apiKeyHeader(RestCall call) {
        String name = creds().apiKeyHeader();
        String v = call.header(name);
        if (v == null || v.isEmpty()) {
            refuse(call, "ApiKeyHeader", "missing header " + name, null);
        } else if (!same(v, creds().apiKey())) {
            refuse(call, "ApiKeyHeader", "invalid API key in header " + name, null);
        } else {
            accept(call, "ApiKeyHeader");
        }
    }

    void apiKeyQuery(RestCall call) {
        String v = call.param("api_key");
        if (v == null || v.isEmpty()) {
            refuse(call, "ApiKeyQuery", "missing query parameter api_key", null);
        } else if (!same(v, creds().apiKey())) {
            refuse(call, "ApiKeyQuery", "invalid API key in query parameter api_key", null);
        } else {
            accept(call, "ApiKeyQuery");
        }
    }

    void bearer(RestCall call) {
        String token = credentialsOf(call.header("Authorization"), "Bearer");
        if (token == null) {
            refuse(call, "Bearer", "missing Authorization: Bearer header", "Bearer realm=\"simulator\"");
        } else if (!same(token, creds().bearerToken())) {
            refuse(call, "Bearer", "invalid bearer token", "Bearer realm=\"simulator\", error=\"invalid_token\"");
        } else {
            accept(call, "Bearer");
        }
    }

    void basic(RestCall call) {
        String challenge = "Basic realm=\"simulator\", charset=\"UTF-8\"";
        String encoded = credentialsOf(call.header("Authorization"), "Basic");
        if (encoded == null) {
            refuse(call, "Basic", "missing Authorization: Basic header", challenge);
            return;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            refuse(call, "Basic", "Authorization: Basic is not base64", challenge);
            return;
        }
        int colon = decoded.indexOf(':');
        String expected = creds().basicUser() + ":" + creds().basicPassword();
        if (colon < 0) {
            refuse(call, "Basic", "Authorization: Basic must encode user:password", challenge);
        } else if (!same(decoded, expected)) {
            refuse(call, "Basic", "invalid user or password", challenge);
        } else {
            accept(call, "Basic");
        }
    }

    /** The credentials after {@code scheme } (scheme case-insensitive), null when absent or another scheme. */
    private static String credentialsOf(String authorization, String scheme) {
        if (authorization == null) {
            return null;
        }
        String a = authorization.trim();
        if (a.length() <= scheme.length() + 1 || !a.regionMatches(true, 0, scheme, 0, scheme.length())
                || a.charAt(scheme.length()) != ' ') {
            return null;
        }
        String c = a.substring(scheme.length() + 1).trim();
        return c.isEmpty() ? null : c;
    }

    private void accept(RestCall call, String auth) {
        sim.stats().auth(call.path(), true);
        StringBuilder sb = new StringBuilder("{\"ok\":true,\"auth\":\"").append(auth).append("\",\"items\":[");
        boolean first = true;
        for (Instrument inst : sim.generator().instruments()) {
            Tape t = sim.generator().market(OkxProtocol.EXCHANGE, inst);
            sb.append(first ? "" : ",").append("{\"symbol\":\"").append(inst.instId).append("\",\"price\":\"");
            Fmt.plain(sb, t.priceTicks, inst.priceScale).append("\"}");
            first = false;
        }
        call.json(200, sb.append("]}").toString());
    }

    private void refuse(RestCall call, String auth, String why, String challenge) {
        sim.stats().auth(call.path(), false);
        if (challenge != null) {
            call.header("WWW-Authenticate", challenge);
        }
        call.json(401, Fmt.str(new StringBuilder("{\"ok\":false,\"auth\":\"").append(auth).append("\",\"error\":"), why)
                .append('}').toString());
    }

    // ------------------------------------------------------------------ Binance SIGNED

    void binanceSigned(RestCall call, boolean account) {
        Credentials c = creds();
        String key = call.header("X-MBX-APIKEY");
        if (key == null || !same(key, c.binanceApiKey())) {
            binanceRefuse(call, 401, -2015, "Invalid API-key, IP, or permissions for action.");
            return;
        }
        String ts = call.param("timestamp");
        if (ts == null || !DIGITS.matcher(ts).matches()) {
            binanceRefuse(call, 400, -1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
            return;
        }
        String signature = call.param("signature");
        if (signature == null || signature.isEmpty()) {
            binanceRefuse(call, 400, -1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
            return;
        }
        long recvWindow = BINANCE_DEFAULT_RECV_WINDOW;
        String rw = call.param("recvWindow");
        if (rw != null) {
            if (!DIGITS.matcher(rw).matches()) {
                binanceRefuse(call, 400, -1100, "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}$'.");
                return;
            }
            recvWindow = Long.parseLong(rw);
            if (recvWindow > BINANCE_MAX_RECV_WINDOW) {
                binanceRefuse(call, 400, -1131, "recvWindow must be less than " + BINANCE_MAX_RECV_WINDOW + ".");
                return;
            }
        }
        long timestamp = Long.parseLong(ts);
        long now = System.currentTimeMillis();
        if (timestamp >= now + 1000) {
            binanceRefuse(call, 400, -1021, "Timestamp for this request was 1000ms ahead of the server's time.");
            return;
        }
        if (now - timestamp > recvWindow) {
            binanceRefuse(call, 400, -1021, "Timestamp for this request is outside of the recvWindow.");
            return;
        }
        String expected = HexFormat.of().formatHex(hmac(c.binanceSecret(), binancePayload(call.rawQuery(), call.body)));
        if (!same(signature.toLowerCase(Locale.ROOT), expected)) {
            binanceRefuse(call, 400, -1022, "Signature for this request is not valid.");
            return;
        }
        sim.stats().auth(call.path(), true);
        call.json(200, account ? binanceAccount(now) : "[]");
    }

    /** Binance's "totalParams": the query string as sent minus the signature parameter, then the request body. */
    static String binancePayload(String rawQuery, String body) {
        StringBuilder sb = new StringBuilder();
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty() || part.startsWith("signature=") || part.equals("signature")) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('&');
            }
            sb.append(part);
        }
        return sb.append(body == null ? "" : body).toString();
    }

    private void binanceRefuse(RestCall call, int status, int code, String msg) {
        sim.stats().auth(call.path(), false);
        sim.stats().restErrorSent(BinanceProtocol.EXCHANGE, Integer.toString(code));
        call.json(status, Fmt.str(new StringBuilder("{\"code\":").append(code).append(",\"msg\":"), msg).append('}').toString());
    }

    private String binanceAccount(long now) {
        StringBuilder sb = new StringBuilder("{\"makerCommission\":10,\"takerCommission\":10,\"buyerCommission\":0,"
                + "\"sellerCommission\":0,\"commissionRates\":{\"maker\":\"0.00100000\",\"taker\":\"0.00100000\","
                + "\"buyer\":\"0.00000000\",\"seller\":\"0.00000000\"},\"canTrade\":true,\"canWithdraw\":true,"
                + "\"canDeposit\":true,\"brokered\":false,\"requireSelfTradePrevention\":false,\"preventSor\":false,"
                + "\"updateTime\":").append(now).append(",\"accountType\":\"SPOT\",\"balances\":[");
        boolean first = true;
        for (Map.Entry<String, long[]> e : holdings().entrySet()) {
            sb.append(first ? "" : ",").append("{\"asset\":\"").append(e.getKey()).append("\",\"free\":\"");
            Fmt.fixed(sb, e.getValue()[0], 8, 8).append("\",\"locked\":\"");
            Fmt.fixed(sb, e.getValue()[1], 8, 8).append("\"}");
            first = false;
        }
        return sb.append("],\"permissions\":[\"SPOT\"],\"uid\":354937868}").toString();
    }

    /** Asset -> {free, locked} in units of 1e-8: the instruments' base currencies and their quote currencies. */
    private Map<String, long[]> holdings() {
        Map<String, long[]> m = new LinkedHashMap<>();
        for (Instrument inst : sim.generator().instruments()) {
            String[] parts = inst.instId.split("-");
            m.computeIfAbsent(parts[0], k -> switch (k) {
                case "BTC" -> new long[] {50_000_000L, 1_000_000L};          // 0.5 + 0.01
                case "ETH" -> new long[] {500_000_000L, 0L};                 // 5
                case "SOL" -> new long[] {10_000_000_000L, 0L};              // 100
                default -> new long[] {100_000_000_000L, 0L};                // 1000
            });
            m.computeIfAbsent(parts[1], k -> new long[] {1_000_000_000_000L, 25_000_000_000L}); // 10000 + 250
        }
        return m;
    }

    // ------------------------------------------------------------------ OKX signed

    void okxSigned(RestCall call, boolean balance) {
        Credentials c = creds();
        String key = call.header("OK-ACCESS-KEY");
        String sign = call.header("OK-ACCESS-SIGN");
        String ts = call.header("OK-ACCESS-TIMESTAMP");
        String pass = call.header("OK-ACCESS-PASSPHRASE");
        if (empty(key)) {
            okxRefuse(call, "50103", "Request header \"OK-ACCESS-KEY\" cannot be empty.");
            return;
        }
        if (empty(sign)) {
            okxRefuse(call, "50106", "Request header \"OK-ACCESS-SIGN\" cannot be empty.");
            return;
        }
        if (empty(ts)) {
            okxRefuse(call, "50107", "Request header \"OK-ACCESS-TIMESTAMP\" cannot be empty.");
            return;
        }
        if (empty(pass)) {
            okxRefuse(call, "50104", "Request header \"OK-ACCESS-PASSPHRASE\" cannot be empty.");
            return;
        }
        Instant t;
        try {
            if (!OKX_TIMESTAMP.matcher(ts).matches()) {
                throw new DateTimeParseException("not ISO-8601 UTC", ts, 0);
            }
            t = Instant.parse(ts);
        } catch (DateTimeParseException e) {
            okxRefuse(call, "50112", "Invalid OK-ACCESS-TIMESTAMP");
            return;
        }
        long now = System.currentTimeMillis();
        if (Math.abs(now - t.toEpochMilli()) > OKX_TIMESTAMP_TOLERANCE_MS) {
            okxRefuse(call, "50102", "Timestamp request expired");
            return;
        }
        if (!same(key, c.okxApiKey())) {
            okxRefuse(call, "50111", "Invalid OK-ACCESS-KEY");
            return;
        }
        if (!same(pass, c.okxPassphrase())) {
            okxRefuse(call, "50105", "Request header \"OK-ACCESS-PASSPHRASE\" incorrect.");
            return;
        }
        String expected = Base64.getEncoder().encodeToString(hmac(c.okxSecret(),
                okxPrehash(ts, call.req.method().name(), call.path(), call.rawQuery(), call.body)));
        if (!same(sign, expected)) {
            okxRefuse(call, "50113", "Invalid Sign");
            return;
        }
        sim.stats().auth(call.path(), true);
        if (balance) {
            call.json(200, okxBalance(now));
        } else {
            okxOrderEcho(call, now);
        }
    }

    /** timestamp + METHOD + requestPath (with {@code ?query} when there is one, as sent) + body. */
    static String okxPrehash(String timestamp, String method, String path, String rawQuery, String body) {
        return timestamp + method.toUpperCase(Locale.ROOT) + path + (rawQuery.isEmpty() ? "" : "?" + rawQuery)
                + (body == null ? "" : body);
    }

    private void okxRefuse(RestCall call, String code, String msg) {
        sim.stats().auth(call.path(), false);
        RestEndpoints.okxError(call, 401, code, msg);
    }

    private String okxBalance(long now) {
        StringBuilder details = new StringBuilder();
        long totalCents = 0;
        Map<String, Long> usdPrices = new LinkedHashMap<>();
        for (Instrument inst : sim.generator().instruments()) {
            Tape t = sim.generator().market(OkxProtocol.EXCHANGE, inst);
            // price in 1e-8 units
            usdPrices.putIfAbsent(inst.instId.split("-")[0],
                    t.priceTicks * MarketDataGenerator.POW10[8 - inst.priceScale]);
        }
        boolean first = true;
        for (Map.Entry<String, long[]> e : holdings().entrySet()) {
            long units = e.getValue()[0] + e.getValue()[1];
            Long px = usdPrices.get(e.getKey());
            long usdCents = px == null ? units / 1_000_000L
                    : java.math.BigInteger.valueOf(units).multiply(java.math.BigInteger.valueOf(px))
                    .divide(java.math.BigInteger.valueOf(100_000_000_000_000L)).longValue(); // 1e-16 USD -> cents
            totalCents += usdCents;
            details.append(first ? "" : ",").append("{\"ccy\":\"").append(e.getKey()).append("\",\"eq\":\"");
            Fmt.plain(details, units, 8).append("\",\"cashBal\":\"");
            Fmt.plain(details, units, 8).append("\",\"availBal\":\"");
            Fmt.plain(details, e.getValue()[0], 8).append("\",\"availEq\":\"");
            Fmt.plain(details, e.getValue()[0], 8).append("\",\"frozenBal\":\"");
            Fmt.plain(details, e.getValue()[1], 8).append("\",\"ordFrozen\":\"");
            Fmt.plain(details, e.getValue()[1], 8).append("\",\"eqUsd\":\"");
            Fmt.plain(details, usdCents, 2).append("\",\"uTime\":\"").append(now).append("\"}");
            first = false;
        }
        StringBuilder sb = new StringBuilder("{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"adjEq\":\"\",\"imr\":\"\","
                + "\"isoEq\":\"0\",\"mgnRatio\":\"\",\"mmr\":\"\",\"notionalUsd\":\"\",\"ordFroz\":\"\",\"totalEq\":\"");
        Fmt.plain(sb, totalCents, 2).append("\",\"uTime\":\"").append(now).append("\",\"details\":[");
        return sb.append(details).append("]}]}").toString();
    }

    private void okxOrderEcho(RestCall call, long now) {
        if (call.body == null || call.body.isBlank()) {
            RestEndpoints.okxError(call, 400, "50000", "Body for POST request cannot be empty.");
            return;
        }
        com.fasterxml.jackson.databind.JsonNode echo;
        try {
            echo = RestEndpoints.JSON.readTree(call.body);
        } catch (Exception e) {
            echo = null;
        }
        if (echo == null || !(echo.isObject() || echo.isArray())) {
            RestEndpoints.okxError(call, 400, "50002", "JSON syntax error");
            return;
        }
        String clOrdId = echo.path("clOrdId").asText("");
        String tag = echo.path("tag").asText("");
        StringBuilder sb = new StringBuilder("{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"clOrdId\":");
        Fmt.str(sb, clOrdId).append(",\"ordId\":\"").append(++orderIds).append("\",\"tag\":");
        Fmt.str(sb, tag).append(",\"ts\":\"").append(now).append("\",\"sCode\":\"0\",\"sMsg\":\"Order placed\",\"echo\":")
                .append(echo).append("}],\"inTime\":\"").append(call.arrivedMs * 1000).append("\",\"outTime\":\"")
                .append(now * 1000).append("\"}");
        call.json(200, sb.toString());
    }

    // ------------------------------------------------------------------ helpers

    static byte[] hmac(String secret, String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Constant-time equality of the UTF-8 bytes (only the length can leak). */
    static boolean same(String given, String expected) {
        return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                expected.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }
}
