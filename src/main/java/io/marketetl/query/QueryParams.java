package io.marketetl.query;

import io.marketetl.rest.ApiError;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query string of one request, read parameter by parameter: each reader answers the value (or null when absent
 * or bad) and records a problem naming the parameter; {@link #check()} then throws one 400 listing every problem.
 * Unknown and repeated parameters are problems too, so a typo is never silently ignored. A {@code +} stays a
 * {@code +} (as in a time's offset, {@code 2026-12-03T08:00:00+01:00}); every other character may be
 * percent-encoded.
 */
final class QueryParams {

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private QueryParams(String query, Set<String> known) {
        if (query == null || query.isEmpty()) {
            return;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (name == null || value == null) {
                problems.add("query string: malformed percent-encoding in " + pair);
            } else if (!known.contains(name)) {
                problems.add(name + ": unknown parameter (" + (known.isEmpty() ? "this call takes none"
                        : "known: " + String.join(", ", new TreeSet<>(known))) + ")");
            } else if (values.putIfAbsent(name, value) != null) {
                problems.add(name + ": given more than once");
            }
        }
    }

    /** Parses {@code query} (the raw query string, may be null) accepting only the {@code known} parameter names. */
    static QueryParams parse(String query, Set<String> known) {
        return new QueryParams(query, known);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    void problem(String text) {
        problems.add(text);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    /** A text value; an empty value counts as absent. */
    String text(String name) {
        String v = values.get(name);
        return v == null || v.isBlank() ? null : v.strip();
    }

    String required(String name) {
        String v = text(name);
        if (v == null) {
            problems.add(name + ": required");
        }
        return v;
    }

    /** An integer in {@code min..max}; {@code dflt} when absent. */
    int intInRange(String name, int dflt, int min, int max, String why) {
        String v = text(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            problems.add(name + ": an integer is required, not " + quote(v));
            return dflt;
        }
        problems.add(name + ": " + min + " to " + max + why + ", not " + v);
        return dflt;
    }

    /**
     * A time: an ISO-8601 instant with Z or an offset ({@code 2026-12-03T07:00:00Z}, fractions allowed) or epoch
     * milliseconds ({@code 1764745200000}); kept to microseconds, PostgreSQL's precision.
     */
    Instant instant(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        try {
            Instant t = v.chars().allMatch(Character::isDigit) && v.length() <= 15
                    ? Instant.ofEpochMilli(Long.parseLong(v))
                    : OffsetDateTime.parse(v).toInstant();
            return t.truncatedTo(ChronoUnit.MICROS);
        } catch (DateTimeParseException | NumberFormatException e) {
            problems.add(name + ": an ISO-8601 instant (2026-12-03T07:00:00Z) or epoch milliseconds is required, not "
                    + quote(v));
            return null;
        }
    }

    /** {@code true}/{@code false}; {@code dflt} when absent. */
    boolean bool(String name, boolean dflt) {
        String v = text(name);
        if (v == null) {
            return dflt;
        }
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(v);
        }
        problems.add(name + ": true or false, not " + quote(v));
        return dflt;
    }

    Cursor cursor(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        Cursor c = Cursor.parse(v);
        if (c == null) {
            problems.add(name + ": not a cursor of this API (give the previous answer's \"next\"), not " + quote(v));
        }
        return c;
    }

    PriceBucket bucket(String name) {
        String v = text(name);
        if (v == null) {
            return null;
        }
        PriceBucket b = PriceBucket.parse(v);
        if (b == null) {
            problems.add(name + ": one of " + PriceBucket.names() + ", not " + quote(v));
        }
        return b;
    }

    /** Checks that {@code since} is not after {@code until} (both may be null). */
    void window(Instant since, Instant until) {
        if (since != null && until != null && since.isAfter(until)) {
            problems.add("since: after until (" + since + " > " + until + ")");
        }
    }

    /** Throws one 400 naming every problem found so far. */
    void check() {
        if (!problems.isEmpty()) {
            throw new ApiError(400, "invalid query parameters", problems);
        }
    }

    List<String> problems() {
        return List.copyOf(problems);
    }

    private static String quote(String v) {
        String shown = v.length() > 60 ? v.substring(0, 60) + "..." : v;
        return "\"" + shown + "\"";
    }
}
