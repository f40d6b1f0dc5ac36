package io.marketetl.console;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * Messages per second of each source from successive readings of its {@code connector_status.message_count}: the
 * count's growth over the readings of the last {@code window} (oldest kept reading to the newest), shared by every
 * viewer of {@code /api/sources}. No rate until two readings at least {@code minSpanNanos} apart; a count that went
 * down (a connector deleted and registered again), or a source not read for a whole window, starts over. Pure: the caller passes the clock's reading.
 */
public final class MessageRates {

    private record Reading(long count, long atNanos) {
    }

    private final long windowNanos;
    private final long minSpanNanos;
    private final Map<String, Deque<Reading>> readings = new HashMap<>();

    public MessageRates(long windowNanos, long minSpanNanos) {
        if (windowNanos <= 0 || minSpanNanos <= 0 || minSpanNanos > windowNanos) {
            throw new IllegalArgumentException("need 0 < minSpan <= window");
        }
        this.windowNanos = windowNanos;
        this.minSpanNanos = minSpanNanos;
    }

    /** Records the source's count at {@code nowNanos} and answers its rate, or null while there is none yet. */
    public synchronized Double record(String sourceId, long count, long nowNanos) {
        Deque<Reading> list = readings.computeIfAbsent(sourceId, k -> new ArrayDeque<>());
        Reading newest = list.peekLast();
        if (newest != null && (count < newest.count() || nowNanos - newest.atNanos() > windowNanos)) {
            list.clear(); // counted anew, or not read for a whole window: an old reading would average over idle time
        }
        list.addLast(new Reading(count, nowNanos));
        // keep one reading at or beyond the window's start, so that the span covers the whole window
        while (list.size() > 2) {
            var it = list.iterator();
            it.next();
            Reading second = it.next();
            if (nowNanos - second.atNanos() >= windowNanos) {
                list.removeFirst();
            } else {
                break;
            }
        }
        Reading oldest = list.peekFirst();
        long span = nowNanos - oldest.atNanos();
        if (span < minSpanNanos) {
            return null;
        }
        return (count - oldest.count()) * 1e9 / span;
    }

    /** Forgets sources that are gone. */
    public synchronized void retainOnly(Collection<String> sourceIds) {
        readings.keySet().retainAll(sourceIds);
    }
}
