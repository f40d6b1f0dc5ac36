package io.marketetl.bench;

/**
 * Latency histogram in fixed memory: logarithmic buckets 1% wide from 1 microsecond to about 3 hours, so that
 * recording millions of values does not move the heap figures the benchmark reports. Percentiles are accurate to 1%.
 */
final class LatencyHistogram {

    private static final double GROWTH = 1.01;
    private static final double LOG_GROWTH = Math.log(GROWTH);
    private static final int BUCKETS = 2400;

    private final long[] counts = new long[BUCKETS];
    private long total;
    private long maxMicros;

    synchronized void record(long micros) {
        long v = Math.max(1, micros);
        int bucket = (int) Math.min(BUCKETS - 1, Math.floor(Math.log(v) / LOG_GROWTH));
        counts[bucket]++;
        total++;
        maxMicros = Math.max(maxMicros, v);
    }

    synchronized long count() {
        return total;
    }

    /** The p-th percentile in milliseconds (upper edge of its bucket), NaN when empty. */
    synchronized double percentileMs(double p) {
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(p / 100.0 * total);
        long seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return Math.min(Math.pow(GROWTH, i + 1), maxMicros) / 1000.0;
            }
        }
        return maxMicros / 1000.0;
    }
}
