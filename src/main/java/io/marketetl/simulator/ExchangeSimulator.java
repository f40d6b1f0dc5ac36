package io.marketetl.simulator;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.ServerWebSocket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A protocol-faithful fake of OKX v5 and Binance Spot public market data (WebSocket plus a little REST) on one
 * loopback port, for tests, the benchmark and the offline demo. Paths decide the dialect:
 * {@code /ws/v5/public} and {@code /ws/v5/business} are OKX, {@code /ws...} and {@code /stream...} are Binance,
 * {@code /api/v5/...} and {@code /api/v3/...} are the exchanges' REST endpoints, {@code /private/...} and
 * {@code /generic/...} serve HTTP-connector tests (see {@link RestEndpoints}), {@code /sim/...} is the control API.
 *
 * <p>All connection state lives on one Vert.x event loop owned by the simulator (one core is plenty for tens of
 * thousands of frames per second, and it keeps the fault logic free of locks). {@link #faults()} and
 * {@link #stats()} can be used from any thread.
 */
public final class ExchangeSimulator implements AutoCloseable {

    private final SimulatorConfig config;
    private final SimulatorStats stats;
    private final SimulatorFaults faults;
    private final MarketDataGenerator generator;
    private final RestEndpoints rest;
    private final ControlApi control = new ControlApi(this);
    private final Map<Long, FeedConnection> connections = new LinkedHashMap<>(); // event loop only
    private final AtomicLong connectionIds = new AtomicLong();
    private final Vertx vertx;
    private final Context context;
    private HttpServer server;
    private int port;
    private long disconnectTimer = -1;
    private volatile boolean closed;
    private final TradeHistory tradeHistory;
    private volatile Thread eventLoopThread;

    private ExchangeSimulator(SimulatorConfig config) {
        this.config = config;
        this.stats = new SimulatorStats(config.requestLogCapacity());
        this.rest = new RestEndpoints(this, config.seed());
        this.generator = new MarketDataGenerator(config.seed(), config.instruments());
        this.faults = new SimulatorFaults(config, new FaultActions());
        this.tradeHistory = new TradeHistory(faults::tradeHistoryRetention);
        this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1));
        this.context = vertx.getOrCreateContext();
    }

    /** Starts listening and returns once the port is bound. */
    public static ExchangeSimulator start(SimulatorConfig config) {
        ExchangeSimulator sim = new ExchangeSimulator(config);
        try {
            sim.listen();
        } catch (RuntimeException e) {
            sim.vertx.close();
            throw e;
        }
        return sim;
    }

    private void listen() {
        CompletableFuture<Integer> bound = new CompletableFuture<>();
        context.runOnContext(v -> {
            eventLoopThread = Thread.currentThread();
            // No h2c: the exchanges serve REST over TLS (HTTP/2 only via ALPN), and Vert.x's h2c upgrade answered
            // large bodies (the trade history) now and then in a form the JDK client read as broken HTTP/2 frames.
            server = vertx.createHttpServer(new HttpServerOptions()
                    .setHttp2ClearTextEnabled(false)
                    .setMaxWebSocketFrameSize(1 << 20)
                    .setMaxWebSocketMessageSize(1 << 22));
            server.webSocketHandler(this::onWebSocket).requestHandler(this::onRequest);
            server.listen(config.port(), config.host()).onComplete(ar -> {
                if (ar.failed()) {
                    bound.completeExceptionally(ar.cause());
                    return;
                }
                long tick = Math.max(1, config.tick().toMillis());
                vertx.setPeriodic(tick, id -> pumpAll());
                vertx.setPeriodic(Math.min(25, tick * 5), id -> housekeepingAll());
                bound.complete(ar.result().actualPort());
            });
        });
        try {
            port = bound.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("simulator could not listen on " + config.host() + ":" + config.port()
                    + ": " + cause.getMessage(), cause);
        }
    }

    // ------------------------------------------------------------------ public API

    public int port() {
        return port;
    }

    public String okxWsUrl() {
        return "ws://" + urlHost() + ":" + port + "/ws/v5/public";
    }

    /** The base; clients append {@code /ws/<stream>}, {@code /ws} or {@code /stream?streams=a/b}. */
    public String binanceWsUrl() {
        return "ws://" + urlHost() + ":" + port;
    }

    public String okxRestUrl() {
        return "http://" + urlHost() + ":" + port;
    }

    public String binanceRestUrl() {
        return "http://" + urlHost() + ":" + port;
    }

    /** Base URL of the control API ({@code /sim/stats}, {@code /sim/faults}, {@code /sim/reset}). */
    public String controlUrl() {
        return "http://" + urlHost() + ":" + port + "/sim";
    }

    public SimulatorFaults faults() {
        return faults;
    }

    public SimulatorStats stats() {
        return stats;
    }

    public SimulatorConfig config() {
        return config;
    }

    /** Closes every connection (1001), the port and the event loop; waits up to 10 s. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CompletableFuture<Void> done = new CompletableFuture<>();
        context.runOnContext(v -> {
            new ArrayList<>(connections.values()).forEach(c -> c.closeWith(1001, "Simulator shutting down"));
            (server == null ? io.vertx.core.Future.<Void>succeededFuture() : server.close())
                    .onComplete(ar -> done.complete(null));
        });
        try {
            done.get(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // closing anyway
        }
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort
        }
    }

    // ------------------------------------------------------------------ package internals

    Vertx vertx() {
        return vertx;
    }

    Context context() {
        return context;
    }

    MarketDataGenerator generator() {
        return generator;
    }

    TradeHistory tradeHistory() {
        return tradeHistory;
    }

    void connectionClosed(FeedConnection c) {
        connections.remove(c.id());
        stats.connectionClosed(c.counters);
    }

    private String urlHost() {
        String h = config.host();
        return h.equals("0.0.0.0") || h.equals("::") ? "127.0.0.1" : h;
    }

    // ------------------------------------------------------------------ handlers (event loop)

    private void onWebSocket(ServerWebSocket ws) {
        if (closed) {
            ws.reject(503);
            return;
        }
        if (faults.refusing()) {
            stats.connectionRefused();
            ws.reject(503);
            return;
        }
        String path = ws.path();
        String ua = ws.headers().get("User-Agent");
        String identity = ua == null || ua.isBlank() ? "unknown" : ua;
        if (path.equals("/ws/v5/public") || path.equals("/ws/v5/business")) {
            long id = connectionIds.incrementAndGet();
            register(new OkxProtocol(this, ws, stats.connectionOpened(id, connId(id), OkxProtocol.EXCHANGE, path, identity)));
            return;
        }
        BinanceProtocol.Route route = BinanceProtocol.route(path, ws.query(), generator, config);
        if (route == null) {
            ws.reject(404);
        } else if (route.rejectStatus() != 0) {
            ws.reject(route.rejectStatus());
        } else {
            long id = connectionIds.incrementAndGet();
            register(new BinanceProtocol(this, ws,
                    stats.connectionOpened(id, connId(id), BinanceProtocol.EXCHANGE, ws.uri(), identity), route));
        }
    }

    private void register(FeedConnection c) {
        connections.put(c.id(), c);
        c.start();
    }

    /** 8 hex digits, deterministic per seed and connection number (OKX shows such a connId). */
    private String connId(long id) {
        return String.format("%08x", MarketDataGenerator.mix(config.seed() * 1_000_003L + id) & 0xFFFFFFFFL);
    }

    private void onRequest(HttpServerRequest req) {
        if (!control.handle(req)) {
            rest.handle(req);
        }
    }

    private void pumpAll() {
        if (connections.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (FeedConnection c : new ArrayList<>(connections.values())) {
            c.pump(now);
        }
    }

    private void housekeepingAll() {
        if (connections.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        for (FeedConnection c : new ArrayList<>(connections.values())) {
            c.cutIfNotReading(now);
            c.housekeeping(now);
        }
    }

    private List<FeedConnection> snapshotConnections() {
        return new ArrayList<>(connections.values());
    }

    /** Fault hooks that must run on the event loop. */
    private final class FaultActions implements SimulatorFaults.Actions {
        @Override
        public void disconnectEveryChanged() {
            if (closed) {
                return;
            }
            context.runOnContext(v -> {
                if (disconnectTimer >= 0) {
                    vertx.cancelTimer(disconnectTimer);
                    disconnectTimer = -1;
                }
                long every = faults.disconnectEvery().toMillis();
                if (every > 0 && !closed) {
                    disconnectTimer = vertx.setPeriodic(every, t -> snapshotConnections().forEach(FeedConnection::abort));
                }
            });
        }

        @Override
        public void sendOkxNotice(Duration lead) {
            context.runOnContext(v -> snapshotConnections().forEach(c -> {
                if (c instanceof OkxProtocol okx) {
                    okx.sendNotice(lead.toMillis());
                }
            }));
        }

        @Override
        public void sendBinanceServerShutdown(Duration lead) {
            context.runOnContext(v -> snapshotConnections().forEach(c -> {
                if (c instanceof BinanceProtocol b) {
                    b.sendServerShutdown(lead.toMillis());
                }
            }));
        }

        /** Runs at once on the event loop, else waits for it so the next request already sees clean limits. */
        @Override
        public void resetRestLimits() {
            if (closed) {
                return;
            }
            if (Thread.currentThread() == eventLoopThread) {
                rest.resetLimits();
                return;
            }
            CompletableFuture<Void> done = new CompletableFuture<>();
            context.runOnContext(v -> {
                rest.resetLimits();
                done.complete(null);
            });
            try {
                done.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                // the event loop is gone (closing): nothing left to reset
            }
        }
    }
}
