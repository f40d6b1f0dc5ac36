package io.marketetl.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RestartGapsTest {

    @Test
    void theIdsBetweenTheLastCommittedAndTheFirstReceivedAreAGap() {
        assertThat(RestartGaps.find(List.of(TradeIdRange.single(7), TradeIdRange.single(5), TradeIdRange.single(6)),
                20)).containsExactly(new TradeSequence.Gap(8, 19));
    }

    @Test
    void aHoleAmongTheCommittedRowsIsAGapToo() {
        // kill -9: the batch with 4..6 was in memory while the next one committed; received now from 9 on
        List<TradeIdRange> stored = List.of(new TradeIdRange(1, 3), new TradeIdRange(7, 8));
        assertThat(RestartGaps.find(stored, 9)).containsExactly(new TradeSequence.Gap(4, 6));
    }

    @Test
    void rowsOfThisRunAndUnreadableOnesAreLeftOut() {
        List<TradeIdRange> stored = new java.util.ArrayList<>(List.of(new TradeIdRange(1, 3), new TradeIdRange(9, 12),
                new TradeIdRange(20, 22)));
        stored.add(null);
        assertThat(RestartGaps.find(stored, 10)).containsExactly(new TradeSequence.Gap(4, 8));
    }

    @Test
    void aStreamNeverStoredHasNoGap() {
        assertThat(RestartGaps.find(List.of(), 1_000)).isEmpty();
        assertThat(RestartGaps.find(List.of(TradeIdRange.single(1_000)), 1_000)).isEmpty();
    }
}
