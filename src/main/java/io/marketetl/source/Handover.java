package io.marketetl.source;

import io.marketetl.exchanges.FrameInfo;

/**
 * The decisions of a planned reconnect without a gap (OKX 64008 notice, Binance serverShutdown, max connection age):
 * a successor socket is opened and subscribed while the current one keeps delivering; the successor takes over (and
 * the current socket is closed) once it proves itself with data or a subscribe ack; if it proves nothing within
 * {@code maxOverlapMs} of opening, or fails, it is abandoned and the current socket stays. At most one successor at a
 * time, so a source holds at most two sockets, and two only for the bounded overlap. No I/O, no clock: times are
 * passed in (nanoseconds). Not thread-safe (used on one source's event-loop context).
 */
public final class Handover {

    /** Where a handover stands. */
    public enum Phase {
        /** No successor. */
        IDLE,
        /** A successor is being connected. */
        CONNECTING,
        /** The successor is open and subscribing; both sockets deliver. */
        OVERLAP
    }

    private final long maxOverlapNanos;
    private Phase phase = Phase.IDLE;
    private long openedAtNanos;
    private String reason;

    /** @param maxOverlapMs how long a successor may take to prove itself; 0 = no handover (close, then reconnect) */
    public Handover(long maxOverlapMs) {
        if (maxOverlapMs < 0) {
            throw new IllegalArgumentException("maxOverlapMs must be >= 0");
        }
        this.maxOverlapNanos = maxOverlapMs * 1_000_000L;
    }

    /** Whether planned reconnects open a successor first (false: close the socket, then reconnect). */
    public boolean enabled() {
        return maxOverlapNanos > 0;
    }

    /**
     * A planned reconnect was asked for.
     *
     * @return true: open a successor now; false: one is already under way (or handover is disabled)
     */
    public boolean requested(String why) {
        if (!enabled() || phase != Phase.IDLE) {
            return false;
        }
        phase = Phase.CONNECTING;
        reason = why;
        return true;
    }

    /** The successor's socket is open (its subscribes go out now). */
    public void opened(long nowNanos) {
        if (phase == Phase.CONNECTING) {
            phase = Phase.OVERLAP;
            openedAtNanos = nowNanos;
        }
    }

    /** Whether this frame from the successor proves it: data or a subscribe ack. */
    public boolean proves(FrameInfo.Kind kind) {
        return phase == Phase.OVERLAP && (kind == FrameInfo.Kind.DATA || kind == FrameInfo.Kind.ACK);
    }

    /** Whether the open successor has had its overlap and proved nothing: abandon it, keep the current socket. */
    public boolean overdue(long nowNanos) {
        return phase == Phase.OVERLAP && nowNanos - openedAtNanos >= maxOverlapNanos;
    }

    /** Milliseconds left of the successor's overlap (for a timer), at least 1. */
    public long overlapLeftMs(long nowNanos) {
        long left = openedAtNanos + maxOverlapNanos - nowNanos;
        return Math.max(1, (left + 999_999L) / 1_000_000L);
    }

    /** The successor took over (or the current socket went away and it simply became the connection). */
    public void promoted() {
        phase = Phase.IDLE;
        reason = null;
    }

    /** The successor failed or was abandoned; {@link #requested} may start another one (after a back-off). */
    public void failed() {
        phase = Phase.IDLE;
    }

    public Phase phase() {
        return phase;
    }

    /** Why the running handover was asked for, or null. */
    public String reason() {
        return reason;
    }
}
