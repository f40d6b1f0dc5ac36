package io.marketetl.connector.limit;

import io.marketetl.source.Backoff;
import java.util.random.RandomGenerator;

/**
 * A connector's "next call not before": after a timeout, an I/O error, a 5xx, a client error or a body error, the next
 * call waits a delay drawn by {@link Backoff} (capped exponential with full jitter, forever); a success resets it.
 * Rate limits and bans are the {@link HostBudget}'s business (they hold for the whole host) and leave this unchanged.
 * Times are epoch milliseconds passed in. Thread-safe (a connector's calls may overlap).
 */
public final class CallBackoff {

    private final Backoff backoff;
    private long notBefore = Long.MIN_VALUE;

    public CallBackoff(long initialMillis, long maxMillis) {
        this(initialMillis, maxMillis, null);
    }

    /** @param random source of jitter; null = {@link java.util.concurrent.ThreadLocalRandom} */
    public CallBackoff(long initialMillis, long maxMillis, RandomGenerator random) {
        this.backoff = new Backoff(initialMillis, maxMillis, random);
    }

    /** True when a call may be made at {@code nowMillis}. */
    public synchronized boolean mayCall(long nowMillis) {
        return nowMillis >= notBefore;
    }

    /** The instant before which no call should be made ({@code Long.MIN_VALUE} after a success). */
    public synchronized long notBeforeMillis() {
        return notBefore;
    }

    /** Counts one failure; returns the new "not before" instant. */
    public synchronized long onFailure(long nowMillis) {
        notBefore = nowMillis + backoff.nextDelayMs();
        return notBefore;
    }

    public synchronized void onSuccess() {
        backoff.reset();
        notBefore = Long.MIN_VALUE;
    }

    /**
     * Applies a call's outcome: {@link ResponseOutcome#OK} resets, rate limits and bans change nothing, everything else
     * counts as a failure.
     *
     * @return the "not before" instant after this outcome
     */
    public synchronized long onOutcome(ResponseOutcome outcome, long nowMillis) {
        switch (outcome) {
            case OK -> onSuccess();
            case RATE_LIMITED, BANNED -> {
            }
            default -> onFailure(nowMillis);
        }
        return notBefore;
    }

    /** Consecutive failures since the last success. */
    public synchronized int failures() {
        return backoff.failures();
    }

    /** Upper bound of the next delay (for status: "retrying within ..."). */
    public synchronized long nextCapMillis() {
        return backoff.capMs(backoff.failures());
    }
}
