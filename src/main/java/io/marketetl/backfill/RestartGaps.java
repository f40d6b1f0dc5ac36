package io.marketetl.backfill;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The gaps a restart left in one trade stream: a small pure policy. Input: the id ranges of the stream's newest
 * committed rows (any order) and the first id received after the start. Output: the holes among those rows (a kill -9
 * loses the batches that were in memory, while a later batch of the same stream may have committed) and the gap
 * between the newest of them and the first id received now. Rows at or above the first id received now are this
 * run's and are left out. No rows at all: no gap (a stream never stored before has nothing to continue).
 */
public final class RestartGaps {

    private RestartGaps() {
    }

    public static List<TradeSequence.Gap> find(List<TradeIdRange> stored, long firstReceived) {
        List<TradeIdRange> before = new ArrayList<>();
        for (TradeIdRange r : stored) {
            if (r != null && r.firstId() < firstReceived) {
                before.add(r.lastId() < firstReceived ? r : new TradeIdRange(r.firstId(), firstReceived - 1));
            }
        }
        List<TradeSequence.Gap> gaps = new ArrayList<>();
        if (before.isEmpty()) {
            return gaps;
        }
        before.sort(Comparator.comparingLong(TradeIdRange::firstId));
        TradeSequence seq = new TradeSequence();
        for (TradeIdRange r : before) {
            seq.observe(r).ifPresent(gaps::add);
        }
        seq.observe(TradeIdRange.single(firstReceived)).ifPresent(gaps::add);
        return gaps;
    }
}
