package io.marketetl.connector.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    // Sun, 06 Nov 1994 08:49:37 GMT
    static final long NOV_6_1994 = Instant.parse("1994-11-06T08:49:37Z").toEpochMilli();
    static final long NOW = NOV_6_1994 - 30_000;

    @Test
    void deltaSecondsFromNow() {
        assertThat(RetryAfter.parse("120", 1_000)).hasValue(121_000);
        assertThat(RetryAfter.parse(" 0 ", 1_000)).hasValue(1_000);
        assertThat(RetryAfter.parse("007", 1_000)).hasValue(8_000);
    }

    @Test
    void notDeltaSecondsIsEmpty() {
        for (String bad : new String[] {null, "", "  ", "-1", "+5", "1.5", "1e3", "12 s", "soon", "0x10", "Sun, 06 Nov"}) {
            assertThat(RetryAfter.parse(bad, 1_000)).as(bad).isEmpty();
        }
    }

    @Test
    void imfFixdate() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).hasValue(NOV_6_1994);
        // weekday not checked, blanks tolerated
        assertThat(RetryAfter.parse("  Mon, 06 Nov 1994 08:49:37 GMT ", NOW)).hasValue(NOV_6_1994);
    }

    @Test
    void obsoleteForms() {
        assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", NOW)).hasValue(NOV_6_1994);
        assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", NOW)).hasValue(NOV_6_1994);
        assertThat(RetryAfter.parseHttpDate("Sun Nov 16 08:49:37 1994", NOW)).hasValue(NOV_6_1994 + 10 * 86_400_000L);
    }

    @Test
    void twoDigitYearsAreNeverMoreThanFiftyYearsAhead() {
        long in2026 = Instant.parse("2026-12-01T00:00:00Z").toEpochMilli();
        assertThat(RetryAfter.parseHttpDate("Tuesday, 01-Dec-26 00:00:00 GMT", in2026)).hasValue(in2026);
        assertThat(RetryAfter.parseHttpDate("Friday, 01-Dec-76 00:00:00 GMT", in2026))
                .hasValue(Instant.parse("2076-12-01T00:00:00Z").toEpochMilli());
        assertThat(RetryAfter.parseHttpDate("Saturday, 01-Dec-77 00:00:00 GMT", in2026))
                .hasValue(Instant.parse("1977-12-01T00:00:00Z").toEpochMilli());
    }

    @Test
    void impossibleDatesAreEmpty() {
        assertThat(RetryAfter.parse("Sun, 31 Feb 1994 08:49:37 GMT", NOW)).isEmpty();
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 25:49:37 GMT", NOW)).isEmpty();
        assertThat(RetryAfter.parse("Sun, 06 Foo 1994 08:49:37 GMT", NOW)).isEmpty();
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 CET", NOW)).isEmpty();
    }

    @Test
    void aDateInThePastMeansNow() {
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOV_6_1994 + 5_000)).hasValue(NOV_6_1994 + 5_000);
    }

    @Test
    void theWaitIsCapped() {
        assertThat(RetryAfter.parse("86400", 0)).hasValue(RetryAfter.DEFAULT_MAX_DELAY_MILLIS);
        assertThat(RetryAfter.parse("86400", 0, 3_600_000)).hasValue(3_600_000);
        assertThat(RetryAfter.parse("99999999999999999999999", 0, 5_000)).hasValue(5_000);
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", NOW, 1_000)).hasValue(NOW + 1_000);
        assertThatThrownBy(() -> RetryAfter.parse("1", 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDateHeaderRemovesClockSkew() {
        // the server's clock is an hour ahead of ours: it says "come back in 20 s" in its own time
        long ours = NOV_6_1994 - 3_600_000L;
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:57 GMT", "Sun, 06 Nov 1994 08:49:37 GMT", ours, 600_000))
                .hasValue(ours + 20_000);
        // an unreadable Date header is ignored
        assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:57 GMT", "yesterday", NOV_6_1994, 600_000))
                .hasValue(NOV_6_1994 + 20_000);
        // and delta-seconds do not need it
        assertThat(RetryAfter.parse("3", "Sun, 06 Nov 1994 08:49:37 GMT", ours, 600_000)).hasValue(ours + 3_000);
    }
}
