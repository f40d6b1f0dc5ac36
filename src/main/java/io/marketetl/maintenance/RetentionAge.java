package io.marketetl.maintenance;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long a table keeps its rows: a whole number and a unit, {@code 90m}, {@code 12h}, {@code 30d} or {@code 2w};
 * empty means keep forever. Pure: parsing and nothing else.
 */
public final class RetentionAge {

    private static final Pattern FORMAT = Pattern.compile("(\\d{1,9})([mhdw])");

    private RetentionAge() {
    }

    /**
     * @param setting the variable's name, for the message
     * @param value   the setting's value
     * @return empty to keep rows forever
     * @throws IllegalArgumentException one line naming the setting, the value and the accepted format
     */
    public static Optional<Duration> parse(String setting, String value) {
        String v = value == null ? "" : value.strip();
        if (v.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(v);
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException(setting + ": '" + v + "' is not an age; give a positive whole number"
                    + " and a unit (m minutes, h hours, d days, w weeks), e.g. 30d, or leave it empty to keep rows"
                    + " forever");
        }
        long n = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2)) {
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
        });
    }
}
