package io.marketetl.connector;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One connector run's counters: calls by outcome, response times (the last {@value #WINDOW} calls, for p50/p99),
 * ticks skipped and why, schedule lag (the last {@value #WINDOW} ticks for p50/p99, and every tick of the run in a
 * histogram), consecutive failures. Thread-safe; pure (no clock, no I/O).
 */
public final class ConnectorStats {

    static final int WINDOW = 1024;

    /**
     * Upper bounds (inclusive, ms) of the schedule-lag histogram's buckets; one more bucket holds the longer lags.
     * Counts since the run started, so two readings of it give the lag distribution of the time between them.
     */
    static final long[] LAG_BUCKETS_MS = {0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700,
            1000, 2000, 5000, 10000, 30000, 60000};

    private final LongAdder calls = new LongAdder();
    private final LongAdder rateLimited = new LongAdder();
    private final LongAdder banned = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final Map<String, LongAdder> skipped = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final AtomicLong consecutiveFailures = new AtomicLong();
    private final double[] responseTimes = new double[WINDOW];
    private final double[] lags = new double[WINDOW];
    private final AtomicLongArray lagBuckets = new AtomicLongArray(LAG_BUCKETS_MS.length + 1);
    private long responseCount;
    private long lagCount;
    private volatile long lastWeightUsed = -1;

    /** An answer was read: its status and how long the call took. */
    public void answered(int status, double responseTimeMs) {
        calls.increment();
        byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (status == 429) {
            rateLimited.increment();
        } else if (status == 418) {
            banned.increment();
        }
        synchronized (responseTimes) {
            responseTimes[(int) (responseCount++ % WINDOW)] = responseTimeMs;
        }
    }

    /** A call got no answer (timeout, connection refused). */
    public void noAnswer() {
        calls.increment();
        failures.increment();
    }

    /** A body-level rate limit (OKX 50011 in a 200 answer). */
    public void bodyRateLimited() {
        rateLimited.increment();
    }

    /** The call failed (no answer, 5xx, error in the body): returns the consecutive failures now. */
    public long failed() {
        return consecutiveFailures.incrementAndGet();
    }

    public void succeeded() {
        consecutiveFailures.set(0);
    }

    public void skipped(String reason) {
        skipped.computeIfAbsent(reason, r -> new LongAdder()).increment();
    }

    /** How late a tick ran against its schedule, in ms. */
    public void lag(double ms) {
        synchronized (lags) {
            lags[(int) (lagCount++ % WINDOW)] = ms;
        }
        lagBuckets.incrementAndGet(lagBucket(ms));
    }

    static int lagBucket(double ms) {
        int i = 0;
        while (i < LAG_BUCKETS_MS.length && ms > LAG_BUCKETS_MS[i]) {
            i++;
        }
        return i;
    }

    public void weightUsed(long weight) {
        lastWeightUsed = weight;
    }

    public long calls() { return calls.sum(); }
    public long rateLimited() { return rateLimited.sum(); }
    public long banned() { return banned.sum(); }
    public long noAnswers() { return failures.sum(); }
    public long consecutiveFailures() { return consecutiveFailures.get(); }
    public long lastWeightUsed() { return lastWeightUsed; }

    public long skippedTicks() {
        return skipped.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public Map<String, Long> skippedByReason() {
        Map<String, Long> m = new LinkedHashMap<>();
        skipped.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    public Map<Integer, Long> callsByStatus() {
        Map<Integer, Long> m = new LinkedHashMap<>();
        byStatus.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    /** Nearest-rank percentile of the recent response times, ms; NaN before the first answer. */
    public double responseTimePercentile(double p) {
        synchronized (responseTimes) {
            return percentile(responseTimes, responseCount, p);
        }
    }

    /**
     * Every tick of the run by its schedule lag: bucket upper bound in ms ("inf" for the last) to ticks, non-empty
     * buckets only, in bound order.
     */
    public Map<String, Long> lagHistogram() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (int i = 0; i <= LAG_BUCKETS_MS.length; i++) {
            long n = lagBuckets.get(i);
            if (n > 0) {
                m.put(i < LAG_BUCKETS_MS.length ? Long.toString(LAG_BUCKETS_MS[i]) : "inf", n);
            }
        }
        return m;
    }

    public double lagPercentile(double p) {
        synchronized (lags) {
            return percentile(lags, lagCount, p);
        }
    }

    static double percentile(double[] window, long count, double p) {
        int n = (int) Math.min(count, window.length);
        if (n == 0) {
            return Double.NaN;
        }
        double[] copy = Arrays.copyOf(window, n);
        Arrays.sort(copy);
        int rank = (int) Math.ceil(p / 100.0 * n);
        return copy[Math.max(0, Math.min(n - 1, rank - 1))];
    }
}
