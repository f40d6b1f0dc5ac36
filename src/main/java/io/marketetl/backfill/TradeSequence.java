package io.marketetl.backfill;

import java.util.Optional;

/**
 * Trade-id continuity of one exchange/instrument (issue #11 item 5): a small pure policy, no I/O.
 *
 * <p>Each received unit covers the inclusive trade-id range {@code [first, last]} (one Binance {@code @trade}:
 * {@code t..t}; one Binance {@code @aggTrade}: {@code f..l}; one OKX {@code trades} item:
 * {@code tradeId-count+1..tradeId}); the exchange modules compute that range ({@link TradeIdRange}). A unit whose
 * first id is beyond {@code last seen + 1} reveals the gap {@code [last+1, first-1]}. Ids at or below the last seen
 * id are duplicates or replays (reconnect overlap) and never move the sequence back.
 *
 * <p>The sequence is seeded either by the first unit received (in-stream and reconnect gaps: keep one instance per
 * instrument across reconnects) or by {@link #resumeAfter(long)} with the last trade id <em>committed</em> in the
 * database, so that the gap across a restart (also after kill -9) is found with the first trade after start.
 */
public final class TradeSequence {

    /** An inclusive range of missing trade ids. */
    public record Gap(long fromId, long toId) {
        public Gap {
            if (fromId > toId) {
                throw new IllegalArgumentException("empty gap " + fromId + ".." + toId);
            }
        }

        public long size() {
            return toId - fromId + 1;
        }
    }

    private long last = Long.MIN_VALUE;
    private boolean seeded;

    /** Seeds the sequence with the last committed trade id (restart gap). Never moves it back. */
    public void resumeAfter(long committedTradeId) {
        if (!seeded || committedTradeId > last) {
            last = committedTradeId;
            seeded = true;
        }
    }

    /**
     * Records a received unit covering {@code [firstId, lastId]}; returns the gap before it, if any.
     */
    public Optional<Gap> observe(TradeIdRange range) {
        Optional<Gap> gap = Optional.empty();
        if (seeded && range.firstId() > last + 1) {
            gap = Optional.of(new Gap(last + 1, range.firstId() - 1));
        }
        if (!seeded || range.lastId() > last) {
            last = range.lastId();
            seeded = true;
        }
        return gap;
    }

    /** The highest trade id seen so far, if any. */
    public Optional<Long> lastId() {
        return seeded ? Optional.of(last) : Optional.empty();
    }
}
