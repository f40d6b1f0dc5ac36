package io.marketetl.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Stale-data detection judged per stream (channel + instrument), so a quiet channel does not make a busy connection
 * flap and a silently stalled connection is still caught.
 * <ul>
 * <li>For each stream it keeps the last data time and its typical inter-arrival gap: the larger of an EWMA of the
 * gaps and the largest of the last {@value #GAP_WINDOW} gaps (trade streams are bursty; the window keeps normal
 * pauses in mind). Gaps are only measured within one connection.</li>
 * <li>A stream that has produced data (on any connection) is stale when silent longer than
 * {@code max(staleAfter, factor x typicalGap)}; with no gap measured yet, {@code staleAfter x factor}. Silence is
 * counted from the later of its last data and the start of the connection (or the end of a backpressure pause).</li>
 * <li>Nothing at all since the connection started, for {@code max(staleAfter, smallest known stream threshold)}, is
 * stale too ({@value #NO_DATA}).</li>
 * <li>Each detection of the same stream without data in between doubles that stream's threshold (at most
 * 2^{@value #MAX_STRIKES}), so a genuinely halted instrument cannot cause a reconnect loop at a fixed period.</li>
 * </ul>
 * Times are {@link System#nanoTime()} values passed in by the caller. Not thread-safe (one event-loop context).
 */
public final class StreamWatchdog {

    /** Reported instead of a stream name when no data at all arrived. */
    public static final String NO_DATA = "(no data since subscribing)";
    static final int GAP_WINDOW = 32;
    static final int MAX_STRIKES = 3;
    private static final double EWMA_ALPHA = 0.1;

    private final long staleAfterNanos;
    private final double factor;
    private final Map<String, Stream> streams = new HashMap<>();
    private long epochStart;
    private boolean anyData;
    private int noDataStrikes;

    public StreamWatchdog(long staleAfterMs, double factor) {
        this.staleAfterNanos = staleAfterMs * 1_000_000L;
        this.factor = factor;
    }

    private static final class Stream {
        final String name;
        long lastNanos;
        boolean seenThisConnection;
        double ewmaGap;
        final long[] gaps = new long[GAP_WINDOW];
        int gapCount;
        int strikes;

        Stream(String name) {
            this.name = name;
        }

        void addGap(long gap) {
            ewmaGap = gapCount == 0 ? gap : EWMA_ALPHA * gap + (1 - EWMA_ALPHA) * ewmaGap;
            gaps[gapCount % GAP_WINDOW] = gap;
            gapCount++;
        }

        long typicalGap() {
            long max = 0;
            for (int i = 0; i < Math.min(gapCount, GAP_WINDOW); i++) {
                max = Math.max(max, gaps[i]);
            }
            return Math.max(max, (long) ewmaGap);
        }
    }

    /** A new connection is open: silence is counted from now; learned gaps are kept. */
    public void connectionOpened(long now) {
        epochStart = now;
        anyData = false;
        for (Stream s : streams.values()) {
            s.seenThisConnection = false;
        }
    }

    /** Reading resumed after a backpressure pause: the pause does not count as silence. */
    public void resumed(long now) {
        epochStart = Math.max(epochStart, now);
    }

    /** A data frame arrived; {@code stream} may be null when the frame names none. */
    public void onData(String stream, long now) {
        anyData = true;
        noDataStrikes = 0;
        if (stream == null) {
            return;
        }
        Stream s = streams.computeIfAbsent(stream, Stream::new);
        if (s.seenThisConnection) {
            s.addGap(Math.max(0, now - s.lastNanos));
        }
        s.lastNanos = now;
        s.seenThisConnection = true;
        s.strikes = 0;
    }

    /** The first stale stream (or {@link #NO_DATA}), counting a strike against it; null when all is well. */
    public String check(long now) {
        if (!anyData) {
            if (now - epochStart > noDataThreshold()) {
                noDataStrikes = Math.min(noDataStrikes + 1, MAX_STRIKES);
                return NO_DATA;
            }
            return null;
        }
        for (Stream s : streams.values()) {
            long since = s.seenThisConnection ? Math.max(s.lastNanos, epochStart) : epochStart;
            if (now - since > threshold(s)) {
                s.strikes = Math.min(s.strikes + 1, MAX_STRIKES);
                return s.name;
            }
        }
        return null;
    }

    private long threshold(Stream s) {
        long base = s.gapCount == 0 ? (long) (staleAfterNanos * factor)
                : Math.max(staleAfterNanos, (long) (factor * s.typicalGap()));
        return base << s.strikes;
    }

    private long noDataThreshold() {
        long smallest = Long.MAX_VALUE;
        for (Stream s : streams.values()) {
            smallest = Math.min(smallest, threshold(s) >> s.strikes);
        }
        long base = smallest == Long.MAX_VALUE ? staleAfterNanos : Math.max(staleAfterNanos, smallest);
        return base << noDataStrikes;
    }

    /** Current stale threshold of a stream in milliseconds, or -1 when the stream is unknown. */
    public long thresholdMs(String stream) {
        Stream s = streams.get(stream);
        return s == null ? -1 : threshold(s) / 1_000_000L;
    }

    /** Typical gap of a stream in milliseconds, or -1 when not measured yet. */
    public long typicalGapMs(String stream) {
        Stream s = streams.get(stream);
        return s == null || s.gapCount == 0 ? -1 : s.typicalGap() / 1_000_000L;
    }

    /**
     * What a health check needs of one stream: when its last data arrived (on any connection, {@link System#nanoTime()})
     * and how long a silence is usual for it (its threshold without the strikes of repeated detections).
     */
    public record Mark(String stream, long lastDataNanos, long allowedSilenceNanos) {
    }

    /** A {@link Mark} for every stream that has produced data. */
    public List<Mark> marks() {
        List<Mark> out = new ArrayList<>(streams.size());
        for (Stream s : streams.values()) {
            out.add(new Mark(s.name, s.lastNanos, threshold(s) >> s.strikes));
        }
        return out;
    }

    /** Names of the streams seen so far. */
    public List<String> streams() {
        return new ArrayList<>(streams.keySet());
    }
}
