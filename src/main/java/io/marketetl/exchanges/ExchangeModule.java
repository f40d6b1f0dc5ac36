package io.marketetl.exchanges;

import io.marketetl.connector.auth.AuthType;
import io.marketetl.connector.limit.HostRule;

import io.marketetl.connector.limit.ResponseRules;
import io.marketetl.source.SourceConfig;
import java.util.List;
import java.util.Map;

/**
 * Everything the application knows about one exchange, in one package per exchange ({@code io.marketetl.exchanges.okx},
 * {@code .binance}, {@code .custom}): its WebSocket dialect, symbol mapping, REST endpoints, request signing, rate
 * limits and parsing. Found by name through {@link ExchangeModules}, so that an exchange's WebSocket source, its HTTP
 * connectors and its backfill share one mapping and one parser. A new exchange is one package with an implementation
 * of this interface, one line in {@code META-INF/services/io.marketetl.exchanges.ExchangeModule}, and route files.
 */
public interface ExchangeModule {

    /** The name used in route files ({@code dialect: okx}) and stored as {@code exchange}: lower case. */
    String name();

    /** The WebSocket dialect of one source, configured from its endpoint options. */
    ExchangeDialect dialect(SourceConfig config);

    /**
     * The request limits of the exchange's public REST hosts, for {@link io.marketetl.connector.limit.HostBudgets}.
     * The hosts of one rule share one budget (limits are per IP across them). The <b>first</b> rule is the
     * exchange's main API: it also applies to a host without a rule of its own when the connector declares this
     * exchange (the simulator on {@code 127.0.0.1}, a proxy). Default: none.
     */
    default List<HostRule> hostRules() {
        return List.of();
    }

    /**
     * The weight one REST request counts against the exchange's weight windows.
     *
     * @param path  the endpoint path, {@code /api/v3/ticker/price}
     * @param query the request's query parameters (values as sent)
     * @return at least 1; default 1
     */
    default int requestWeight(String path, Map<String, String> query) {
        return 1;
    }

    /** How to read the exchange's REST answers beyond the HTTP status. Default: the status alone. */
    default ResponseRules responseRules() {
        return ResponseRules.NONE;
    }

    /** The exchange's REST symbol for an instrument in any form (OKX {@code BTC-USDT}, Binance {@code BTCUSDT}). */
    default String restSymbol(String instrument) {
        return io.marketetl.normalise.Instruments.normalise(instrument);
    }

    /**
     * Where the rows are in the answers of one of the exchange's REST endpoints (by URL path), or null when the
     * endpoint is not one it knows: HTTP connectors to it need no pointers of their own.
     */
    default io.marketetl.connector.Extract restExtract(String path) {
        return null;
    }

    /** The request weight the exchange reports as used in an answer's headers, or null. */
    default String usedWeight(java.util.Map<String, String> headers) {
        return null;
    }

    /**
     * The exchange's own auth types for HTTP API connectors (e.g. its request signing), found by
     * {@link io.marketetl.connector.auth.AuthTypes} next to the generic ones; none by default.
     */
    default List<AuthType> authTypes() {
        return List.of();
    }

    /**
     * The exchange's REST trade history for gap backfill of one message type ({@code trade}), or null when it has
     * none: gaps of that type are then neither detected nor filled. Default: none.
     */
    default io.marketetl.backfill.TradeHistoryApi tradeHistory(String messageType) {
        return null;
    }
}
