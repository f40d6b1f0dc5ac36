package io.marketetl.normalise;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether a normalised message looks like market data (a pure policy, applied by the normalise step). Implausible
 * messages are kept and flagged, never dropped and never silently taken as market data:
 * <ul>
 * <li>{@value #PRICE_NOT_POSITIVE}: a price of zero or less (no traded or quoted price is);</li>
 * <li>{@value #EVENT_TIME_IMPLAUSIBLE}: an event time further than the allowed skew from the receive time (an event
 * time of -1 is 1969-12-31); the row's timestamp becomes the receive time and it has no latency, while the
 * exchange's own value stays in the stored message.</li>
 * </ul>
 */
public final class Plausibility {

    public static final String PRICE_NOT_POSITIVE = "price_not_positive";
    public static final String EVENT_TIME_IMPLAUSIBLE = "event_time_implausible";

    private final long maxSkewNanos;

    /** @param maxSkew the largest distance between event time and receive time that is plausible */
    public Plausibility(Duration maxSkew) {
        this.maxSkewNanos = maxSkew.toNanos();
    }

    /** Flags the message where it is implausible. */
    public void check(MarketMessage m) {
        BigDecimal price = m.price();
        if (price != null && price.signum() <= 0) {
            m.flag(PRICE_NOT_POSITIVE);
        }
        Instant event = m.eventTime();
        if (event != null && !withinSkew(event, m.receivedAt())) {
            m.flagImplausibleEventTime(EVENT_TIME_IMPLAUSIBLE);
        }
    }

    private boolean withinSkew(Instant event, Instant received) {
        long seconds = Math.abs(event.getEpochSecond() - received.getEpochSecond());
        if (seconds > maxSkewNanos / 1_000_000_000L + 1) {
            return false; // also keeps the nanosecond arithmetic below from overflowing
        }
        return Math.abs(Duration.between(event, received).toNanos()) <= maxSkewNanos;
    }
}
