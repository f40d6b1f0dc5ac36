package io.marketetl.exchanges.okx;

import io.marketetl.backfill.TradeIdRange;

/**
 * OKX's trade-id continuity on the {@code trades} channel: {@code tradeId} is the <em>last</em> id of an aggregation
 * of {@code count} trades (tradeId 123, count 3 covers 121..123), so the check is {@code tradeId - count == prev
 * tradeId} (exchange-protocols §6, an inference there). We keep {@code trades} (public {@code /ws/v5/public}, the
 * channel the source already uses) rather than {@code trades-all} ({@code /business}, one trade per message): the
 * range form covers both, and REST {@code history-trades} returns the individual trades of an aggregation, so the
 * backfill fills by id range either way. A missing or non-positive {@code count} means one trade.
 */
public final class OkxTradeIds {
    private OkxTradeIds() {}

    /**
     * The range of one {@code trades} item from its {@code tradeId} and {@code count} fields as sent (strings), or
     * empty when the trade id is not a positive number (no gap detection then); a count that is missing or not a
     * number means one trade.
     */
    public static java.util.Optional<TradeIdRange> range(String tradeId, String count) {
        long id;
        try {
            id = Long.parseLong(tradeId);
        } catch (NumberFormatException e) {
            return java.util.Optional.empty();
        }
        if (id < 1) {
            return java.util.Optional.empty();
        }
        long n = 1;
        if (count != null) {
            try {
                n = Long.parseLong(count);
            } catch (NumberFormatException e) {
                n = 1;
            }
        }
        return java.util.Optional.of(trades(id, Math.min(n, id)));
    }

    public static TradeIdRange trades(long tradeId, long count) {
        long n = Math.max(1, count);
        return new TradeIdRange(tradeId - n + 1, tradeId);
    }
}
