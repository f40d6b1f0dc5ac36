package io.marketetl.load;

import io.marketetl.normalise.MarketMessage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * One {@code websocket_messages} row as it will be stored: every value already fitted to its column, so that a
 * value the schema cannot hold never fails a batch (a failed batch is retried, and a batch that can never succeed
 * would stall its source). Fixed-point columns are kept as scaled longs, exactly as PostgreSQL will store them, so
 * that {@code total_time = extract + transform + load} holds to the last digit in the table and in the batch row.
 * <ul>
 * <li>varchar columns are cut to their length (characters), NUL characters become U+FFFD;</li>
 * <li>price: rounded to 8 decimals; null when it does not fit DECIMAL(20,8) (|price| &ge; 10^12);</li>
 * <li>latency_ms: rounded to 3 decimals; null without an event time or when |latency| &ge; 10^7 ms (2.8 h: a
 * clock or parsing error, not a latency);</li>
 * <li>extract/transform/load times: rounded to microseconds and capped at 3333.333333 s each, so that their sum,
 * total_time, fits DECIMAL(10,6);</li>
 * <li>timestamp: truncated to microseconds (what PostgreSQL stores), the same for both writers;</li>
 * <li>data: a {@code \u0000} escape (which jsonb refuses) becomes {@code \ufffd};</li>
 * <li>trade_id: the exchange's trade id (the natural key's last part), cut to 100 characters;</li>
 * <li>flags: the plausibility flags as a text[] literal, or null when there are none.</li>
 * </ul>
 */
public final class Row {

    /** Largest stage duration stored, in microseconds: three of them still fit DECIMAL(10,6). */
    public static final long MAX_STAGE_MICROS = 3_333_333_333L;
    private static final BigDecimal MAX_PRICE = new BigDecimal("1000000000000");
    private static final long MAX_LATENCY_MICRO_MS = 10_000_000_000L - 1; // 9,999,999.999 ms in 1/1000 ms

    final Instant timestamp;
    /** The timestamp and price as written by both the COPY text and the batch row's JSON: formatted once. */
    final String timestampText;
    final String exchange;
    final String connectorId;
    final String instrument;
    final BigDecimal price;
    final String priceText;
    final String data;
    final String messageType;
    final boolean hasLatency;
    final long latencyThousandths;
    final long messageNumber;
    final String format;
    final long extractMicros;
    final long transformMicros;
    final String tradeId;
    /** text[] literal of the plausibility flags, or null. */
    final String flags;
    /** Where the row goes; the fields below are those of api_connector_data rows (null / 0 otherwise). */
    final LoadTarget target;
    final String rawResponse;
    final int statusCode;
    final boolean hasResponseTime;
    final long responseTimeThousandths;
    final String callId;
    final String sessionId;
    /** The message's size as received (for the batch row's bytes) and its arrival (for a dead letter's time). */
    final int bytes;
    final Instant receivedAt;
    volatile long loadMicros = -1;
    /** Skipped by the insert: its natural key was already stored (it is not stored, its number is a recorded gap). */
    volatile boolean duplicate;

    Row(MarketMessage m) {
        this.timestamp = m.timestamp().truncatedTo(ChronoUnit.MICROS); // PostgreSQL keeps microseconds
        this.timestampText = IsoInstant.format(timestamp);
        this.exchange = text(m.exchange(), 50);
        this.connectorId = text(m.sourceId(), 100);
        this.instrument = text(m.instrument(), 100);
        this.price = price(m.price());
        this.priceText = price == null ? null : price.toPlainString();
        this.data = json(m.data());
        this.messageType = text(m.messageType(), 50);
        Double latency = m.latencyMs();
        long scaled = latency == null || latency.isNaN() ? Long.MAX_VALUE : Math.round(latency * 1000.0);
        this.hasLatency = Math.abs(scaled) <= MAX_LATENCY_MICRO_MS;
        this.latencyThousandths = hasLatency ? scaled : 0;
        this.messageNumber = m.messageNumber();
        this.format = text(m.format(), 50);
        this.extractMicros = micros(m.extractSeconds());
        this.transformMicros = micros(m.transformSeconds());
        this.target = LoadTarget.of(m);
        this.tradeId = text(m.tradeId(), 100);
        this.flags = m.flags().isEmpty() ? null : textArray(m.flags());
        this.bytes = m.bytes();
        this.receivedAt = m.receivedAt();
        io.marketetl.normalise.ApiCall call = m.call();
        if (call == null) {
            this.rawResponse = null;
            this.statusCode = 0;
            this.hasResponseTime = false;
            this.responseTimeThousandths = 0;
            this.callId = null;
            this.sessionId = null;
        } else {
            this.rawResponse = call.rawResponse() == null ? null : json(call.rawResponse());
            this.statusCode = call.statusCode();
            long rt = Double.isNaN(call.responseTimeMs()) ? Long.MAX_VALUE : Math.round(call.responseTimeMs() * 1000.0);
            this.hasResponseTime = rt >= 0 && rt <= MAX_LATENCY_MICRO_MS;
            this.responseTimeThousandths = hasResponseTime ? rt : 0;
            this.callId = text(call.callId(), 50);
            this.sessionId = text(call.sessionId(), 100);
        }
    }

    /** A row read back (e.g. from the spool): every value as it was fitted. */
    @SuppressWarnings("checkstyle:ParameterNumber")
    Row(Instant timestamp, String exchange, String connectorId, String instrument, BigDecimal price, String data,
            String messageType, boolean hasLatency, long latencyThousandths, long messageNumber, String format,
            long extractMicros, long transformMicros, String tradeId, String flags, LoadTarget target,
            String rawResponse, int statusCode, boolean hasResponseTime, long responseTimeThousandths, String callId,
            String sessionId, int bytes, Instant receivedAt) {
        this.timestamp = timestamp;
        this.timestampText = IsoInstant.format(timestamp);
        this.exchange = exchange;
        this.connectorId = connectorId;
        this.instrument = instrument;
        this.price = price;
        this.priceText = price == null ? null : price.toPlainString();
        this.data = data;
        this.messageType = messageType;
        this.hasLatency = hasLatency;
        this.latencyThousandths = latencyThousandths;
        this.messageNumber = messageNumber;
        this.format = format;
        this.extractMicros = extractMicros;
        this.transformMicros = transformMicros;
        this.tradeId = tradeId;
        this.flags = flags;
        this.target = target;
        this.rawResponse = rawResponse;
        this.statusCode = statusCode;
        this.hasResponseTime = hasResponseTime;
        this.responseTimeThousandths = responseTimeThousandths;
        this.callId = callId;
        this.sessionId = sessionId;
        this.bytes = bytes;
        this.receivedAt = receivedAt;
    }

    public static Row of(MarketMessage m) {
        return new Row(m);
    }

    public Instant timestamp() { return timestamp; }
    /** ISO-8601 UTC, e.g. 2026-11-25T05:14:12.123456Z. */
    public String timestampText() { return timestampText; }
    public String exchange() { return exchange; }
    public String connectorId() { return connectorId; }
    public String instrument() { return instrument; }
    public BigDecimal price() { return price; }
    /** The price as a plain decimal with 8 places, or null. */
    public String priceText() { return priceText; }
    /** The data column's JSON text. */
    public String dataJson() { return data; }
    public String messageType() { return messageType; }
    public boolean hasLatency() { return hasLatency; }
    /** latency_ms in thousandths of a millisecond (valid when {@link #hasLatency()}). */
    public long latencyThousandths() { return latencyThousandths; }
    public String format() { return format; }
    public LoadTarget target() { return target; }
    /** raw_response's JSON text, or null (API rows only). */
    public String rawResponseJson() { return rawResponse; }
    public int statusCode() { return statusCode; }
    public boolean hasResponseTime() { return hasResponseTime; }
    /** response_time_ms in thousandths of a millisecond (valid when {@link #hasResponseTime()}). */
    public long responseTimeThousandths() { return responseTimeThousandths; }
    /** source_id: the call's id (API rows only). */
    public String callId() { return callId; }
    public String sessionId() { return sessionId; }
    public String tradeId() { return tradeId; }
    /** The flags column's text[] literal, or null. */
    public String flags() { return flags; }
    /** The message's size as received, bytes. */
    public int bytes() { return bytes; }
    public Instant receivedAt() { return receivedAt; }
    /** Whether the insert skipped it as a duplicate of a stored row. */
    public boolean duplicate() { return duplicate; }

    public long messageNumber() {
        return messageNumber;
    }

    public long extractMicros() {
        return extractMicros;
    }

    public long transformMicros() {
        return transformMicros;
    }

    /** The stored load_time in microseconds, or -1 before the row is committed. */
    public long loadMicros() {
        return loadMicros;
    }

    /** The stored total_time in microseconds (extract + transform + load), or -1 before the row is committed. */
    public long totalMicros() {
        return loadMicros < 0 ? -1 : extractMicros + transformMicros + loadMicros;
    }

    /** A PostgreSQL array literal, every element quoted: {"a","b"}. */
    public static String textArray(Iterable<String> values) {
        StringBuilder sb = new StringBuilder("{");
        boolean firstElement = true;
        for (String v : values) {
            if (!firstElement) {
                sb.append(',');
            }
            firstElement = false;
            sb.append('"');
            for (int i = 0; i < v.length(); i++) {
                char c = v.charAt(i);
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    static long micros(double seconds) {
        if (!(seconds > 0)) {
            return 0; // also NaN
        }
        return Math.min(MAX_STAGE_MICROS, Math.round(seconds * 1_000_000.0));
    }

    static long clampMicros(long micros) {
        return Math.max(0, Math.min(MAX_STAGE_MICROS, micros));
    }

    static String text(String s, int maxChars) {
        if (s == null) {
            return null;
        }
        if (s.indexOf('\0') >= 0) {
            s = s.replace('\0', '\uFFFD');
        }
        if (s.length() > maxChars && s.codePointCount(0, s.length()) > maxChars) {
            s = s.substring(0, s.offsetByCodePoints(0, maxChars));
        }
        return s;
    }

    static BigDecimal price(BigDecimal p) {
        if (p == null) {
            return null;
        }
        BigDecimal rounded = p.setScale(8, RoundingMode.HALF_UP);
        return rounded.abs().compareTo(MAX_PRICE) >= 0 ? null : rounded;
    }

    static String json(String data) {
        if (data.indexOf('\0') >= 0) {
            data = data.replace('\0', '\uFFFD');
        }
        return data.contains("\\u0000") ? data.replace("\\u0000", "\\ufffd") : data;
    }

    /** Appends a scaled long as a plain decimal: (1234567, 6) gives "1.234567". */
    static void appendScaled(StringBuilder sb, long value, int scale) {
        if (value < 0) {
            sb.append('-');
            value = -value;
        }
        long pow = 1;
        for (int i = 0; i < scale; i++) {
            pow *= 10;
        }
        sb.append(value / pow);
        if (scale > 0) {
            sb.append('.');
            String frac = Long.toString(value % pow);
            for (int i = frac.length(); i < scale; i++) {
                sb.append('0');
            }
            sb.append(frac);
        }
    }

    public static String scaled(long value, int scale) {
        StringBuilder sb = new StringBuilder(24);
        appendScaled(sb, value, scale);
        return sb.toString();
    }
}
