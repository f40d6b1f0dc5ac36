package io.marketetl.exchanges.okx;

import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.backfill.GapFill;
import io.marketetl.backfill.TradeHistoryApi;
import io.marketetl.connector.auth.ApiRequest;
import io.marketetl.exchanges.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * OKX's trade history for {@code trades} gaps: {@code GET /api/v5/market/history-trades?instId=&type=1&after=&limit=}
 * (by trade id, {@code after} = older than, newest first, at most 100, 20 requests per 2 s, about three months kept).
 * Real OKX answers single fills there while the {@code trades} channel may aggregate several fills into one item
 * under the last fill's id (exchange-protocols §6; the simulator answers the streamed items): ids alone do not show a
 * hole inside the history, so only the ids beyond its end count as missing ({@link #consecutiveIds()} false). The
 * fills of a gap are exactly the ids no received item covered, so a backfilled fill never repeats a stored item.
 */
final class OkxTradeHistory implements TradeHistoryApi {

    static final String PATH = "/api/v5/market/history-trades";

    @Override
    public String format() {
        return "OKX";
    }

    /**
     * A live row's data is {@code {"arg":...,"data":[item]}} with the item's {@code count}; a backfilled row's is the
     * history's fill (one trade).
     */
    @Override
    public io.marketetl.backfill.TradeIdRange storedRange(String tradeId, String data) {
        String count = null;
        try {
            JsonNode root = Json.MAPPER.readTree(data);
            JsonNode item = root.path("data").path(0);
            count = Json.text(item.isMissingNode() ? root : item, "count");
        } catch (Exception e) {
            count = null;
        }
        return tradeId == null ? null : OkxTradeIds.range(tradeId, count).orElse(null);
    }

    @Override
    public GapFill.Direction direction() {
        return GapFill.Direction.DESCENDING;
    }

    @Override
    public boolean consecutiveIds() {
        return false;
    }

    @Override
    public int pageLimit() {
        return 100;
    }

    @Override
    public ApiRequest request(String restUrl, String instrument, long cursor, int limit) {
        return new ApiRequest("GET", restUrl + PATH).queryParam("instId", instrument).queryParam("type", "1")
                .queryParam("after", Long.toString(cursor)).queryParam("limit", Integer.toString(limit));
    }

    /** {@code {"code":"0","msg":"","data":[{"instId":"BTC-USDT","side":"buy","sz":"0.1","px":"3","tradeId":"9","ts":"1"}]}} */
    @Override
    public List<HistoricTrade> parse(String body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new IllegalArgumentException("history-trades answer is not JSON");
        }
        JsonNode data = root == null ? null : root.get("data");
        if (data == null || !data.isArray()) {
            throw new IllegalArgumentException("history-trades answer has no data array");
        }
        List<HistoricTrade> out = new ArrayList<>(data.size());
        for (JsonNode t : data) {
            String id = Json.text(t, "tradeId");
            long n;
            try {
                n = Long.parseLong(id);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("history-trades item without a numeric tradeId");
            }
            out.add(new HistoricTrade(n, Json.requiredDecimal(t, "px", body), Json.epochMillis(t, "ts", body),
                    Json.compact(t)));
        }
        return out;
    }
}
