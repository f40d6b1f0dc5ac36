package io.marketetl.exchanges.binance;

import io.marketetl.connector.Extract;
import io.marketetl.connector.auth.AuthType;
import io.marketetl.connector.limit.HostRule;

import io.marketetl.connector.limit.HostRule.Limit;
import io.marketetl.connector.limit.ResponseRules;
import io.marketetl.exchanges.ExchangeDialect;
import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.source.SourceConfig;
import java.util.List;
import java.util.Map;

/** Binance: see {@link BinanceDialect} for its WebSocket side. */
public final class BinanceModule implements ExchangeModule {

    /** Answers carry the weight the IP used in the current minute. */
    public static final String USED_WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M";

    /**
     * Binance limits per IP across all its REST hosts: the main host, its mirrors and the market-data-only host share
     * one budget of 6000 weight per minute (the documented example; the authoritative figure is in
     * {@code exchangeInfo.rateLimits}, and {@value #USED_WEIGHT_HEADER} corrects our count from the server's).
     */
    static final HostRule REST = new HostRule(
            List.of("api.binance.com", "api-gcp.binance.com", "api1.binance.com", "api2.binance.com",
                    "api3.binance.com", "api4.binance.com", "data-api.binance.vision"),
            List.of(Limit.weight(6000, 60_000, USED_WEIGHT_HEADER)));

    /**
     * Errors come with HTTP statuses (429, 418, 4xx, 5xx); their bodies are {@code {"code":-1003,"msg":"..."}}.
     * -1003 is "too many requests"; -1001 (internal error, disconnected), -1007 (backend timeout) and -1008 (server
     * overloaded) are worth retrying later (these three from Binance's error-code list, not yet seen here). Successful
     * bodies have no code.
     */
    static final ResponseRules RESPONSES = new ResponseRules("/code", List.of(), List.of("-1003"),
            List.of("-1001", "-1007", "-1008"), "/msg");

    @Override
    public String name() {
        return "binance";
    }

    @Override
    public ExchangeDialect dialect(SourceConfig config) {
        return new BinanceDialect(config);
    }

    @Override
    public List<HostRule> hostRules() {
        return List.of(REST);
    }

    /**
     * Weights of the endpoints the connectors use: {@code ticker/price} and {@code ticker/bookTicker} 2 for one
     * {@code symbol}, 4 otherwise; {@code ticker/24hr} 2 for one symbol, 80 for all (with {@code symbols}: 2 up to 20,
     * 40 up to 100, else 80, per Binance's docs, unverified here); {@code historicalTrades} 25; {@code aggTrades} 4; {@code account} 20; anything else 1
     * (the used-weight header corrects what this misses).
     */
    @Override
    public int requestWeight(String path, Map<String, String> query) {
        String p = path == null ? "" : path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        if (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        boolean oneSymbol = has(query, "symbol");
        return switch (p) {
            case "/api/v3/ticker/price", "/api/v3/ticker/bookTicker" -> oneSymbol ? 2 : 4;
            case "/api/v3/ticker/24hr" -> oneSymbol ? 2 : has(query, "symbols") ? tickerWeight(query.get("symbols")) : 80;
            case "/api/v3/historicalTrades" -> 25;
            case "/api/v3/aggTrades" -> 4;
            case "/api/v3/account" -> 20;
            default -> 1;
        };
    }

    @Override
    public ResponseRules responseRules() {
        return RESPONSES;
    }

    private static boolean has(Map<String, String> query, String name) {
        if (query == null) {
            return false;
        }
        String v = query.get(name);
        return v != null && !v.isBlank();
    }

    /** {@code ["BTCUSDT","ETHUSDT"]}: weight by the number of symbols. */
    private static int tickerWeight(String symbols) {
        int n = 1;
        for (int i = 0; i < symbols.length(); i++) {
            if (symbols.charAt(i) == ',') {
                n++;
            }
        }
        return n <= 20 ? 2 : n <= 100 ? 40 : 80;
    }

    /** Binance REST symbols: {@code BTCUSDT}. */
    @Override
    public String restSymbol(String instrument) {
        String s = io.marketetl.normalise.Instruments.toBinanceSymbol(instrument);
        return s == null ? null : s.toUpperCase(java.util.Locale.ROOT);
    }

    @Override
    public Extract restExtract(String path) {
        return switch (path) {
            case "/api/v3/ticker/price" -> new Extract(null, "/symbol", "/price", null, null, "ticker");
            case "/api/v3/ticker/24hr" -> new Extract(null, "/symbol", "/lastPrice", "/closeTime", "ms", "ticker");
            case "/api/v3/trades", "/api/v3/historicalTrades" -> new Extract(null, null, "/price", "/time", "ms", "trade");
            default -> null;
        };
    }

    /** Every Binance answer says how much of the IP's weight per minute is used. */
    @Override
    public String usedWeight(java.util.Map<String, String> headers) {
        return headers == null ? null : headers.get("X-MBX-USED-WEIGHT-1M");
    }

    @Override
    public List<AuthType> authTypes() {
        return List.of(new BinanceHmacAuth());
    }

    private static final BinanceTradeHistory TRADE_HISTORY = new BinanceTradeHistory();

    /** Gaps in {@code trade} ids are filled from {@link BinanceTradeHistory}. */
    @Override
    public io.marketetl.backfill.TradeHistoryApi tradeHistory(String messageType) {
        return "trade".equals(messageType) ? TRADE_HISTORY : null;
    }
}
