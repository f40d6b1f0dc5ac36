package io.marketetl.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PendingGapsTest {

    @Test
    void aLateUnitClosesOrSplitsAHeldGap() {
        PendingGaps p = new PendingGaps();
        p.add(new TradeSequence.Gap(10, 20), 1_000);
        p.cover(new TradeIdRange(13, 15));
        p.cover(new TradeIdRange(19, 25));
        assertThat(p.takeDue(1_500, 1_000)).isEmpty();
        assertThat(p.takeDue(2_000, 1_000)).containsExactly(new TradeSequence.Gap(10, 12),
                new TradeSequence.Gap(16, 18));
        assertThat(p.isEmpty()).isTrue();
    }

    @Test
    void aGapCoveredWholeIsGone() {
        PendingGaps p = new PendingGaps();
        p.add(new TradeSequence.Gap(10, 20), 0);
        p.add(new TradeSequence.Gap(30, 30), 500);
        p.cover(new TradeIdRange(5, 25));
        assertThat(p.takeDue(600, 100)).containsExactly(new TradeSequence.Gap(30, 30));
    }
}
