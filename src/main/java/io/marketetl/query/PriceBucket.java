package io.marketetl.query;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The bucket sizes of {@code /api/prices?bucket=}: fixed lengths aligned to the Unix epoch in UTC (a {@code 1d}
 * bucket runs from 00:00 UTC, a {@code 1h} bucket from the full hour), the way PostgreSQL's {@code date_bin} with
 * origin 1970-01-01 cuts them.
 */
enum PriceBucket {
    S1("1s", Duration.ofSeconds(1)),
    S5("5s", Duration.ofSeconds(5)),
    S15("15s", Duration.ofSeconds(15)),
    M1("1m", Duration.ofMinutes(1)),
    M5("5m", Duration.ofMinutes(5)),
    M15("15m", Duration.ofMinutes(15)),
    H1("1h", Duration.ofHours(1)),
    H4("4h", Duration.ofHours(4)),
    D1("1d", Duration.ofDays(1));

    private final String text;
    private final Duration size;

    PriceBucket(String text, Duration size) {
        this.text = text;
        this.size = size;
    }

    static PriceBucket parse(String text) {
        return Arrays.stream(values()).filter(b -> b.text.equals(text)).findFirst().orElse(null);
    }

    static String names() {
        return Arrays.stream(values()).map(b -> b.text).collect(Collectors.joining(", "));
    }

    Duration size() {
        return size;
    }

    /** The SQL interval literal of this size (a constant, never caller text). */
    String sqlInterval() {
        return "INTERVAL '" + size.toSeconds() + " seconds'";
    }

    /** The start of the bucket holding {@code t}. */
    Instant start(Instant t) {
        long sizeMicros = size.toNanos() / 1000;
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, t);
        return Instant.EPOCH.plus(Math.floorDiv(micros, sizeMicros) * sizeMicros, ChronoUnit.MICROS);
    }
}
