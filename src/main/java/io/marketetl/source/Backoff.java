package io.marketetl.source;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Capped exponential back-off with full jitter: after the n-th consecutive failure (n = 0, 1, ...) the delay is
 * uniform in [0, min(max, initial x 2^n)]. It never gives up; {@link #reset()} (after a healthy period) starts over.
 * Not thread-safe (used on one source's event-loop context).
 */
public final class Backoff {

    private final long initialMs;
    private final long maxMs;
    private final RandomGenerator random;
    private int failures;

    public Backoff(long initialMs, long maxMs) {
        this(initialMs, maxMs, null);
    }

    /** @param random source of jitter; null = {@link ThreadLocalRandom} */
    public Backoff(long initialMs, long maxMs, RandomGenerator random) {
        if (initialMs <= 0 || maxMs < initialMs) {
            throw new IllegalArgumentException("need 0 < initial <= max");
        }
        this.initialMs = initialMs;
        this.maxMs = maxMs;
        this.random = random;
    }

    /** Upper bound of the delay after {@code n} earlier consecutive failures. */
    public long capMs(int n) {
        if (n >= 62 || initialMs > (maxMs >> Math.min(n, 62))) {
            return maxMs;
        }
        return Math.min(maxMs, initialMs << n);
    }

    /** The delay before the next attempt; counts one more failure. */
    public long nextDelayMs() {
        long cap = capMs(failures);
        if (failures < Integer.MAX_VALUE) {
            failures++;
        }
        RandomGenerator r = random != null ? random : ThreadLocalRandom.current();
        return r.nextLong(cap + 1);
    }

    /** Consecutive failures counted since the last reset. */
    public int failures() {
        return failures;
    }

    public void reset() {
        failures = 0;
    }
}
