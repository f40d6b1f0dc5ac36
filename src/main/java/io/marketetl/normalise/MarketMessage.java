package io.marketetl.normalise;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One normalised market-data message: one row of {@code websocket_messages}. The identity fields are fixed by the
 * normalise stage; the stamps (message number, stage timings) are filled in by the stamp and load stages.
 */
public final class MarketMessage {

    private final String sourceId;
    private final String exchange;
    private final String format;
    private final String messageType;
    private final String instrument;
    private final BigDecimal price;
    private final String data;
    private final String tradeId;
    private final Instant eventTime;
    private final Instant receivedAt;
    private final long receivedNanos;
    private final int bytes;
    private final ApiCall call;

    /** Plausibility flags ({@link Plausibility}); null when the message is plausible. */
    private java.util.List<String> flags;
    private boolean eventTimeImplausible;
    private long messageNumber;
    /** The exchange trade ids this message covers ({@link #setTradeIds}); only when {@link #hasTradeIds}. */
    private long firstTradeId;
    private long lastTradeId;
    private boolean hasTradeIds;
    private double extractSeconds;
    private double transformSeconds;
    private double loadSeconds;

    /**
     * @param sourceId    the source (connector id) that received it
     * @param exchange    okx, binance, or the custom feed's exchange name
     * @param format      OKX, Binance or custom
     * @param messageType trade, ticker, book_ticker, bbo, ...
     * @param instrument  BASE-QUOTE, e.g. BTC-USDT; may be null when a feed has none
     * @param price       trade price, ticker last, or best bid/ask mid; may be null
     * @param data        the exchange's own message (for multi-trade frames: this trade's item), as JSON text
     * @param tradeId     the exchange's trade id where it has one, else null
     * @param eventTime   the exchange's event time, or null when the message carries none
     * @param receivedAt  wall-clock time the frame arrived
     * @param receivedNanos {@link System#nanoTime()} when the frame arrived, for stage durations
     * @param bytes       this message's share of the frame's size in bytes
     */
    public MarketMessage(String sourceId, String exchange, String format, String messageType, String instrument,
            BigDecimal price, String data, String tradeId, Instant eventTime, Instant receivedAt, long receivedNanos,
            int bytes) {
        this(sourceId, exchange, format, messageType, instrument, price, data, tradeId, eventTime, receivedAt,
                receivedNanos, bytes, null);
    }

    /** A message from an HTTP API connector's call ({@code call} non-null), stored in {@code api_connector_data}. */
    public MarketMessage(String sourceId, String exchange, String format, String messageType, String instrument,
            BigDecimal price, String data, String tradeId, Instant eventTime, Instant receivedAt, long receivedNanos,
            int bytes, ApiCall call) {
        this.call = call;
        this.sourceId = Objects.requireNonNull(sourceId, "sourceId");
        this.exchange = call != null ? exchange : Objects.requireNonNull(exchange, "exchange"); // API rows may have none
        this.format = format;
        this.messageType = Objects.requireNonNull(messageType, "messageType");
        this.instrument = instrument;
        this.price = price;
        this.data = Objects.requireNonNull(data, "data");
        this.tradeId = tradeId;
        this.eventTime = eventTime;
        this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
        this.receivedNanos = receivedNanos;
        this.bytes = bytes;
    }

    public String sourceId() { return sourceId; }
    public String exchange() { return exchange; }
    public String format() { return format; }
    public String messageType() { return messageType; }
    public String instrument() { return instrument; }
    public BigDecimal price() { return price; }
    public String data() { return data; }
    public String tradeId() { return tradeId; }
    public Instant eventTime() { return eventTime; }
    public Instant receivedAt() { return receivedAt; }
    public long receivedNanos() { return receivedNanos; }
    public int bytes() { return bytes; }
    /** The HTTP call of an API connector's message; null for a WebSocket message. */
    public ApiCall call() { return call; }

    /**
     * The row's {@code timestamp}: the exchange's event time, or the receive time when it has none or when the event
     * time was found implausible ({@link #flagImplausibleEventTime()}).
     */
    public Instant timestamp() {
        return eventTime != null && !eventTimeImplausible ? eventTime : receivedAt;
    }

    /**
     * Exchange-to-us latency in milliseconds (receive time minus event time), or null without a (plausible) event
     * time.
     */
    public Double latencyMs() {
        if (eventTime == null || eventTimeImplausible) {
            return null;
        }
        return Duration.between(eventTime, receivedAt).toNanos() / 1_000_000.0;
    }

    public long messageNumber() { return messageNumber; }

    /**
     * Sets the inclusive range of the exchange's numeric trade ids this message covers (one Binance {@code @trade}:
     * {@code t..t}; one OKX {@code trades} item: {@code tradeId-count+1..tradeId}), for gap detection. The exchange's
     * dialect sets it where ids are numbers with a REST history to fill gaps from.
     */
    public void setTradeIds(io.marketetl.backfill.TradeIdRange range) {
        this.firstTradeId = range.firstId();
        this.lastTradeId = range.lastId();
        this.hasTradeIds = true;
    }

    public boolean hasTradeIds() { return hasTradeIds; }
    public long firstTradeId() { return firstTradeId; }
    public long lastTradeId() { return lastTradeId; }
    public double extractSeconds() { return extractSeconds; }
    public double transformSeconds() { return transformSeconds; }
    public double loadSeconds() { return loadSeconds; }

    /** extract + transform + load, in seconds. */
    public double totalSeconds() {
        return extractSeconds + transformSeconds + loadSeconds;
    }

    /** Marks the message as not plausible market data, e.g. {@code price_not_positive}; it is kept, flagged. */
    public void flag(String flag) {
        if (flags == null) {
            flags = new java.util.ArrayList<>(2);
        }
        if (!flags.contains(flag)) {
            flags.add(flag);
        }
    }

    /** Flags the event time (see {@link Plausibility}): the row's timestamp becomes the receive time, no latency. */
    public void flagImplausibleEventTime(String flag) {
        eventTimeImplausible = true;
        flag(flag);
    }

    /** The plausibility flags, empty when there are none. */
    public java.util.List<String> flags() {
        return flags == null ? java.util.List.of() : java.util.Collections.unmodifiableList(flags);
    }

    public void setMessageNumber(long messageNumber) { this.messageNumber = messageNumber; }
    public void setExtractSeconds(double seconds) { this.extractSeconds = seconds; }
    public void setTransformSeconds(double seconds) { this.transformSeconds = seconds; }
    public void setLoadSeconds(double seconds) { this.loadSeconds = seconds; }

    @Override
    public String toString() {
        return "MarketMessage[" + sourceId + " #" + messageNumber + " " + exchange + " " + messageType + " "
                + instrument + " @ " + price + "]";
    }
}
