package io.marketetl.backfill;

import io.marketetl.connector.auth.ApiRequest;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * An exchange's REST trade history for one message type, as gap backfill uses it. Implemented in the exchange's own
 * package ({@code exchanges.binance.BinanceTradeHistory}, {@code exchanges.okx.OkxTradeHistory}) and found through
 * {@link io.marketetl.exchanges.ExchangeModule#tradeHistory(String)}, next to the dialect that parses the same
 * trades from the stream.
 */
public interface TradeHistoryApi {

    /** One trade of the history: its id, price and time, and the exchange's own item as JSON text (the row's data). */
    record HistoricTrade(long id, BigDecimal price, Instant time, String data) {
    }

    /** The {@code format} of backfilled rows (the exchange's, as its dialect names it: {@code OKX}, {@code Binance}). */
    String format();

    /**
     * The trade ids a stored row covers, from its {@code trade_id} and {@code data} (a live row's data is the stream's
     * item, a backfilled row's the history's), or null when they cannot be told. Used after a restart to find the
     * holes that a kill -9 left among the rows committed last.
     */
    TradeIdRange storedRange(String tradeId, String data);

    /** How the history is paged. */
    GapFill.Direction direction();

    /** Whether every trade has the next id, so that a hole between two ids is a missing trade. */
    boolean consecutiveIds();

    /** The most trades one request may ask for. */
    int pageLimit();

    /**
     * The request for one page from {@code cursor} ({@link GapFill#cursor()}): ascending, ids {@code >= cursor};
     * descending, ids {@code < cursor}.
     *
     * @param restUrl    the exchange's REST base URL ({@code https://api.binance.com}, the simulator's)
     * @param instrument {@code BASE-QUOTE}
     */
    ApiRequest request(String restUrl, String instrument, long cursor, int limit);

    /**
     * The trades of one successful answer's body.
     *
     * @throws IllegalArgumentException when the body is not what the endpoint answers (the page is not used)
     */
    List<HistoricTrade> parse(String body);
}
