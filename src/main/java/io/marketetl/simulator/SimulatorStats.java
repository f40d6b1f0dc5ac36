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
 *
 * <p>REST: every request to an exchange, private or generic endpoint (not {@code /sim/...}) is counted by path on
 * arrival and by status when answered, and kept in a bounded request log ({@link #requests(int)}). Endpoint keys are
 * paths ({@code /api/v3/ticker/price}); after {@value #MAX_ENDPOINT_KEYS} distinct paths the rest count as
 * {@code (other)}. Error-code keys are {@code binance:-1003}, {@code okx:50011}.
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
                           long binanceRateViolations, long slowConsumerCuts, long subscribeAcksSent, long errorsSent,
                           Map<String, Long> errorsSentByCode, long pingsSent, long pongsReceived,
                           long restRequests, long rest429Sent, long rest418Sent,
                           Map<String, Long> restRequestsByEndpoint, Map<Integer, Long> restAnswersByStatus,
                           Map<String, Long> restErrorsByCode, long restFailuresInjected, long restTimeoutsInjected,
                           long authSuccesses, long authFailures, Map<String, Long> authSuccessesByEndpoint,
                           Map<String, Long> authFailuresByEndpoint, List<TradeGap> gaps,
                           List<ConnectionSnapshot> connections) {
    }

    /**
     * One REST request as the server saw it. {@code query} is the raw query string ("" when none) with the values
     * of secret-looking parameters ({@code api_key}, {@code signature}, ...) replaced by {@code ***};
     * {@code headerNames} lists every header in arrival order, {@code headers} holds the values of the non-secret
     * ones only (no Authorization, X-MBX-APIKEY, OK-ACCESS-*, API-key header, cookies). {@code status} is 0 and
     * {@code answeredAtMs} 0 while unanswered (the no-answer fault never answers). Times are the server's epoch ms.
     * {@code retryAfter} is the answer's {@code Retry-After} header as sent (429, 418), null when it had none.
     */
    public record RestRequest(long id, long timeMs, String method, String path, String query, List<String> headerNames,
                              Map<String, String> headers, String remoteAddress, int remotePort, int status,
                              long answeredAtMs, String retryAfter) {
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
    static final int MAX_ENDPOINT_KEYS = 500;

    private final Map<String, StreamCounters> streams = new ConcurrentHashMap<>();
    private final Map<Long, ConnectionCounters> open = new ConcurrentHashMap<>();
    private final Deque<ConnectionCounters> closed = new ConcurrentLinkedDeque<>();
    private final Deque<TradeGap> gaps = new ConcurrentLinkedDeque<>();
    private final Map<Integer, AtomicLong> closes = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final AtomicLong connectionsOpened = new AtomicLong();
    private final AtomicLong connectionsRefused = new AtomicLong();
    private final AtomicLong binanceRateViolations = new AtomicLong();
    private final AtomicLong slowConsumerCuts = new AtomicLong();
    private final AtomicLong subscribeAcks = new AtomicLong();
    private final AtomicLong pingsSent = new AtomicLong();
    private final AtomicLong pongsReceived = new AtomicLong();
    private final AtomicLong restRequests = new AtomicLong();
    private final AtomicLong rest429 = new AtomicLong();
    private final AtomicLong rest418 = new AtomicLong();
    private final AtomicLong restFailures = new AtomicLong();
    private final AtomicLong restTimeouts = new AtomicLong();
    private final Map<String, AtomicLong> restByEndpoint = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicLong> restByStatus = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> restErrors = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> authOk = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> authFailed = new ConcurrentHashMap<>();
    private final RequestLog requestLog;
    /** identity -> {current, max}; guarded by itself (changes only on connect/disconnect). */
    private final Map<String, int[]> perClient = new HashMap<>();

    SimulatorStats() {
        this(10_000);
    }

    SimulatorStats(int requestLogCapacity) {
        requestLog = new RequestLog(requestLogCapacity);
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

    void slowConsumerCut() {
        slowConsumerCuts.incrementAndGet();
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

    /** A REST request arrived (counted before any fault or limit decides its fate). */
    void restRequest(String path) {
        restRequests.incrementAndGet();
        count(restByEndpoint, endpointKey(restByEndpoint, path));
    }

    /** A REST answer was written. */
    void restAnswered(int status) {
        restByStatus.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
        if (status == 429) {
            rest429.incrementAndGet();
        } else if (status == 418) {
            rest418.incrementAndGet();
        }
    }

    void restFailureInjected() {
        restFailures.incrementAndGet();
    }

    void restTimeoutInjected() {
        restTimeouts.incrementAndGet();
    }

    /** An exchange error body was sent over REST ({@code binance:-1022}, {@code okx:50113}). */
    void restErrorSent(String exchange, String code) {
        count(restErrors, exchange + ":" + code);
    }

    void auth(String path, boolean ok) {
        Map<String, AtomicLong> m = ok ? authOk : authFailed;
        count(m, endpointKey(m, path));
    }

    RequestLog requestLog() {
        return requestLog;
    }

    private static String endpointKey(Map<String, AtomicLong> m, String path) {
        return m.size() < MAX_ENDPOINT_KEYS || m.containsKey(path) ? path : "(other)";
    }

    private static void count(Map<String, AtomicLong> m, String key) {
        m.computeIfAbsent(key, k -> new AtomicLong()).incrementAndGet();
    }

    private static <K> Map<K, Long> copy(Map<K, AtomicLong> m) {
        Map<K, Long> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v.get()));
        return out;
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

    /** WebSocket connections cut because their client stopped reading (write queue full too long). */
    public long slowConsumerCuts() {
        return slowConsumerCuts.get();
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

    /** HTTP 429 answers: the rest429 fault, the Binance weight limit and the OKX rate limit. */
    public long rest429Sent() {
        return rest429.get();
    }

    /** HTTP 418 answers (Binance IP bans). */
    public long rest418Sent() {
        return rest418.get();
    }

    /** Requests by path, counted on arrival. */
    public Map<String, Long> restRequestsByEndpoint() {
        return copy(restByEndpoint);
    }

    public long restRequests(String path) {
        AtomicLong a = restByEndpoint.get(path);
        return a == null ? 0 : a.get();
    }

    /** Answers written, by HTTP status. */
    public Map<Integer, Long> restAnswersByStatus() {
        return copy(restByStatus);
    }

    public long restAnswers(int status) {
        AtomicLong a = restByStatus.get(status);
        return a == null ? 0 : a.get();
    }

    /** Exchange error bodies sent over REST, keys {@code binance:-1003}, {@code okx:50011}, ... */
    public Map<String, Long> restErrorsByCode() {
        return copy(restErrors);
    }

    public long restErrorsSent(String exchange, String code) {
        AtomicLong a = restErrors.get(exchange + ":" + code);
        return a == null ? 0 : a.get();
    }

    /** Server errors injected by the restFailRatio fault. */
    public long restFailuresInjected() {
        return restFailures.get();
    }

    /** Requests left unanswered by the restTimeoutRatio fault. */
    public long restTimeoutsInjected() {
        return restTimeouts.get();
    }

    /** Accepted credentials of private endpoints, by path. */
    public Map<String, Long> authSuccessesByEndpoint() {
        return copy(authOk);
    }

    /** Refused credentials (missing, wrong, bad signature, stale timestamp) of private endpoints, by path. */
    public Map<String, Long> authFailuresByEndpoint() {
        return copy(authFailed);
    }

    public long authSuccesses() {
        return authOk.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long authFailures() {
        return authFailed.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public long authFailures(String path) {
        AtomicLong a = authFailed.get(path);
        return a == null ? 0 : a.get();
    }

    /** Every kept REST request, oldest first (at most the configured request log capacity). */
    public List<RestRequest> requests() {
        return requestLog.last(Integer.MAX_VALUE, null);
    }

    /** The newest {@code limit} REST requests, oldest of them first. */
    public List<RestRequest> requests(int limit) {
        return requestLog.last(limit, null);
    }

    /** Forgets the request log ({@code POST /sim/requests/clear}); counters are kept. */
    public void clearRequests() {
        requestLog.clear();
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
                closesSent(), binanceRateViolations(), slowConsumerCuts(), subscribeAcksSent(), errorsSent(), errorsSentByCode(),
                pingsSent(), pongsReceived(), restRequests(), rest429Sent(), rest418Sent(), restRequestsByEndpoint(),
                restAnswersByStatus(), restErrorsByCode(), restFailuresInjected(), restTimeoutsInjected(),
                authSuccesses(), authFailures(), authSuccessesByEndpoint(), authFailuresByEndpoint(), g, connections());
    }

    /**
     * Zeroes every counter and forgets gaps, closed connections and the REST request log. Open connections stay listed (with zeroed
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
        slowConsumerCuts.set(0);
        subscribeAcks.set(0);
        pingsSent.set(0);
        pongsReceived.set(0);
        restRequests.set(0);
        rest429.set(0);
        rest418.set(0);
        restFailures.set(0);
        restTimeouts.set(0);
        restByEndpoint.clear();
        restByStatus.clear();
        restErrors.clear();
        authOk.clear();
        authFailed.clear();
        requestLog.clear();
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
