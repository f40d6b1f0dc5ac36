package io.marketetl.maintenance;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Per-table age limits (a table without one keeps its rows forever) and the chunk size of the deletes. Off, the
 * default, when no table has a limit.
 */
public record RetentionPolicy(Map<RetentionTable, Duration> ages, int chunkRows) {

    public RetentionPolicy {
        ages = Collections.unmodifiableMap(ages.isEmpty() ? new EnumMap<>(RetentionTable.class) : new EnumMap<>(ages));
        if (chunkRows < 1) {
            throw new IllegalArgumentException("MARKET_ETL_RETENTION_CHUNK_ROWS must be at least 1, got " + chunkRows);
        }
    }

    /**
     * From the settings, each table's by {@link RetentionTable#property()}.
     *
     * @throws IllegalArgumentException one line naming the variable that is malformed
     */
    public static RetentionPolicy fromSettings(Function<String, String> setting, int chunkRows) {
        Map<RetentionTable, Duration> ages = new EnumMap<>(RetentionTable.class);
        for (RetentionTable t : RetentionTable.values()) {
            RetentionAge.parse(t.variable(), setting.apply(t.property())).ifPresent(age -> ages.put(t, age));
        }
        return new RetentionPolicy(ages, chunkRows);
    }

    public boolean off() {
        return ages.isEmpty();
    }

    public Optional<Duration> age(RetentionTable table) {
        return Optional.ofNullable(ages.get(table));
    }

    /** E.g. {@code websocket_messages older than 30d, malformed_frames older than 7d}, or {@code nothing}. */
    public String describe() {
        StringJoiner j = new StringJoiner(", ");
        ages.forEach((t, age) -> j.add(t.table() + " older than " + human(age)));
        return off() ? "nothing" : j.toString();
    }

    static String human(Duration age) {
        long minutes = age.toMinutes();
        if (minutes % (60 * 24 * 7) == 0) {
            return minutes / (60 * 24 * 7) + "w";
        }
        if (minutes % (60 * 24) == 0) {
            return minutes / (60 * 24) + "d";
        }
        return minutes % 60 == 0 ? minutes / 60 + "h" : minutes + "m";
    }
}
