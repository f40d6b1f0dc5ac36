package io.marketetl.simulator;

import io.marketetl.simulator.MarketDataGenerator.Tape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.ToLongFunction;

/**
 * The trades the simulator streamed, per exchange and instrument, for its REST trade history (Binance
 * {@code historicalTrades}, OKX {@code history-trades}): each trade as its stream sent it first (id, price, size,
 * side, time; OKX: the streamed record with its {@code count}, whose tradeId is the last of the aggregated fills).
 * Every connection on a stream generates the same trades from the shared tape, so a trade is recorded once, when the
 * first reader renders it (ids only grow). Only the newest {@code retention} trades are kept. Thread-safe.
 */
final class TradeHistory {

    /** One streamed trade; prices and sizes in the instrument's ticks and lots. */
    record Trade(long id, long priceTicks, long lots, boolean buy, long timeMs, int count) {
    }

    private final IntSupplier retention;
    private final Map<String, ArrayDeque<Trade>> byStream = new HashMap<>();

    /** @param retention trades kept per exchange and instrument (read at every record, so it may change) */
    TradeHistory(IntSupplier retention) {
        this.retention = retention;
    }

    /** Records the tape's last trade unless a reader recorded it (or a later one) already. */
    synchronized void record(String exchange, Tape t, long nowMs, int count) {
        ArrayDeque<Trade> trades = byStream.computeIfAbsent(key(exchange, t.inst.instId), k -> new ArrayDeque<>());
        Trade last = trades.peekLast();
        if (last != null && t.lastTradeId <= last.id()) {
            return;
        }
        trades.addLast(new Trade(t.lastTradeId, t.priceTicks, t.lastLots, t.lastBuy, nowMs, count));
        int keep = retention.getAsInt();
        while (trades.size() > keep) {
            trades.removeFirst();
        }
    }

    /** Binance {@code fromId}: up to {@code limit} trades with id >= fromId, ascending. */
    synchronized List<Trade> fromId(String exchange, String instId, long fromId, int limit) {
        List<Trade> out = new ArrayList<>();
        for (Trade t : trades(exchange, instId)) {
            if (t.id() >= fromId) {
                out.add(t);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    /** The newest {@code limit} trades, ascending (Binance without {@code fromId}). */
    synchronized List<Trade> newest(String exchange, String instId, int limit) {
        List<Trade> out = new ArrayList<>();
        Iterator<Trade> it = trades(exchange, instId).descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            out.add(it.next());
        }
        Collections.reverse(out);
        return out;
    }

    /**
     * OKX pagination by tradeId or time ({@code key}), newest first: keys below {@code after} (null = no bound) and above {@code before}
     * (null = no bound). With only {@code before}, the {@code limit} trades just above it (the next page forward);
     * otherwise the newest {@code limit} below {@code after}.
     */
    synchronized List<Trade> page(String exchange, String instId, Long after, Long before, int limit,
                                  ToLongFunction<Trade> key) {
        List<Trade> out = new ArrayList<>();
        ArrayDeque<Trade> trades = trades(exchange, instId);
        if (before != null && after == null) {
            for (Trade t : trades) {
                if (key.applyAsLong(t) > before) {
                    out.add(t);
                    if (out.size() == limit) {
                        break;
                    }
                }
            }
            Collections.reverse(out);
            return out;
        }
        Iterator<Trade> it = trades.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            Trade t = it.next();
            long k = key.applyAsLong(t);
            if ((after == null || k < after) && (before == null || k > before)) {
                out.add(t);
            }
        }
        return out;
    }

    private ArrayDeque<Trade> trades(String exchange, String instId) {
        return byStream.getOrDefault(key(exchange, instId), new ArrayDeque<>());
    }

    private static String key(String exchange, String instId) {
        return exchange + "|" + instId;
    }
}
