package io.marketetl.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.backfill.GapFill.Direction;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class GapFillTest {

    private static long[] ids(long from, long to) {
        return LongStream.rangeClosed(from, to).toArray();
    }

    @Test
    void ascendingPagesFromTheGapStartUntilAnIdBeyondItsEnd() {
        GapFill f = new GapFill(100, 2_400, Direction.ASCENDING, true);
        assertThat(f.cursor()).isEqualTo(100);
        f.page(ids(100, 1_099), true);
        assertThat(f.done()).isFalse();
        assertThat(f.cursor()).isEqualTo(1_100);
        f.page(ids(1_100, 2_099), true);
        f.page(ids(2_100, 3_099), true);
        assertThat(f.done()).isTrue();
        assertThat(f.found()).isEqualTo(2_301);
        assertThat(f.missing()).isZero();
        assertThat(f.wanted(2_400)).isTrue();
        assertThat(f.wanted(2_401)).isFalse();
        assertThat(f.wanted(99)).isFalse();
        assertThatThrownBy(() -> f.page(ids(1, 2), true)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void ascendingHistoryThatStartsInsideTheGapLacksTheIdsBeforeIt() {
        GapFill f = new GapFill(100, 199, Direction.ASCENDING, true);
        f.page(ids(150, 260), false); // retention: the oldest kept trade is 150
        assertThat(f.done()).isTrue();
        assertThat(f.found()).isEqualTo(50);
        assertThat(f.missing()).isEqualTo(50);
    }

    @Test
    void ascendingConsecutiveIdsCountHolesAsMissing() {
        GapFill f = new GapFill(10, 20, Direction.ASCENDING, true);
        f.page(new long[] {21, 10, 11, 15, 16, 17, 18, 19, 20}, false); // any order; 12..14 never came
        assertThat(f.done()).isTrue();
        assertThat(f.found()).isEqualTo(8);
        assertThat(f.missing()).isEqualTo(3);
    }

    @Test
    void idsThatNeverExistedAreAllMissing() {
        GapFill asc = new GapFill(10, 19, Direction.ASCENDING, true);
        asc.page(ids(20, 30), false);
        assertThat(asc.done()).isTrue();
        assertThat(asc.missing()).isEqualTo(10);
        GapFill desc = new GapFill(10, 19, Direction.DESCENDING, true);
        desc.page(ids(1, 9), true);
        assertThat(desc.done()).isTrue();
        assertThat(desc.found()).isZero();
        assertThat(desc.missing()).isEqualTo(10);
    }

    @Test
    void withoutConsecutiveIdsAGapInsideTheHistoryHoldsFillsOfTheRecordAboveIt() {
        // OKX-like: records 9 and 12 (12 the last fill of 10..12): the restart check's hole 10..11 below a
        // backfilled record 12 is in no record of its own; the history reaches below it, so nothing is missing
        GapFill inside = new GapFill(10, 11, Direction.DESCENDING, false);
        inside.page(new long[] {9, 7, 4}, true);
        assertThat(inside.done()).isTrue();
        assertThat(inside.found()).isZero();
        assertThat(inside.missing()).isZero();
        // but a history that ends above the gap (a short page, nothing below it) lacks it whole
        GapFill beyond = new GapFill(10, 11, Direction.DESCENDING, false);
        beyond.page(new long[0], false);
        assertThat(beyond.done()).isTrue();
        assertThat(beyond.missing()).isEqualTo(2);
    }

    @Test
    void descendingPagesBackFromTheGapEndUntilAnIdBeforeItsStart() {
        GapFill f = new GapFill(1_000, 1_249, Direction.DESCENDING, false);
        assertThat(f.cursor()).isEqualTo(1_250);
        f.page(ids(1_150, 1_249), true);
        assertThat(f.cursor()).isEqualTo(1_150);
        f.page(ids(1_050, 1_149), true);
        assertThat(f.done()).isFalse();
        f.page(ids(950, 1_049), true);
        assertThat(f.done()).isTrue();
        assertThat(f.found()).isEqualTo(250);
        assertThat(f.missing()).isZero();
    }

    @Test
    void descendingItemsThatStandForSeveralIdsLeaveNoMissingCountWithoutConsecutiveIds() {
        // OKX-like records: the gap 10..20 is covered by records with last ids 12, 16 and 20
        GapFill f = new GapFill(10, 20, Direction.DESCENDING, false);
        f.page(new long[] {20, 16, 12, 9}, true);
        assertThat(f.done()).isTrue();
        assertThat(f.found()).isEqualTo(3);
        assertThat(f.missing()).isZero();
    }

    @Test
    void descendingHistoryThatEndsInsideTheGapLacksTheIdsBelowIt() {
        GapFill f = new GapFill(100, 299, Direction.DESCENDING, false);
        f.page(ids(200, 299), true);
        f.page(ids(180, 199), false); // nothing older is kept
        assertThat(f.done()).isTrue();
        assertThat(f.found()).isEqualTo(120);
        assertThat(f.missing()).isEqualTo(80);
    }

    @Test
    void anEmptyAnswerEndsTheFill() {
        GapFill f = new GapFill(5, 9, Direction.ASCENDING, true);
        f.page(new long[0], false);
        assertThat(f.done()).isTrue();
        assertThat(f.missing()).isEqualTo(5);
    }
}
