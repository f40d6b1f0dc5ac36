package io.marketetl.backfill;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Gaps of one instrument's trade ids that were just seen and are not yet acted on: a small pure policy, no I/O, not
 * thread-safe (its owner locks).
 * <p>
 * A gap is held for a grace period before it is filled, because ids can still arrive late: during a planned
 * reconnect two sockets deliver for a moment and the newer one may be ahead of the older one, and one frame may be
 * delivered after the next. A unit that arrives within the grace period takes its ids out of the held gaps (splitting
 * one when it lands in its middle); what is left when the grace period is over is a real gap.
 */
public final class PendingGaps {

    /** A held gap and when it was seen (epoch ms). */
    public record Held(TradeSequence.Gap gap, long seenAtMillis) {
    }

    private final List<Held> held = new ArrayList<>(2);

    public void add(TradeSequence.Gap gap, long nowMillis) {
        held.add(new Held(gap, nowMillis));
    }

    /** Takes the ids of a late unit out of the held gaps. */
    public void cover(TradeIdRange range) {
        if (held.isEmpty()) {
            return;
        }
        List<Held> out = new ArrayList<>(held.size() + 1);
        for (Held h : held) {
            TradeSequence.Gap g = h.gap();
            if (range.lastId() < g.fromId() || range.firstId() > g.toId()) {
                out.add(h);
                continue;
            }
            if (range.firstId() > g.fromId()) {
                out.add(new Held(new TradeSequence.Gap(g.fromId(), range.firstId() - 1), h.seenAtMillis()));
            }
            if (range.lastId() < g.toId()) {
                out.add(new Held(new TradeSequence.Gap(range.lastId() + 1, g.toId()), h.seenAtMillis()));
            }
        }
        held.clear();
        held.addAll(out);
    }

    /** Removes and returns the gaps held for at least {@code graceMillis}. */
    public List<TradeSequence.Gap> takeDue(long nowMillis, long graceMillis) {
        List<TradeSequence.Gap> due = new ArrayList<>();
        for (Iterator<Held> it = held.iterator(); it.hasNext();) {
            Held h = it.next();
            if (nowMillis - h.seenAtMillis() >= graceMillis) {
                due.add(h.gap());
                it.remove();
            }
        }
        return due;
    }

    public boolean isEmpty() {
        return held.isEmpty();
    }
}
