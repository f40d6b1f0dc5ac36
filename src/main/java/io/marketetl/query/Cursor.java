package io.marketetl.query;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/**
 * A keyset position in a newest-first listing ordered by (timestamp DESC, id DESC): the last row of a page. The next
 * page holds the rows strictly after it in that order, so rows inserted meanwhile never shift a page (unlike OFFSET)
 * and every row already there is listed exactly once. Written as {@code <epoch microseconds>.<id>}; callers treat it
 * as opaque.
 */
record Cursor(Instant timestamp, long id) {

    Cursor {
        timestamp = timestamp.truncatedTo(ChronoUnit.MICROS);
    }

    static Cursor of(OffsetDateTime timestamp, long id) {
        return new Cursor(timestamp.toInstant(), id);
    }

    /** The cursor's text, or null for text that is not one. */
    static Cursor parse(String text) {
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1 || text.indexOf('.', dot + 1) >= 0) {
            return null;
        }
        try {
            long micros = Long.parseLong(text.substring(0, dot));
            long id = Long.parseLong(text.substring(dot + 1));
            return new Cursor(Instant.EPOCH.plus(micros, ChronoUnit.MICROS), id);
        } catch (NumberFormatException | ArithmeticException | java.time.DateTimeException e) {
            return null;
        }
    }

    OffsetDateTime sqlTimestamp() {
        return timestamp.atOffset(ZoneOffset.UTC);
    }

    @Override
    public String toString() {
        return ChronoUnit.MICROS.between(Instant.EPOCH, timestamp) + "." + id;
    }
}
