package io.marketetl.simulator;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Deterministic market data. For every (exchange, instrument, kind) there is one "tape": a random walk of the
 * price plus sizes, sides and ids, all drawn from a SplitMix64 generator seeded from the simulator seed and the
 * tape's name. Prices are kept as integer ticks so formatting is exact and identical on every JVM.
 *
 * <p>Each subscription reads its own copy (cursor) of the tape's head and publishes it back when it gets ahead.
 * So a fresh simulator always produces the same first N trades for a seed, two connections on the same
 * instrument see the same trade ids, and a reconnecting client continues where the furthest reader left off
 * (the tape does not move while nobody reads it). Not thread-safe beyond the synchronized head access: cursors
 * belong to the event loop.
 */
final class MarketDataGenerator {

    enum Kind { TRADES, TICKER, BOOK }

    /** Static facts of an instrument; the OKX id is the canonical name. */
    static final class Instrument {
        final String instId;        // BTC-USDT
        final String symbol;        // BTCUSDT
        final String streamSymbol;  // btcusdt
        final int priceScale;       // decimals of one price tick
        final long basePriceTicks;
        final int sizeScale;        // decimals of one size lot
        final long maxLots;
        final long baseVolumeLots;  // 24h volume the tickers start from

        Instrument(String instId, int priceScale, long basePriceTicks, int sizeScale, long maxLots, long baseVolumeLots) {
            this.instId = instId;
            this.symbol = instId.replace("-", "");
            this.streamSymbol = symbol.toLowerCase(Locale.ROOT);
            this.priceScale = priceScale;
            this.basePriceTicks = basePriceTicks;
            this.sizeScale = sizeScale;
            this.maxLots = maxLots;
            this.baseVolumeLots = baseVolumeLots;
        }

        static Instrument of(String instId) {
            switch (instId) {
                case "BTC-USDT":
                    return new Instrument(instId, 1, 1_080_000L, 5, 50_000L, 1_134_567_000L);          // 108000.0, 0.00001..0.5 BTC
                case "ETH-USDT":
                    return new Instrument(instId, 2, 380_000L, 4, 100_000L, 3_012_345_000L);           // 3800.00, 0.0001..10 ETH
                case "SOL-USDT":
                    return new Instrument(instId, 2, 18_000L, 3, 100_000L, 2_345_678_000L);            // 180.00, 0.001..100 SOL
                default:
                    // Unknown to us but configured: a plausible small-cap price derived from the name.
                    long base = 10_000L + Math.floorMod(instId.hashCode(), 90_000);                      // 1.0000..10.0000
                    return new Instrument(instId, 4, base, 2, 100_000L, 1_000_000_000L);
            }
        }
    }

    /** Mutable state of one tape position. Fields are read directly by the protocol formatters. */
    static final class Tape {
        final String key;
        final Instrument inst;
        long rng;
        long step;
        long priceTicks;
        long lastLots;
        boolean lastBuy;
        long lastTradeId;
        long seq;
        long tradeCount;
        long volumeLots;
        long quoteVolumeCents;
        long openTicks;
        long highTicks;
        long lowTicks;
        long bidTicks;
        long askTicks;
        long bidLots;
        long askLots;
        int bidOrders;
        int askOrders;

        Tape(String key, Instrument inst, long seed) {
            this.key = key;
            this.inst = inst;
            this.rng = mix(seed ^ mix(key.hashCode() * 0x9E3779B97F4A7C15L));
            long b = inst.basePriceTicks;
            priceTicks = b + (long) ((nextDouble() - 0.5) * b * 0.01);
            openTicks = priceTicks + (long) ((nextDouble() - 0.5) * b * 0.02);
            highTicks = Math.max(openTicks, priceTicks) + (long) (nextDouble() * b * 0.01);
            lowTicks = Math.min(openTicks, priceTicks) - (long) (nextDouble() * b * 0.01);
            lastTradeId = (key.startsWith("binance") ? 5_123_000_000L : 781_000_000L) + nextInt(1_000_000);
            seq = (key.startsWith("binance") ? 73_456_000_000L : 44_000_000L) + nextInt(1_000_000);
            tradeCount = 2_000_000L + nextInt(1_000_000);
            volumeLots = inst.baseVolumeLots;
            quoteVolumeCents = quote(volumeLots, priceTicks);
            lastLots = sizeLots();
            book();
        }

        private Tape(Tape o) {
            key = o.key;
            inst = o.inst;
            copyFrom(o);
        }

        Tape copy() {
            return new Tape(this);
        }

        void copyFrom(Tape o) {
            rng = o.rng;
            step = o.step;
            priceTicks = o.priceTicks;
            lastLots = o.lastLots;
            lastBuy = o.lastBuy;
            lastTradeId = o.lastTradeId;
            seq = o.seq;
            tradeCount = o.tradeCount;
            volumeLots = o.volumeLots;
            quoteVolumeCents = o.quoteVolumeCents;
            openTicks = o.openTicks;
            highTicks = o.highTicks;
            lowTicks = o.lowTicks;
            bidTicks = o.bidTicks;
            askTicks = o.askTicks;
            bidLots = o.bidLots;
            askLots = o.askLots;
            bidOrders = o.bidOrders;
            askOrders = o.askOrders;
        }

        /** One trade made of {@code aggregated} fills; lastTradeId becomes the id of the last fill. */
        void nextTrade(int aggregated) {
            step++;
            walk();
            lastBuy = nextInt(2) == 0;
            lastLots = 0;
            for (int i = 0; i < aggregated; i++) {
                lastLots += sizeLots();
            }
            lastTradeId += aggregated;
            tradeCount += aggregated;
            seq += 1 + nextInt(3);
            account(lastLots);
        }

        /** A new best bid/offer. */
        void nextBook() {
            step++;
            walk();
            book();
            seq += 1 + nextInt(3);
        }

        /** A ticker update: a trade or two happened and the top of book moved. */
        void nextTicker() {
            step++;
            walk();
            int fills = 1 + nextInt(3);
            lastLots = sizeLots();
            lastTradeId += fills;
            tradeCount += fills;
            account(lastLots);
            book();
            seq += 1 + nextInt(3);
        }

        private void account(long lots) {
            volumeLots += lots;
            quoteVolumeCents += quote(lots, priceTicks);
            highTicks = Math.max(highTicks, priceTicks);
            lowTicks = Math.min(lowTicks, priceTicks);
        }

        private long quote(long lots, long ticks) {
            // lots * ticks is exact in a long for realistic volumes; rescale to 2 decimals.
            int shift = inst.sizeScale + inst.priceScale - 2;
            long v = lots * ticks;
            return shift >= 0 ? v / POW10[shift] : v * POW10[-shift];
        }

        private void book() {
            long spread = 1 + nextInt(2);
            bidTicks = priceTicks;
            askTicks = priceTicks + spread;
            bidLots = sizeLots() * (1 + nextInt(20));
            askLots = sizeLots() * (1 + nextInt(20));
            bidOrders = 1 + nextInt(20);
            askOrders = 1 + nextInt(20);
        }

        /** Random walk with a pull back towards the base price so long runs stay realistic. */
        private void walk() {
            long b = inst.basePriceTicks;
            long maxStep = Math.max(1, b / 200_000);
            long delta = nextInt((int) (2 * maxStep + 1)) - maxStep;
            if (priceTicks > b + b / 10) {
                delta = -Math.abs(delta);
            } else if (priceTicks < b - b / 10) {
                delta = Math.abs(delta);
            }
            priceTicks = Math.max(1, priceTicks + delta);
        }

        /** Log-uniform size: many small fills, a few large ones. StrictMath keeps it identical on every JVM. */
        private long sizeLots() {
            double u = nextDouble();
            return Math.max(1, Math.min(inst.maxLots, Math.round(StrictMath.exp(u * StrictMath.log(inst.maxLots)))));
        }

        long nextLong() {
            rng += 0x9E3779B97F4A7C15L;
            return mix(rng);
        }

        int nextInt(int bound) {
            return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
        }

        double nextDouble() {
            return (nextLong() >>> 11) * 0x1.0p-53;
        }
    }

    static final long[] POW10 = {1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L,
            100_000_000L, 1_000_000_000L, 10_000_000_000L, 100_000_000_000L, 1_000_000_000_000L};

    /** SplitMix64 finaliser: a cheap, well-mixed, portable generator step. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private final long seed;
    private final Map<String, Instrument> byInstId = new LinkedHashMap<>();
    private final Map<String, Instrument> bySymbol = new HashMap<>();
    private final Map<String, Tape> heads = new HashMap<>();
    private final Map<String, Integer> readers = new HashMap<>();
    private final Map<String, Long> unreadSinceMs = new HashMap<>();

    /** Told about each trade the market made while nobody read its tape. */
    interface UnreadTrades {
        void traded(String exchange, Tape head, long timeMs);
    }

    MarketDataGenerator(long seed, List<String> instruments) {
        this.seed = seed;
        for (String id : instruments) {
            Instrument i = Instrument.of(id);
            byInstId.put(i.instId, i);
            bySymbol.put(i.symbol, i);
        }
    }

    /** By OKX id ({@code BTC-USDT}); null when unknown. */
    Instrument byInstId(String instId) {
        return instId == null ? null : byInstId.get(instId);
    }

    /** By Binance symbol ({@code BTCUSDT}); null when unknown. */
    Instrument bySymbol(String symbol) {
        return symbol == null ? null : bySymbol.get(symbol);
    }

    Collection<Instrument> instruments() {
        return Collections.unmodifiableCollection(byInstId.values());
    }

    /** A private cursor starting at the tape's head. */
    synchronized Tape cursor(String exchange, Instrument inst, Kind kind) {
        return head(exchange, inst, kind).copy();
    }

    /**
     * A cursor for a subscription, counted as a reader of the tape until {@link #release}. When the tape had no reader
     * and {@code unreadTradesPerSecond > 0}, the market first moves on by the trades it made meanwhile (the real
     * market does not wait for a client to reconnect); each is reported to {@code unread} (the REST history keeps
     * them) and the cursor starts after them.
     */
    synchronized Tape open(String exchange, Instrument inst, Kind kind, double unreadTradesPerSecond, long nowMs,
                           UnreadTrades unread) {
        Tape head = head(exchange, inst, kind);
        int n = readers.getOrDefault(head.key, 0);
        Long since = unreadSinceMs.remove(head.key);
        if (n == 0 && since != null && kind == Kind.TRADES && unreadTradesPerSecond > 0) {
            long trades = Math.min(100_000, (long) ((nowMs - since) * unreadTradesPerSecond / 1000.0));
            for (long i = 1; i <= trades; i++) {
                head.nextTrade(1);
                unread.traded(exchange, head, since + (nowMs - since) * i / (trades + 1));
            }
        }
        readers.put(head.key, n + 1);
        return head.copy();
    }

    /** The subscription of {@code cursor} ended: one reader less; the last one starts the unread time. */
    synchronized void release(Tape cursor, long nowMs) {
        int n = readers.getOrDefault(cursor.key, 0) - 1;
        if (n <= 0) {
            readers.remove(cursor.key);
            unreadSinceMs.put(cursor.key, nowMs);
        } else {
            readers.put(cursor.key, n);
        }
    }

    /** Moves the head forward when the cursor got further than any other reader. */
    synchronized void publish(Tape cursor) {
        Tape head = heads.get(cursor.key);
        if (head != null && cursor.step > head.step) {
            head.copyFrom(cursor);
        }
    }

    private Tape head(String exchange, Instrument inst, Kind kind) {
        String key = exchange + "|" + inst.instId + "|" + kind;
        return heads.computeIfAbsent(key, k -> new Tape(k, inst, seed));
    }

    /**
     * The current market of an instrument for REST: the trade tape gives the last price, the book tape the best
     * bid/offer and the ticker tape the 24h figures. Nothing is advanced.
     */
    synchronized Tape market(String exchange, Instrument inst) {
        Tape t = head(exchange, inst, Kind.TICKER).copy();
        Tape trades = head(exchange, inst, Kind.TRADES);
        if (trades.step > 0) {
            t.priceTicks = trades.priceTicks;
            t.lastLots = trades.lastLots;
            t.bidTicks = trades.priceTicks;
            t.askTicks = trades.priceTicks + 1;
        }
        return t;
    }
}
