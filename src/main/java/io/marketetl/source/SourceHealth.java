package io.marketetl.source;

import java.util.List;

/**
 * The health verdict of one WebSocket source (pure: no clock, no I/O; {@code /observe/health} asks it per source).
 * <ul>
 * <li>UNKNOWN while its route is stopped on purpose, and while it starts: until its first data frame, for at most
 * {@code startupGraceMs} after the start.</li>
 * <li>DOWN when no socket is open (a drop, a failed attempt, back-off), or no data has arrived by the end of the
 * grace period, or a stream has been silent longer than its usual silence ({@link StreamWatchdog}'s threshold for it,
 * from its own inter-arrival gaps; counted from its last data, across reconnects, so a source that keeps reconnecting
 * to a stalled feed stays DOWN).</li>
 * <li>UP otherwise, also while reading is paused because the pipeline is full (that is the database's health, which
 * readiness reports).</li>
 * </ul>
 */
public final class SourceHealth {

    public enum State { UP, DOWN, UNKNOWN }

    /** The verdict and the line an operator reads. */
    public record Verdict(State state, String message) {
    }

    /** What the verdict is made of; times are {@link System#nanoTime()} values. */
    public record Facts(boolean running, ExchangeConnection.State connection, boolean paused, long dataFrames,
            long startedNanos, String lastDropReason, List<StreamWatchdog.Mark> streams) {
    }

    private SourceHealth() {
    }

    public static Verdict judge(Facts f, long now, long startupGraceMs) {
        if (!f.running() || f.connection() == ExchangeConnection.State.STOPPED) {
            return new Verdict(State.UNKNOWN, "stopped");
        }
        boolean inGrace = now - f.startedNanos() < startupGraceMs * 1_000_000L;
        if (f.dataFrames() == 0 && inGrace) {
            return new Verdict(State.UNKNOWN, "starting: " + f.connection().name().toLowerCase());
        }
        if (f.connection() != ExchangeConnection.State.OPEN) {
            return new Verdict(State.DOWN, "not connected (" + f.connection().name().toLowerCase() + ")"
                    + (f.lastDropReason() == null ? "" : "; last drop: " + f.lastDropReason()));
        }
        if (f.dataFrames() == 0) {
            return new Verdict(State.DOWN, "connected, but no data in the " + startupGraceMs + " ms since the start");
        }
        if (f.paused()) {
            return new Verdict(State.UP, "reading paused: the pipeline is full");
        }
        StreamWatchdog.Mark worst = null;
        double worstRatio = 0;
        for (StreamWatchdog.Mark m : f.streams()) {
            double ratio = (double) (now - m.lastDataNanos()) / Math.max(1, m.allowedSilenceNanos());
            if (worst == null || ratio > worstRatio) {
                worst = m;
                worstRatio = ratio;
            }
        }
        if (worst != null && worstRatio > 1) {
            return new Verdict(State.DOWN, "no data on " + worst.stream() + " for "
                    + (now - worst.lastDataNanos()) / 1_000_000L + " ms (usual silence at most "
                    + worst.allowedSilenceNanos() / 1_000_000L + " ms)");
        }
        return new Verdict(State.UP, "connected, data flowing");
    }
}
