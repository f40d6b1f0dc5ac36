package io.marketetl.connector.limit;

import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an HTTP {@code Retry-After} header (RFC 9110 section 10.2.3) into the instant (epoch milliseconds) before which
 * no request may be sent.
 * <ul>
 * <li><b>delta-seconds</b>: one or more digits ({@code "120"}), optionally surrounded by blanks. Fractions
 * ({@code "1.5"}), signs ({@code "-1"}, {@code "+1"}) and anything else are not delta-seconds and give an empty
 * result, as the RFC only allows non-negative integers.</li>
 * <li><b>HTTP-date</b>: the IMF-fixdate {@code Sun, 06 Nov 1994 08:49:37 GMT}, and the obsolete RFC 850
 * ({@code Sunday, 06-Nov-94 08:49:37 GMT}, two-digit years read as the RFC says: never more than 50 years ahead of
 * now) and asctime ({@code Sun Nov  6 08:49:37 1994}) forms. The weekday is not checked. A date in the past means
 * "now".</li>
 * </ul>
 * <b>Cap</b>: the wait is never longer than {@code maxDelayMillis} after {@code nowMillis}
 * ({@link #DEFAULT_MAX_DELAY_MILLIS}, 10 minutes, when not given), so a wrong or hostile header cannot stop a host for
 * days; a server that still wants a pause answers 429 again after the cap. Callers that must honour long waits (a
 * Binance 418 ban lasts 2 minutes to 3 days) pass a larger cap.
 * <p>
 * <b>Clock skew</b>: an HTTP-date is the server's clock. When the response's {@code Date} header is given, the wait is
 * taken as {@code Retry-After - Date} from {@code nowMillis}, which removes the skew between the two clocks.
 * <p>
 * Pure and thread-safe: time is passed in.
 */
public final class RetryAfter {

    /** The cap used by {@link #parse(String, long)}: 10 minutes. */
    public static final long DEFAULT_MAX_DELAY_MILLIS = 10 * 60_000L;

    private static final Pattern DELTA = Pattern.compile("\\d+");
    private static final Pattern IMF = Pattern.compile(
            "[A-Za-z]{3},\\s+(\\d{1,2})\\s+([A-Za-z]{3})\\s+(\\d{4})\\s+(\\d{2}):(\\d{2}):(\\d{2})\\s+(?:GMT|UTC)");
    private static final Pattern RFC850 = Pattern.compile(
            "[A-Za-z]+,\\s+(\\d{1,2})-([A-Za-z]{3})-(\\d{2})\\s+(\\d{2}):(\\d{2}):(\\d{2})\\s+(?:GMT|UTC)");
    private static final Pattern ASCTIME = Pattern.compile(
            "[A-Za-z]{3}\\s+([A-Za-z]{3})\\s+(\\d{1,2})\\s+(\\d{2}):(\\d{2}):(\\d{2})\\s+(\\d{4})");
    private static final String MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec";

    private RetryAfter() {
    }

    /** {@link #parse(String, String, long, long)} without a {@code Date} header, capped at 10 minutes. */
    public static OptionalLong parse(String headerValue, long nowMillis) {
        return parse(headerValue, null, nowMillis, DEFAULT_MAX_DELAY_MILLIS);
    }

    /** {@link #parse(String, String, long, long)} without a {@code Date} header. */
    public static OptionalLong parse(String headerValue, long nowMillis, long maxDelayMillis) {
        return parse(headerValue, null, nowMillis, maxDelayMillis);
    }

    /**
     * @param headerValue    the {@code Retry-After} value; null, blank or unreadable gives an empty result
     * @param dateHeader     the response's {@code Date} header, or null; used only with an HTTP-date value
     * @param nowMillis      the caller's clock, epoch milliseconds
     * @param maxDelayMillis the longest wait this returns, {@code >= 0}
     * @return the instant (epoch ms, {@code nowMillis <= t <= nowMillis + maxDelayMillis}) before which no request may
     *         be sent, or empty when the value is neither delta-seconds nor an HTTP-date
     */
    public static OptionalLong parse(String headerValue, String dateHeader, long nowMillis, long maxDelayMillis) {
        if (maxDelayMillis < 0) {
            throw new IllegalArgumentException("maxDelayMillis must be >= 0: " + maxDelayMillis);
        }
        if (headerValue == null) {
            return OptionalLong.empty();
        }
        String v = headerValue.trim();
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        long delay;
        if (DELTA.matcher(v).matches()) {
            // more than 12 digits is more than 30,000 years: the cap applies anyway
            delay = v.length() > 12 ? Long.MAX_VALUE : Long.parseLong(v) * 1000L;
        } else {
            OptionalLong at = parseHttpDate(v, nowMillis);
            if (at.isEmpty()) {
                return OptionalLong.empty();
            }
            OptionalLong serverNow = dateHeader == null ? OptionalLong.empty() : parseHttpDate(dateHeader.trim(), nowMillis);
            delay = at.getAsLong() - (serverNow.isPresent() ? serverNow.getAsLong() : nowMillis);
        }
        return OptionalLong.of(nowMillis + Math.max(0, Math.min(delay, maxDelayMillis)));
    }

    /**
     * An HTTP-date in any of its three forms as epoch milliseconds, or empty.
     *
     * @param nowMillis resolves two-digit RFC 850 years (at most 50 years ahead of this instant)
     */
    public static OptionalLong parseHttpDate(String value, long nowMillis) {
        if (value == null) {
            return OptionalLong.empty();
        }
        String v = value.trim();
        try {
            Matcher m = IMF.matcher(v);
            if (m.matches()) {
                return at(Integer.parseInt(m.group(3)), m.group(2), m.group(1), m.group(4), m.group(5), m.group(6));
            }
            m = ASCTIME.matcher(v);
            if (m.matches()) {
                return at(Integer.parseInt(m.group(6)), m.group(1), m.group(2), m.group(3), m.group(4), m.group(5));
            }
            m = RFC850.matcher(v);
            if (m.matches()) {
                int nowYear = LocalDateTime.ofEpochSecond(Math.floorDiv(nowMillis, 1000L), 0, ZoneOffset.UTC).getYear();
                int year = nowYear - Math.floorMod(nowYear, 100) + Integer.parseInt(m.group(3));
                if (year > nowYear + 50) {
                    year -= 100;
                }
                return at(year, m.group(2), m.group(1), m.group(4), m.group(5), m.group(6));
            }
        } catch (DateTimeException | NumberFormatException e) {
            return OptionalLong.empty(); // 31 Feb, 25:00:00 and the like
        }
        return OptionalLong.empty();
    }

    private static OptionalLong at(int year, String month, String day, String h, String min, String s) {
        int monthIndex = MONTHS.indexOf(month.toLowerCase(Locale.ROOT));
        if (monthIndex < 0 || monthIndex % 4 != 0) {
            return OptionalLong.empty();
        }
        // a leap second (:60) is read as :59
        int second = Math.min(59, Integer.parseInt(s));
        LocalDateTime t = LocalDateTime.of(year, monthIndex / 4 + 1, Integer.parseInt(day),
                Integer.parseInt(h), Integer.parseInt(min), second);
        return OptionalLong.of(t.toInstant(ZoneOffset.UTC).toEpochMilli());
    }
}
