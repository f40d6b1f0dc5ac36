package io.marketetl.backfill;

import io.marketetl.normalise.MarketMessage;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The gap-detection step (bean {@code tradeGaps}, right after normalise in {@code normalise.camel.yaml}): for every
 * message whose dialect gave it a trade-id range ({@link MarketMessage#hasTradeIds()}) of a type the exchange can
 * backfill, it follows the ids per exchange, instrument and message type ({@link TradeSequence}, one per stream for the
 * whole run, across reconnects and route reloads) and holds each gap it sees for a grace period ({@link PendingGaps})
 * before {@link #takeDue} hands it to the {@link Backfiller}. The first unit of a stream after start is reported
 * too ({@link #takeFirstSeen}): the gap since the last trade committed before the start is found from there.
 * <p>
 * It changes nothing in the body and never fails a frame; it costs three map lookups per trade on the source's thread
 * (exchange, message type, instrument: no key object), and whether a kind of stream is followed is asked once.
 */
public final class TradeGapDetector implements Processor {

    /** One trade stream. */
    public record Stream(String exchange, String instrument, String messageType) {
    }

    /** The first unit of a stream since start: the source it came from and its first trade id. */
    public record FirstSeen(Stream stream, String sourceId, long firstId) {
    }

    /** A gap that outlived its grace period, with the source whose stream showed it. */
    public record Found(Stream stream, String sourceId, TradeSequence.Gap gap) {
    }

    private static final class State {
        final Stream stream;
        final TradeSequence sequence = new TradeSequence();
        final PendingGaps pending = new PendingGaps();
        volatile String sourceId;

        State(Stream stream) {
            this.stream = stream;
        }
    }

    /**
     * One (exchange, message type): whether its gaps are followed (asked once, not per message) and its streams by
     * instrument. Looked up by the message's own strings, so a message costs no key object.
     */
    private static final class Kind {
        final boolean followed;
        final Map<String, State> byInstrument = new ConcurrentHashMap<>();

        Kind(boolean followed) {
            this.followed = followed;
        }
    }

    private final BiPredicate<String, String> backfillable;
    private final Clock clock;
    private final Map<String, Map<String, Kind>> kinds = new ConcurrentHashMap<>();
    private final List<FirstSeen> firstSeen = new ArrayList<>();

    /**
     * @param backfillable whether gaps of (exchange, message type) can be filled, i.e. are worth following
     */
    public TradeGapDetector(BiPredicate<String, String> backfillable, Clock clock) {
        this.backfillable = backfillable;
        this.clock = clock;
    }

    @Override
    public void process(Exchange exchange) {
        List<?> body = exchange.getMessage().getBody(List.class);
        if (body == null) {
            return;
        }
        for (Object o : body) {
            if (o instanceof MarketMessage m && m.hasTradeIds() && m.instrument() != null) {
                observe(m);
            }
        }
    }

    /** Follows one message's trade ids. */
    public void observe(MarketMessage m) {
        String type = m.messageType();
        if (type == null) {
            return;
        }
        Kind kind = kind(m.exchange(), type);
        if (!kind.followed) {
            return;
        }
        State state = kind.byInstrument.get(m.instrument());
        if (state == null) {
            state = kind.byInstrument.computeIfAbsent(m.instrument(),
                    i -> new State(new Stream(m.exchange(), i, type)));
        }
        TradeIdRange range = new TradeIdRange(m.firstTradeId(), m.lastTradeId());
        synchronized (state) {
            state.sourceId = m.sourceId();
            boolean first = state.sequence.lastId().isEmpty();
            State s = state;
            state.sequence.observe(range).ifPresent(gap -> s.pending.add(gap, clock.millis()));
            state.pending.cover(range);
            if (first) {
                synchronized (firstSeen) {
                    firstSeen.add(new FirstSeen(state.stream, m.sourceId(), range.firstId()));
                }
            }
        }
    }

    private Kind kind(String exchange, String type) {
        Map<String, Kind> ofExchange = kinds.get(exchange);
        if (ofExchange == null) {
            ofExchange = kinds.computeIfAbsent(exchange, e -> new ConcurrentHashMap<>());
        }
        Kind kind = ofExchange.get(type);
        if (kind == null) {
            kind = ofExchange.computeIfAbsent(type, t -> new Kind(backfillable.test(exchange, t)));
        }
        return kind;
    }

    /** Removes and returns the gaps held for at least {@code graceMillis}. */
    public List<Found> takeDue(long graceMillis) {
        List<Found> out = new ArrayList<>();
        long now = clock.millis();
        for (Map<String, Kind> ofExchange : kinds.values()) {
            for (Kind kind : ofExchange.values()) {
                for (State state : kind.byInstrument.values()) {
                    synchronized (state) {
                        if (!state.pending.isEmpty()) {
                            for (TradeSequence.Gap g : state.pending.takeDue(now, graceMillis)) {
                                out.add(new Found(state.stream, state.sourceId, g));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Removes and returns the streams first seen since the last call. */
    public List<FirstSeen> takeFirstSeen() {
        synchronized (firstSeen) {
            List<FirstSeen> out = new ArrayList<>(firstSeen);
            firstSeen.clear();
            return out;
        }
    }
}
