package io.marketetl.exchanges.binance;

import io.marketetl.backfill.TradeIdRange;

/** Binance's trade-id continuity: {@code @trade} ids {@code t} are consecutive; {@code @aggTrade} covers {@code f..l}. */
public final class BinanceTradeIds {
    private BinanceTradeIds() {}

    /** One {@code @trade} event: its trade id {@code t}. */
    public static TradeIdRange trade(long t) {
        return TradeIdRange.single(t);
    }

    /** One {@code @aggTrade} event: first {@code f} and last {@code l} trade id; the next one has {@code f == l + 1}. */
    public static TradeIdRange aggTrade(long f, long l) {
        return new TradeIdRange(f, l);
    }
}
