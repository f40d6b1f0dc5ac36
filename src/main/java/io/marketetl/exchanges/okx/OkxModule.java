package io.marketetl.exchanges.okx;

import io.marketetl.connector.Extract;
import io.marketetl.connector.auth.AuthType;
import io.marketetl.connector.limit.HostRule;

import io.marketetl.connector.limit.HostRule.Limit;
import io.marketetl.connector.limit.HostRule.Scope;
import io.marketetl.connector.limit.ResponseRules;
import io.marketetl.exchanges.ExchangeDialect;
import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.source.SourceConfig;
import java.util.List;
import java.util.Map;

/** Okx: see {@link OkxDialect} for its WebSocket side. */
public final class OkxModule implements ExchangeModule {

    /**
     * The REST host ({@code openapi.okx.com} is a newer domain named by third parties only, unverified). Market-data
     * endpoints allow 20 requests per 2 s per IP each ({@code /market/ticker}, {@code /tickers},
     * {@code /history-trades}); {@code /market/trades} allows 100, the smallest figure is used for all paths.
     */
    static final HostRule REST = new HostRule(List.of("www.okx.com", "openapi.okx.com"),
            List.of(Limit.requests(20, 2_000, Scope.ENDPOINT)));

    /**
     * Codes are strings; "0" is success. 50011 "Rate limit reached" comes with HTTP 200 or 429, 50061 is the
     * sub-account rate limit; 50001 "Service temporarily unavailable", 50013 "Systems are busy" and 50026 "System
     * error" are worth retrying later.
     */
    static final ResponseRules RESPONSES = new ResponseRules("/code", List.of("0"), List.of("50011", "50061"),
            List.of("50001", "50013", "50026"), "/msg");

    @Override
    public String name() {
        return "okx";
    }

    @Override
    public ExchangeDialect dialect(SourceConfig config) {
        return new OkxDialect(config);
    }

    @Override
    public List<HostRule> hostRules() {
        return List.of(REST);
    }

    /** OKX counts requests, not weight: always 1. */
    @Override
    public int requestWeight(String path, Map<String, String> query) {
        return 1;
    }

    @Override
    public ResponseRules responseRules() {
        return RESPONSES;
    }

    /** The market-data endpoints whose answers are {@code {"code":"0","data":[...]}} of tickers. */
    @Override
    public Extract restExtract(String path) {
        return switch (path) {
            case "/api/v5/market/ticker", "/api/v5/market/tickers" ->
                    new Extract("/data", "/instId", "/last", "/ts", "ms", "ticker");
            case "/api/v5/market/trades", "/api/v5/market/history-trades" ->
                    new Extract("/data", "/instId", "/px", "/ts", "ms", "trade");
            default -> null;
        };
    }

    @Override
    public List<AuthType> authTypes() {
        return List.of(new OkxHmacAuth());
    }

    private static final OkxTradeHistory TRADE_HISTORY = new OkxTradeHistory();

    /** Gaps in {@code trade} ids are filled from {@link OkxTradeHistory}. */
    @Override
    public io.marketetl.backfill.TradeHistoryApi tradeHistory(String messageType) {
        return "trade".equals(messageType) ? TRADE_HISTORY : null;
    }
}
