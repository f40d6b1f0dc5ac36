package io.marketetl.exchanges.binance;

import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.backfill.GapFill;
import io.marketetl.backfill.TradeHistoryApi;
import io.marketetl.connector.auth.ApiRequest;
import io.marketetl.exchanges.Json;
import io.marketetl.normalise.Instruments;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Binance's trade history for {@code @trade} gaps: {@code GET /api/v3/historicalTrades?symbol=&fromId=&limit=}
 * (weight 25, at most 1000 trades, ascending from {@code fromId}, no API key needed since 2023-07). Its {@code id} is
 * the stream's {@code t}, so a backfilled trade and the same trade received live share the natural key. Ids are
 * consecutive per symbol (exchange-protocols §6: "in practice"), so a hole between two ids counts as missing.
 */
final class BinanceTradeHistory implements TradeHistoryApi {

    static final String PATH = "/api/v3/historicalTrades";

    @Override
    public String format() {
        return "Binance";
    }

    /** A stored {@code @trade} row or history trade covers its own id. */
    @Override
    public io.marketetl.backfill.TradeIdRange storedRange(String tradeId, String data) {
        try {
            return BinanceTradeIds.trade(Long.parseLong(tradeId));
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    @Override
    public GapFill.Direction direction() {
        return GapFill.Direction.ASCENDING;
    }

    @Override
    public boolean consecutiveIds() {
        return true;
    }

    @Override
    public int pageLimit() {
        return 1000;
    }

    @Override
    public ApiRequest request(String restUrl, String instrument, long cursor, int limit) {
        String symbol = Instruments.toBinanceSymbol(instrument).toUpperCase(Locale.ROOT);
        return new ApiRequest("GET", restUrl + PATH).queryParam("symbol", symbol)
                .queryParam("fromId", Long.toString(cursor)).queryParam("limit", Integer.toString(limit));
    }

    /** {@code [{"id":28457,"price":"4.00000100","qty":"12.00000000","quoteQty":"48.000012","time":1499865549590,...}]} */
    @Override
    public List<HistoricTrade> parse(String body) {
        JsonNode root = parse0(body);
        if (!root.isArray()) {
            throw new IllegalArgumentException("historicalTrades answer is not an array");
        }
        List<HistoricTrade> out = new ArrayList<>(root.size());
        for (JsonNode t : root) {
            JsonNode id = t.get("id");
            if (id == null || !id.canConvertToLong()) {
                throw new IllegalArgumentException("historicalTrades item without a numeric id");
            }
            out.add(new HistoricTrade(id.asLong(), Json.requiredDecimal(t, "price", body),
                    Json.epochMillis(t, "time", body), Json.compact(t)));
        }
        return out;
    }

    private static JsonNode parse0(String body) {
        try {
            return Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new IllegalArgumentException("historicalTrades answer is not JSON");
        }
    }

}
