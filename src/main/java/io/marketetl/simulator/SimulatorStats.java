package io.marketetl.simulator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the simulator did, as seen from the wire. Written by the event loop, readable from any thread; every
 * getter returns a copy. Data frames are counted at the moment they are handed to the socket.
 *
 * <p>Stream keys: {@code okx:<channel>:<instId>} (e.g. {@code okx:trades:BTC-USDT}) and
 * {@code binance:<stream>} (e.g. {@code binance:btcusdt@trade}).
 *
 * <p>Close codes: the codes of close frames the server initiated; an abrupt drop without a close frame
 * (the disconnect fault) is recorded as 1006, which is what the client observes.
 */
public final class SimulatorStats {

    /** An injected trade-id gap: ids {@code fromId..toId} (inclusive) were skipped and never sent. */
    public record TradeGap(String exchange, String instrument, long fromId, long toId) {
        public long missing() {
            return toId - fromId + 1;
        }
    }

    /** One connection, open or closed. closedAtMs/closeCode are 0 while open (closeCode 0 also = client closed). */
    public record ConnectionSnapshot(long id, String connId, String exchange, String path, String clientIdentity,
                                     long openedAtMs, long closedAtMs, int closeCode, long dataFramesSent,
                                     long itemsSent, long malformedSent, long gapsInjected, long incomingMessages,
                                     Map<String, Long> itemsByStream) {
    }

    /** Everything at once, for JSON ({@code GET /sim/stats}) and for tests that want a consistent view. */
    public record Snapshot(long connectionsOpened, long connectionsRefused, int currentConnections,
                           long totalFramesSent, long totalItemsSent, long totalMalformedSent, long totalGapsInjected,
                           Map<String, Long> framesSentByStream, Map<String, Long> itemsSentByStream,
                           Map<String, Long> malformedSentByStream, Map<String, Long> gapsByStream,
                           Map<String, Integer> maxConcurrentConnectionsByClient, Map<Integer, Long> closesSentByCode,
                           long binanceRateViolations, long subscribeAcksSent, long errorsSent,
                           Map<String, Long> errorsSentByCode, long pingsSent, long pongsReceived,
                           long restRequests, long rest429Sent, List<TradeGap> gaps,
                           List<ConnectionSnapshot> connections) {
    }

    /** Counters of one stream (global or per connection); zeroed in place by reset so holders stay valid. */
    static final class StreamCounters {
        final AtomicLong frames = new AtomicLong();
        final AtomicLong items = new AtomicLong();
        final AtomicLong malformed = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();

        void zero() {
            frames.set(0);
            items.set(0);
            malformed.set(0);
            gaps.set(0);
        }
    }

    /** Live counters of one connection. */
    static final class ConnectionCounters {
        final long id;
        final String connId;
        final String exchange;
        final String path;
        final String clientIdentity;
        final long openedAtMs;
        volatile long closedAtMs;
        volatile int closeCode;
        final AtomicLong frames = new AtomicLong();
        final AtomicLong items = new AtomicLong();
        final AtomicLong malformed = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        final AtomicLong incoming = new AtomicLong();
        final Map<String, StreamCounters> streams = new ConcurrentHashMap<>();

        ConnectionCounters(long id, String connId, String exchange, String path, String clientIdentity) {
            this.id = id;
            this.connId = connId;
            this.exchange = exchange;
            this.path = path;
            this.clientIdentity = clientIdentity;
            this.openedAtMs = System.currentTimeMillis();
        }

        StreamCounters stream(String key) {
            return streams.computeIfAbsent(key, k -> new StreamCounters());
        }

        void zero() {
            frames.set(0);
            items.set(0);
            malformed.set(0);
            gaps.set(0);
            incoming.set(0);
            streams.values().forEach(StreamCounters::zero);
        }

        ConnectionSnapshot snapshot() {
            Map<String, Long> byStream = new TreeMap<>();
            streams.forEach((k, v) -> byStream.put(k, v.items.get()));
            return new ConnectionSnapshot(id, connId, exchange, path, clientIdentity, openedAtMs, closedAtMs,
                    closeCode, frames.get(), items.get(), malformed.get(), gaps.get(), incoming.get(), byStream);
        }
    }

    private static final int MAX_GAPS_KEPT = 100_000;
    private static final int MAX_CLOSED_CONNECTIONS_KEPT = 1_000;

    private final Map<String, StreamCounters> streams = new ConcurrentHashMap<>();
    private final Map<Long, ConnectionCounters> open = new ConcurrentHashMap<>();
    private final Deque<ConnectionCounters> closed = new ConcurrentLinkedDeque<>();
    private final Deque<TradeGap> gaps = new ConcurrentLinkedDeque<>();
    private final Map<Integer, AtomicLong> closes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final AtomicLong connectionsOpened = new AtomicLong();
    private final AtomicLong connectionsRefused = new AtomicLong();
    private final AtomicLong binanceRateViolations = new AtomicLong();
    private final AtomicLong subscribeAcks = new AtomicLong();
    private final AtomicLong pingsSent = new AtomicLong();
    private final AtomicLong pongsReceived = new AtomicLong();
    private final AtomicLong restRequests = new AtomicLong();
    private final AtomicLong rest429 = new AtomicLong();
    /** identity -> {current, max}; guarded by itself (changes only on connect/disconnect). */
    private final Map<String, int[]> perClient = new HashMap<>();

    SimulatorStats() {
    }

    // ---------------------------------------------------------------- recording (event loop)

    StreamCounters stream(String key) {
        return streams.computeIfAbsent(key, k -> new StreamCounters());
    }

    ConnectionCounters connectionOpened(long id, String connId, String exchange, String path, String identity) {
        ConnectionCounters c = new ConnectionCounters(id, connId, exchange, path, identity);
        open.put(id, c);
        connectionsOpened.incrementAndGet();
        synchronized (perClient) {
            int[] cm = perClient.computeIfAbsent(identity, k -> new int[2]);
            cm[0]++;
            cm[1] = Math.max(cm[1], cm[0]);
        }
        return c;
    }

    void connectionClosed(ConnectionCounters c) {
        if (open.remove(c.id) == null) {
            return;
        }
        c.closedAtMs = System.currentTimeMillis();
        closed.addLast(c);
        while (closed.size() > MAX_CLOSED_CONNECTIONS_KEPT) {
            closed.pollFirst();
        }
        synchronized (perClient) {
            int[] cm = perClient.get(c.clientIdentity);
            if (cm != null && cm[0] > 0) {
                cm[0]--;
            }
        }
    }

    void connectionRefused() {
        connectionsRefused.incrementAndGet();
    }

    void closeSent(ConnectionCounters c, int code) {
        c.closeCode = code;
        closes.computeIfAbsent(code, k -> new AtomicLong()).incrementAndGet();
    }

    void gapInjected(TradeGap gap) {
        gaps.addLast(gap);
        if (gaps.size() > MAX_GAPS_KEPT) {
            gaps.pollFirst();
        }
    }

    void binanceRateViolation() {
        binanceRateViolations.incrementAndGet();
    }

    void subscribeAckSent() {
        subscribeAcks.incrementAndGet();
    }

    void errorSent(String exchange, String code) {
        errors.computeIfAbsent(exchange + ":" + code, k -> new AtomicLong()).incrementAndGet();
    }

    void pingSent() {
        pingsSent.incrementAndGet();
    }

    void pongReceived() {
        pongsReceived.incrementAndGet();
    }

    void restRequest(boolean was429) {
        restRequests.incrementAndGet();
        if (was429) {
            rest429.incrementAndGet();
        }
    }

    // ---------------------------------------------------------------- reading (any thread)

    public Map<String, Long> itemsSentByStream() {
        return collect(s -> s.items.get());
    }

    public Map<String, Long> framesSentByStream() {
        return collect(s -> s.frames.get());
    }

    public Map<String, Long> malformedSentByStream() {
        return collect(s -> s.malformed.get());
    }

    public Map<String, Long> gapsByStream() {
        return collect(s -> s.gaps.get());
    }

    /** Valid data items (one OKX trades frame can carry several trades). Malformed frames are not included. */
    public long itemsSent(String streamKey) {
        StreamCounters s = streams.get(streamKey);
        return s == null ? 0 : s.items.get();
    }

    public long totalItemsSent() {
        return sum(s -> s.items.get());
    }

    /** Valid data frames. */
    public long totalFramesSent() {
        return sum(s -> s.frames.get());
    }

    public long totalMalformedSent() {
        return sum(s -> s.malformed.get());
    }

    public long totalGapsInjected() {
        return sum(s -> s.gaps.get());
    }

    public List<TradeGap> gaps() {
        return new ArrayList<>(gaps);
    }

    public long connectionsOpened() {
        return connectionsOpened.get();
    }

    /** Upgrades rejected by the refuse fault. */
    public long connectionsRefused() {
        return connectionsRefused.get();
    }

    public int currentConnections() {
        return open.size();
    }

    /** Highest number of simultaneously open connections whose User-Agent was {@code clientIdentity}. */
    public int maxConcurrentConnections(String clientIdentity) {
        synchronized (perClient) {
            int[] cm = perClient.get(clientIdentity);
            return cm == null ? 0 : cm[1];
        }
    }

    public Map<String, Integer> maxConcurrentConnectionsByClient() {
        Map<String, Integer> m = new TreeMap<>();
        synchronized (perClient) {
            perClient.forEach((k, v) -> m.put(k, v[1]));
        }
        return m;
    }

    /** Open connections per client identity right now. */
    public int currentConnections(String clientIdentity) {
        synchronized (perClient) {
            int[] cm = perClient.get(clientIdentity);
            return cm == null ? 0 : cm[0];
        }
    }

    public long closesSent(int code) {
        AtomicLong a = closes.get(code);
        return a == null ? 0 : a.get();
    }

    public Map<Integer, Long> closesSent() {
        Map<Integer, Long> m = new TreeMap<>();
        closes.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long binanceRateViolations() {
        return binanceRateViolations.get();
    }

    /** OKX acks count one per arg, Binance one per accepted SUBSCRIBE/UNSUBSCRIBE request. */
    public long subscribeAcksSent() {
        return subscribeAcks.get();
    }

    public long errorsSent() {
        return errors.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /** Keys {@code okx:60018}, {@code binance:2}, ... */
    public Map<String, Long> errorsSentByCode() {
        Map<String, Long> m = new TreeMap<>();
        errors.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    public long errorsSent(String exchange, String code) {
        AtomicLong a = errors.get(exchange + ":" + code);
        return a == null ? 0 : a.get();
    }

    /** Binance server ping frames. */
    public long pingsSent() {
        return pingsSent.get();
    }

    /** Binance pong frames that answered an outstanding ping. */
    public long pongsReceived() {
        return pongsReceived.get();
    }

    public long restRequests() {
        return restRequests.get();
    }

    public long rest429Sent() {
        return rest429.get();
    }

    /** Open connections first (by id), then the most recent closed ones. */
    public List<ConnectionSnapshot> connections() {
        List<ConnectionSnapshot> l = new ArrayList<>();
        open.values().stream().sorted((a, b) -> Long.compare(a.id, b.id)).forEach(c -> l.add(c.snapshot()));
        for (ConnectionCounters c : new ArrayDeque<>(closed)) {
            l.add(c.snapshot());
        }
        return l;
    }

    public Snapshot snapshot() {
        List<TradeGap> g = gaps();
        if (g.size() > 1000) {
            g = new ArrayList<>(g.subList(g.size() - 1000, g.size()));
        }
        return new Snapshot(connectionsOpened(), connectionsRefused(), currentConnections(), totalFramesSent(),
                totalItemsSent(), totalMalformedSent(), totalGapsInjected(), framesSentByStream(),
                itemsSentByStream(), malformedSentByStream(), gapsByStream(), maxConcurrentConnectionsByClient(),
                closesSent(), binanceRateViolations(), subscribeAcksSent(), errorsSent(), errorsSentByCode(),
                pingsSent(), pongsReceived(), restRequests(), rest429Sent(), g, connections());
    }

    /**
     * Zeroes every counter and forgets gaps and closed connections. Open connections stay listed (with zeroed
     * counters) and the per-client maximum restarts from the current number of open connections. While data
     * flows the counters of different streams are zeroed a few microseconds apart; for exact before/after
     * comparisons stall first ({@link SimulatorFaults#setStall}), as {@code POST /sim/reset} runs on the event loop.
     */
    public void reset() {
        streams.values().forEach(StreamCounters::zero);
        open.values().forEach(ConnectionCounters::zero);
        closed.clear();
        gaps.clear();
        closes.clear();
        errors.clear();
        connectionsOpened.set(0);
        connectionsRefused.set(0);
        binanceRateViolations.set(0);
        subscribeAcks.set(0);
        pingsSent.set(0);
        pongsReceived.set(0);
        restRequests.set(0);
        rest429.set(0);
        synchronized (perClient) {
            perClient.values().removeIf(cm -> cm[0] == 0);
            perClient.values().forEach(cm -> cm[1] = cm[0]);
        }
    }

    private Map<String, Long> collect(java.util.function.ToLongFunction<StreamCounters> f) {
        Map<String, Long> m = new TreeMap<>();
        streams.forEach((k, v) -> m.put(k, f.applyAsLong(v)));
        return m;
    }

    private long sum(java.util.function.ToLongFunction<StreamCounters> f) {
        long total = 0;
        Collection<StreamCounters> all = streams.values();
        for (StreamCounters s : all) {
            total += f.applyAsLong(s);
        }
        return total;
    }
}
