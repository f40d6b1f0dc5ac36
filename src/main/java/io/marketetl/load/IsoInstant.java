package io.marketetl.load;

import java.time.Instant;

/**
 * {@link Instant#toString()} without DateTimeFormatter: the same text ({@code 2026-12-03T13:56:49.123Z}: seconds
 * always, the fraction in groups of three digits as needed, none when zero), computed from the epoch seconds with
 * plain arithmetic. Years outside 1000-9999 are left to {@link Instant#toString()}. Written once per row for the COPY
 * text and the batch row's JSON.
 */
final class IsoInstant {

    private static final long MIN_SECOND = -30_610_224_000L; // 1000-01-01T00:00:00Z
    private static final long MAX_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

    private IsoInstant() {
    }

    static String format(Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < MIN_SECOND || seconds > MAX_SECOND) {
            return t.toString();
        }
        int nano = t.getNano();
        long day = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        // civil date from days since 1970-01-01 (H. Hinnant's days_from_civil inverse)
        long z = day + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        int dayOfMonth = (int) (doy - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
        int digits = nano == 0 ? 0 : nano % 1_000_000 == 0 ? 3 : nano % 1000 == 0 ? 6 : 9;
        char[] c = new char[20 + (digits == 0 ? 0 : digits + 1)];
        put(c, 0, year, 4);
        c[4] = '-';
        put(c, 5, month, 2);
        c[7] = '-';
        put(c, 8, dayOfMonth, 2);
        c[10] = 'T';
        put(c, 11, secondOfDay / 3600, 2);
        c[13] = ':';
        put(c, 14, secondOfDay / 60 % 60, 2);
        c[16] = ':';
        put(c, 17, secondOfDay % 60, 2);
        int end = 19;
        if (digits > 0) {
            c[19] = '.';
            int fraction = digits == 3 ? nano / 1_000_000 : digits == 6 ? nano / 1000 : nano;
            put(c, 20, fraction, digits);
            end = 20 + digits;
        }
        c[end] = 'Z';
        return new String(c);
    }

    private static void put(char[] c, int at, int value, int width) {
        for (int i = at + width - 1; i >= at; i--) {
            c[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }
}
