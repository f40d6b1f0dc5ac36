package io.marketetl.source;

import io.marketetl.exchanges.ExchangeDialect;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One data frame as received from an exchange WebSocket: the body of every Camel exchange an {@code exchange:}
 * consumer creates. Control frames (acks, pongs, notices, subscribe errors) never become RawFrames.
 *
 * @param sourceId      the source (the {@code exchange:<sourceId>} path) that received it
 * @param dialect       the dialect instance of that source; {@link ExchangeDialect#normalise(RawFrame)} parses it
 * @param text          the frame text exactly as received
 * @param receivedAt    wall-clock time of arrival
 * @param receivedNanos {@link System#nanoTime()} at arrival, for stage durations
 */
public record RawFrame(String sourceId, ExchangeDialect dialect, String text, Instant receivedAt, long receivedNanos) {

    /** Size of the frame text in UTF-8 bytes (what went over the wire, uncompressed). */
    public int bytes() {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }

    @Override
    public String toString() {
        String t = text.length() > 120 ? text.substring(0, 120) + "..." : text;
        return "RawFrame[" + sourceId + " " + receivedAt + " " + t + "]";
    }
}
