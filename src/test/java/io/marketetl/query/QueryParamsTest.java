package io.marketetl.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.rest.ApiError;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The query API's parameter reading, cursors and buckets, alone. */
class QueryParamsTest {

    private static final Set<String> KNOWN = Set.of("since", "until", "limit", "before", "bucket", "flag", "name");

    @Test
    void timesAreIsoInstantsOrEpochMillisecondsKeptToMicroseconds() {
        QueryParams p = QueryParams.parse("since=2026-12-03T08:00:00.1234567%2B01:00&until=1764745200000"
                + "&name=a%20b", KNOWN);
        assertThat(p.instant("since")).isEqualTo(Instant.parse("2026-12-03T07:00:00.123456Z"));
        assertThat(p.instant("until")).isEqualTo(Instant.ofEpochMilli(1764745200000L));
        assertThat(p.text("name")).isEqualTo("a b");
        assertThat(QueryParams.parse("since=2026-12-03T08:00:00+01:00", KNOWN).instant("since"))
                .as("a + as is, not a space").isEqualTo(Instant.parse("2026-12-03T07:00:00Z"));
        p.check();
    }

    @Test
    void everyProblemNamesItsParameterAndAllComeInOne400() {
        QueryParams p = QueryParams.parse("since=2026-12-03&until=x&limit=0&before=1.2.3&bucket=2m&flag=yes"
                + "&colour=red&name=a&name=b&limit2", KNOWN);
        p.instant("since");
        p.instant("until");
        p.intInRange("limit", 100, 1, 1000, "");
        p.cursor("before");
        p.bucket("bucket");
        p.bool("flag", false);
        assertThatThrownBy(p::check).isInstanceOfSatisfying(ApiError.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.problems()).extracting(s -> s.substring(0, s.indexOf(':'))).containsExactlyInAnyOrder(
                    "colour", "name", "limit2", "since", "until", "limit", "before", "bucket", "flag");
        });
    }

    @Test
    void limitsAreCheckedAgainstTheirRange() {
        QueryParams p = QueryParams.parse("limit=1000", KNOWN);
        assertThat(p.intInRange("limit", 100, 1, 1000, "")).isEqualTo(1000);
        assertThat(QueryParams.parse("", KNOWN).intInRange("limit", 100, 1, 1000, "")).isEqualTo(100);
        QueryParams over = QueryParams.parse("limit=1001", KNOWN);
        over.intInRange("limit", 100, 1, 1000, "");
        assertThat(over.problems()).containsExactly("limit: 1 to 1000, not 1001");
    }

    @Test
    void sinceAfterUntilIsAProblem() {
        QueryParams p = QueryParams.parse("", KNOWN);
        p.window(Instant.parse("2026-12-03T00:00:01Z"), Instant.parse("2026-12-03T00:00:00Z"));
        p.window(Instant.parse("2026-12-03T00:00:00Z"), Instant.parse("2026-12-03T00:00:00Z"));
        p.window(null, Instant.parse("2026-12-03T00:00:00Z"));
        assertThat(p.problems()).hasSize(1).allSatisfy(s -> assertThat(s).startsWith("since:"));
    }

    @Test
    void cursorsRoundTripWithMicroseconds() {
        Cursor c = new Cursor(Instant.parse("2026-12-03T07:00:00.123456789Z"), 42);
        assertThat(c.toString()).isEqualTo("1796281200123456.42");
        assertThat(Cursor.parse(c.toString())).isEqualTo(c);
        assertThat(Cursor.parse("-5.3")).isEqualTo(new Cursor(Instant.parse("1969-12-31T23:59:59.999995Z"), 3));
        for (String bad : new String[] {"", ".", "1.", ".1", "1.2.3", "a.1", "1.b", "99999999999999999999.1"}) {
            assertThat(Cursor.parse(bad)).as(bad).isNull();
        }
    }

    @Test
    void bucketsAreAlignedToTheEpochInUtc() {
        assertThat(PriceBucket.names()).isEqualTo("1s, 5s, 15s, 1m, 5m, 15m, 1h, 4h, 1d");
        assertThat(PriceBucket.parse("1h")).isEqualTo(PriceBucket.H1);
        assertThat(PriceBucket.parse("60m")).isNull();
        Instant t = Instant.parse("2026-12-03T07:59:59.999999Z");
        assertThat(PriceBucket.H4.start(t)).isEqualTo(Instant.parse("2026-12-03T04:00:00Z"));
        assertThat(PriceBucket.D1.start(t)).isEqualTo(Instant.parse("2026-12-03T00:00:00Z"));
        assertThat(PriceBucket.M15.start(t)).isEqualTo(Instant.parse("2026-12-03T07:45:00Z"));
        assertThat(PriceBucket.S5.start(Instant.parse("1969-12-31T23:59:58Z")))
                .isEqualTo(Instant.parse("1969-12-31T23:59:55Z"));
        assertThat(PriceBucket.M1.sqlInterval()).isEqualTo("INTERVAL '60 seconds'");
    }
}
