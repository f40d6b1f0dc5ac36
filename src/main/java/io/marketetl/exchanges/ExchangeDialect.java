package io.marketetl.exchanges;

import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.source.RawFrame;
import io.marketetl.source.SourceConfig;
import java.util.List;

/**
 * Everything exchange-specific about one source, in one class per exchange (cryptofeed style): URL building, symbol
 * mapping, subscribe messages, keepalive, control-frame recognition and parsing into {@link MarketMessage}s.
 * An instance is built from one endpoint's {@link SourceConfig}, is immutable and thread-safe, and travels with every
 * {@link RawFrame} so the normalise step needs no other configuration.
 */
public interface ExchangeDialect {

    /** Dialect name: {@code okx}, {@code binance} or {@code custom}. */
    String name();

    /** Source id of the endpoint this instance belongs to. */
    String sourceId();

    /** Value of {@link MarketMessage#exchange()}: okx, binance, or the custom feed's exchange name. */
    String exchange();

    /** Value of {@link MarketMessage#format()}: OKX, Binance or custom. */
    String format();

    /** The URL to connect to (for Binance URL mode: with every stream in it). */
    String connectUrl();

    /** Messages to send after every open, in order, paced by the source ({@code subscribePacingMs}). */
    List<String> subscribeMessages();

    /** Text keepalive to send, or null when the client sends none (Binance: the server pings). */
    String pingText();

    /** Interval of the text keepalive in milliseconds. */
    long pingIntervalMs();

    /**
     * Classifies a received text frame. Runs on the I/O thread for every frame, so implementations read as little
     * as they can. Must not throw: anything unrecognisable is {@link FrameInfo#UNKNOWN_DATA} (the route sees it and
     * the normalise step reports why it is malformed).
     */
    FrameInfo classify(String text);

    /**
     * Parses a data frame into one or more messages.
     *
     * @throws MalformedFrameException when the frame is not valid JSON, not the expected shape or lacks a field
     */
    List<MarketMessage> normalise(RawFrame frame);

    /** The dialect named by {@code config.getDialect()}, configured from {@code config} (see {@link ExchangeModules}). */
    static ExchangeDialect create(SourceConfig config) {
        return ExchangeModules.require(config.getDialect()).dialect(config);
    }
}
