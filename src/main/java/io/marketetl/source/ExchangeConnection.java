package io.marketetl.source;

import io.marketetl.exchanges.ExchangeDialect;
import io.marketetl.exchanges.FrameInfo;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection lifecycle of one source: exactly one WebSocket at a time, subscribe on every open, keepalive,
 * per-stream stale-data watchdog, capped exponential back-off with full jitter, proactive reconnects, backpressure.
 *
 * <h2>Threading</h2>
 * All state lives on one Vert.x event-loop context of its own (a tiny verticle per connection, so sources spread over
 * the event loops) and is only touched there: socket callbacks, timers and the public entry points
 * ({@link #start()}, {@link #stop()}, {@link #resumeIfDrained()}) all run on it. Frames go to a
 * {@link FrameSink} (the per-source worker queue) without blocking; {@link SourceEvents} are called on the given
 * executor, never on the event loop.
 *
 * <h2>Rules</h2>
 * <ul>
 * <li>One socket: attempts are serialized (state machine), the previous socket is closed and its close completed
 * (or {@code closeTimeoutMs} passed) before the next attempt, every socket callback carries the generation it was
 * created in and is ignored once that generation is over, and nothing is attempted after {@link #stop()}. Attempts
 * are at least {@code minConnectIntervalMs} apart (and spaced per host by the {@link ConnectGate}). Handshake header
 * {@code User-Agent: market-etl/<sourceId>}. The one exception is a planned reconnect's handover (below): two
 * sockets, for at most {@code handoverMaxOverlapMs} plus the close handshake.</li>
 * <li>Subscribe: the dialect's messages are sent after every open, {@code subscribePacingMs} apart.</li>
 * <li>Keepalive (dialects with a ping text): a ping when nothing was sent for {@code pingIntervalMs}, or nothing
 * received for that long; a drop when neither pong nor any other frame follows within {@code pongTimeoutMs}.</li>
 * <li>Stale data: {@link StreamWatchdog}; a stale stream (or no data at all) means reconnect.</li>
 * <li>Unplanned drops (server close, error, pong timeout, stale) reconnect after {@link Backoff} delays. Planned ones
 * (OKX 64008 notice, Binance serverShutdown, max connection age) hand over without a gap ({@link Handover}): a
 * successor socket is opened and subscribed while the current one keeps delivering; its first data frame or ack
 * makes it the connection, and the old socket is closed (its frames still in flight go to the route until its close
 * completes). A successor that fails or proves nothing within {@code handoverMaxOverlapMs} is closed, the current
 * socket kept, and another successor tried after a back-off delay; if the current socket goes away meanwhile, an open
 * successor takes over at once. With {@code handoverMaxOverlapMs=0}: close, then reconnect at once (a gap). A
 * connection that stayed open with data for {@code healthyResetMs} resets the back-off.</li>
 * <li>Backpressure: when the sink reports its high-water mark the socket is paused (Vert.x stops reading, TCP pushes
 * back); {@link #resumeIfDrained()} resumes it. While paused, the watchdog and pong timeout are suspended.</li>
 * </ul>
 */
public final class ExchangeConnection {

    /** Where data frames go, called on the event loop; must not block. */
    public interface FrameSink {
        /** Takes a frame; returns true when the queue is at its high-water mark and reading should pause. */
        boolean accept(RawFrame frame);

        /** Whether reading should be paused now. */
        boolean shouldPause();
    }

    /** Lifecycle states. */
    public enum State { NEW, CONNECTING, OPEN, WAITING, STOPPED }

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeConnection.class);

    private final Vertx vertx;
    private final CompletableFuture<Context> contextReady = new CompletableFuture<>();
    private volatile boolean startCalled;
    private volatile Future<String> deployment;
    private final SourceConfig config;
    private final String sourceId;
    private final ExchangeDialect dialect;
    private final FrameSink sink;
    private final SourceEvents events;
    private final Executor eventExecutor;
    private final Backoff backoff;
    private final StreamWatchdog watchdog;
    private final ConnectGate gate;
    private final Handover handover;
    private final long tickMs;

    // ---- event-loop state ----
    private WebSocketClient client;
    private State state = State.NEW;
    private long generation;
    private long generationCounter;
    private WebSocket socket;
    // the successor of a planned reconnect (see Handover) and the socket it replaced, drained until closed
    private WebSocket successor;
    private long successorGen = -1;
    private boolean successorInFlight;
    private long successorSubscribeTimer = -1;
    private long handoverTimer = -1;
    private long drainingGen = -1;
    private WebSocket retiring;
    private Runnable afterRetired;
    private long inFlightGen = -1;
    private int attempt;
    private long lastAttemptNanos;
    private boolean attempted;
    private boolean slotReserved;
    private long openedNanos;
    private long lastSentNanos;
    private long lastReceivedNanos;
    private long pingOutstandingSince;
    private boolean dataSinceOpen;
    private boolean healthy;
    private boolean readingPaused;
    private boolean stopped;
    private CompletableFuture<Void> stopFuture;
    private long tickTimer = -1;
    private long reconnectTimer = -1;
    private long guardTimer = -1;
    private long maxAgeTimer = -1;
    private long subscribeTimer = -1;
    private long retireTimer = -1;

    // ---- counters readable from any thread ----
    private final AtomicLong dataFrames = new AtomicLong();
    private final AtomicLong controlFrames = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong staleDetections = new AtomicLong();
    private final AtomicLong handovers = new AtomicLong();
    private volatile Instant lastMessageAt;
    private volatile State publicState = State.NEW;
    private volatile boolean open;
    private volatile boolean paused;
    private volatile List<StreamWatchdog.Mark> streamMarks = List.of();
    private volatile String lastDropReason;

    /** A connection with its own {@link ConnectGate} (no spacing against other sources). */
    public ExchangeConnection(Vertx vertx, SourceConfig config, ExchangeDialect dialect, FrameSink sink,
            SourceEvents events, Executor eventExecutor, RandomGenerator random) {
        this(vertx, config, dialect, sink, events, eventExecutor, random, new ConnectGate());
    }

    /**
     * @param eventExecutor runs {@link SourceEvents} calls in order; must not be the event loop
     * @param random        jitter source for the back-off; null = thread-local random
     * @param gate          spaces attempts to one host across sources (shared by the component)
     */
    public ExchangeConnection(Vertx vertx, SourceConfig config, ExchangeDialect dialect, FrameSink sink,
            SourceEvents events, Executor eventExecutor, RandomGenerator random, ConnectGate gate) {
        this.gate = gate;
        this.vertx = vertx;
        this.config = config;
        this.sourceId = config.getSourceId();
        this.dialect = dialect;
        this.sink = sink;
        this.events = events == null ? SourceEvents.NONE : events;
        this.eventExecutor = eventExecutor;
        this.backoff = new Backoff(config.getBackoffInitialMs(), config.getBackoffMaxMs(), random);
        this.watchdog = new StreamWatchdog(config.getStaleAfterMs(), config.getStaleFactor());
        this.handover = new Handover(config.getHandoverMaxOverlapMs());
        long shortest = Math.min(config.getStaleAfterMs(), config.getPongTimeoutMs());
        if (dialect.pingText() != null) {
            shortest = Math.min(shortest, dialect.pingIntervalMs());
        }
        this.tickMs = Math.max(20, Math.min(1000, shortest / 5));
    }

    // =====================================================================================================
    // public entry points (any thread)

    /**
     * Starts connecting (asynchronously). The connection gets an event loop of its own: a tiny verticle is deployed
     * for it, as contexts created from one non-Vert.x thread would otherwise all share one event loop.
     */
    public synchronized void start() {
        if (startCalled) {
            return;
        }
        startCalled = true;
        deployment = vertx.deployVerticle(new AbstractVerticle() {
            @Override
            public void start() {
                contextReady.complete(context);
                startOnContext();
            }
        });
        deployment.onFailure(t -> {
            LOG.error("{}: could not start on Vert.x: {}", sourceId, t.toString());
            contextReady.completeExceptionally(t);
        });
    }

    /** Runs {@code action} on this connection's event-loop context (once it exists). */
    private void onContext(Runnable action) {
        contextReady.thenAccept(ctx -> ctx.runOnContext(v -> action.run()));
    }

    private void startOnContext() {
        if (state != State.NEW) {
            return;
        }
        WebSocketClientOptions options = new WebSocketClientOptions()
                .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.getConnectTimeoutMs()))
                .setMaxFrameSize(config.getMaxFrameSize())
                .setMaxMessageSize(config.getMaxMessageSize())
                .setClosingTimeout((int) Math.max(1, (config.getCloseTimeoutMs() + 999) / 1000))
                .setTryUsePerMessageCompression(false);
        client = vertx.createWebSocketClient(options);
        setState(State.WAITING);
        LOG.info("{}: starting {} source, url {}", sourceId, dialect.name(), RedactedUrl.of(dialect.connectUrl()));
        connect();
    }

    /**
     * Stops for good: no further attempts, the socket is closed (close handshake awaited up to
     * {@code closeTimeoutMs}); completes when nothing of this source is left open.
     */
    public synchronized CompletableFuture<Void> stop() {
        CompletableFuture<Void> result = new CompletableFuture<>();
        if (!startCalled || contextReady.isCompletedExceptionally()) {
            stopped = true;
            setState(State.STOPPED);
            result.complete(null);
            return result;
        }
        onContext(() -> {
            if (stopFuture != null) {
                stopFuture.whenComplete((r, t) -> result.complete(null));
                return;
            }
            stopFuture = result;
            stopped = true;
            cancelTimer(reconnectTimer);
            reconnectTimer = -1;
            if (successor != null || successorInFlight) {
                successorFailed("stopped");
            }
            boolean wasOpen = socket != null;
            retireSocket("stopped");
            if (wasOpen) {
                emit(e -> e.disconnected(sourceId, "stopped", null));
            }
            setState(State.STOPPED);
            finishStopIfIdle();
        });
        return result;
    }

    /** Called (from any thread) when the sink has drained below its low-water mark: resume reading if paused. */
    public void resumeIfDrained() {
        onContext(this::applyPauseState);
    }

    // =====================================================================================================
    // connecting

    private void connect() {
        reconnectTimer = -1;
        if (stopped || socket != null || inFlightGen != -1 || successorInFlight) {
            return; // (an in-flight successor becomes the connection when it opens, or calls afterDrop)
        }
        if (retiring != null) {
            afterRetired = this::connect; // the previous socket must be gone first
            return;
        }
        long now = System.nanoTime();
        long wait = attempted ? lastAttemptNanos + ms(config.getMinConnectIntervalMs()) - now : 0;
        if (wait > 0) {
            reconnectTimer = vertx.setTimer(Math.max(1, wait / 1_000_000L), id -> connect());
            return;
        }
        WebSocketConnectOptions options;
        try {
            options = connectOptions(dialect.connectUrl());
        } catch (RuntimeException e) {
            LOG.error("{}: bad url {}: {}", sourceId, RedactedUrl.of(dialect.connectUrl()), e.getMessage());
            emit(ev -> ev.error(sourceId, "bad url: " + e.getMessage()));
            attempted = true;
            lastAttemptNanos = now;
            afterDrop("bad url", null, false);
            return;
        }
        long hostWait = hostSlotWaitMs(options, now);
        if (hostWait > 0) {
            reconnectTimer = vertx.setTimer(hostWait, id -> connect());
            return;
        }
        attempted = true;
        lastAttemptNanos = now;
        attempt++;
        attempts.incrementAndGet();
        long gen = nextGeneration();
        generation = gen;
        inFlightGen = gen;
        setState(State.CONNECTING);
        int thisAttempt = attempt;
        emit(e -> e.connecting(sourceId, thisAttempt));
        // Safety net only: Vert.x fails the attempt itself after connectTimeoutMs (TCP) + connectTimeoutMs (handshake).
        guardTimer = vertx.setTimer(2 * config.getConnectTimeoutMs() + 1000, id -> onConnectHung(gen));
        client.connect(options).onComplete(ar -> onConnectResult(gen, ar));
    }

    /** Reserves this attempt's slot at the host ({@link ConnectGate}); the ms to wait for it, 0 = go now. */
    private long hostSlotWaitMs(WebSocketConnectOptions options, long now) {
        if (!slotReserved) {
            long hostWait = gate.reserve(options.getHost() + ":" + options.getPort(), config.getHostConnectIntervalMs(), now);
            if (hostWait > 0) {
                slotReserved = true; // our slot is hostWait ms from now
                return hostWait;
            }
        }
        slotReserved = false;
        return 0;
    }

    /** Checks that {@code url} is a ws/wss URL with a host; throws IllegalArgumentException otherwise. */
    public static void validateUrl(String url) {
        connectOptions(url, 1000, "check");
    }

    WebSocketConnectOptions connectOptions(String url) {
        return connectOptions(url, config.getConnectTimeoutMs(), sourceId);
    }

    static WebSocketConnectOptions connectOptions(String url, long timeoutMs, String sourceId) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a valid URL: " + url, e);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean ssl = switch (scheme) {
            case "wss", "https" -> true;
            case "ws", "http" -> false;
            default -> throw new IllegalArgumentException("url scheme must be ws or wss: " + url);
        };
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("url has no host: " + url);
        }
        int port = uri.getPort() != -1 ? uri.getPort() : ssl ? 443 : 80;
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path = path + "?" + uri.getRawQuery();
        }
        return new WebSocketConnectOptions()
                .setHost(uri.getHost())
                .setPort(port)
                .setSsl(ssl)
                .setURI(path)
                .setTimeout(timeoutMs)
                .addHeader("User-Agent", "market-etl/" + sourceId);
    }

    private void onConnectHung(long gen) {
        guardTimer = -1;
        if (gen != inFlightGen) {
            return;
        }
        LOG.warn("{}: connection attempt did not complete in time; abandoning it", sourceId);
        generation = nextGeneration(); // its late result (if any) is closed on arrival
        inFlightGen = -1;
        afterDrop("connect timed out", null, false);
    }

    private void onConnectResult(long gen, AsyncResult<WebSocket> ar) {
        if (gen == inFlightGen) {
            inFlightGen = -1;
            cancelTimer(guardTimer);
            guardTimer = -1;
        }
        if (gen != generation || stopped) {
            if (ar.succeeded()) {
                LOG.debug("{}: closing the socket of an abandoned attempt", sourceId);
                WebSocket orphan = ar.result();
                orphan.closeHandler(v -> onSocketClosed(gen, orphan)); // tells us when it is really gone
                retire(orphan);
            }
            finishStopIfIdle();
            return;
        }
        if (ar.failed()) {
            String reason = "connect failed: " + describe(ar.cause());
            LOG.warn("{}: {}", sourceId, reason);
            afterDrop(reason, null, false);
            return;
        }
        opened(gen, ar.result(), true);
    }

    /** {@code ws} becomes the connection (generation {@code gen}): handlers, timers, watchdog, subscribes. */
    private void opened(long gen, WebSocket ws, boolean subscribe) {
        generation = gen;
        socket = ws;
        long now = System.nanoTime();
        openedNanos = now;
        lastSentNanos = now;
        lastReceivedNanos = now;
        pingOutstandingSince = 0;
        dataSinceOpen = false;
        healthy = false;
        open = true;
        if (subscribe) {
            connects.incrementAndGet();
        }
        ws.textMessageHandler(text -> onText(gen, text));
        ws.binaryMessageHandler(buf -> onText(gen, buf.toString(StandardCharsets.UTF_8)));
        ws.closeHandler(v -> onSocketClosed(gen, ws));
        ws.exceptionHandler(t -> onSocketError(gen, ws, t));
        if (readingPaused) {
            ws.pause();
        }
        applyPauseState();
        watchdog.connectionOpened(now);
        setState(State.OPEN);
        LOG.info("{}: connected to {} (attempt {})", sourceId, RedactedUrl.of(dialect.connectUrl()), attempt);
        emit(e -> e.connected(sourceId));
        tickTimer = vertx.setPeriodic(tickMs, id -> tick(gen));
        if (config.getMaxConnectionAgeMs() > 0) {
            maxAgeTimer = vertx.setTimer(config.getMaxConnectionAgeMs(), id -> {
                maxAgeTimer = -1;
                if (gen == generation && socket != null) {
                    plannedReconnect("max connection age " + Duration.ofMillis(config.getMaxConnectionAgeMs()));
                }
            });
        }
        if (subscribe) {
            sendSubscribes(gen, dialect.subscribeMessages(), 0);
        } else if (subscribeTimer == -1) {
            emit(e -> e.subscribed(sourceId)); // the successor had sent all its subscribes
        }
    }

    /** Sends the subscribes to the current socket or to the successor, whichever has generation {@code gen}. */
    private void sendSubscribes(long gen, List<String> messages, int index) {
        boolean current = gen == generation && socket != null;
        if (current) {
            subscribeTimer = -1;
        } else if (gen == successorGen && successor != null) {
            successorSubscribeTimer = -1;
        } else {
            return;
        }
        if (index >= messages.size()) {
            LOG.debug("{}: {} subscribe messages sent", sourceId, messages.size());
            if (current) {
                emit(e -> e.subscribed(sourceId));
            }
            return;
        }
        send(current ? socket : successor, messages.get(index));
        if (config.getSubscribePacingMs() <= 0 || index + 1 >= messages.size()) {
            sendSubscribes(gen, messages, index + 1);
        } else {
            long t = vertx.setTimer(config.getSubscribePacingMs(), id -> sendSubscribes(gen, messages, index + 1));
            if (current) {
                subscribeTimer = t;
            } else {
                successorSubscribeTimer = t;
            }
        }
    }

    private void send(String text) {
        send(socket, text);
    }

    private void send(WebSocket ws, String text) {
        if (ws == socket) {
            lastSentNanos = System.nanoTime();
        }
        ws.writeTextMessage(text).onFailure(t -> LOG.debug("{}: write failed: {}", sourceId, t.toString()));
    }

    // =====================================================================================================
    // receiving

    private void onText(long gen, String text) {
        if (gen == drainingGen && !stopped) {
            onDrainingText(text);
            return;
        }
        if (gen != generation || stopped) {
            return; // a retired socket's late frame
        }
        long nanos = System.nanoTime();
        lastReceivedNanos = nanos;
        pingOutstandingSince = 0; // any frame proves the connection alive
        FrameInfo info = dialect.classify(text);
        switch (info.kind()) {
            case DATA -> {
                Instant at = Instant.now();
                dataSinceOpen = true;
                watchdog.onData(info.stream(), nanos);
                dataFrames.incrementAndGet();
                lastMessageAt = at;
                if (sink.accept(new RawFrame(sourceId, dialect, text, at, nanos)) && !readingPaused) {
                    pauseReading();
                }
            }
            case PONG -> controlFrames.incrementAndGet();
            case ACK -> {
                controlFrames.incrementAndGet();
                LOG.debug("{}: {}", sourceId, info.detail());
            }
            case ERROR -> {
                controlFrames.incrementAndGet();
                LOG.warn("{}: exchange reported an error: {}", sourceId, info.detail());
                emit(e -> e.error(sourceId, info.detail()));
            }
            case RECONNECT_NOTICE -> {
                controlFrames.incrementAndGet();
                LOG.info("{}: {}: reconnecting now", sourceId, info.detail());
                plannedReconnect(info.detail());
            }
            case CONTROL -> {
                controlFrames.incrementAndGet();
                LOG.info("{}: {}", sourceId, info.detail());
            }
        }
    }

    private void tick(long gen) {
        if (gen != generation || socket == null) {
            return;
        }
        long now = System.nanoTime();
        if (!healthy && dataSinceOpen && now - openedNanos >= ms(config.getHealthyResetMs())) {
            healthy = true;
            attempt = 0;
            backoff.reset();
            LOG.debug("{}: connection healthy; back-off reset", sourceId);
        }
        String ping = dialect.pingText();
        if (ping != null) {
            long interval = ms(dialect.pingIntervalMs());
            if (pingOutstandingSince != 0 && now - pingOutstandingSince > ms(config.getPongTimeoutMs())) {
                String reason = "no pong within " + config.getPongTimeoutMs() + " ms";
                LOG.warn("{}: {}", sourceId, reason);
                unplannedDrop(reason);
                return;
            }
            if (pingOutstandingSince == 0
                    && (now - lastSentNanos >= interval || (!readingPaused && now - lastReceivedNanos >= interval))) {
                send(ping);
                pingOutstandingSince = readingPaused ? 0 : now;
            }
        }
        streamMarks = watchdog.marks(); // a fresh list, never changed: for health checks on other threads
        if (readingPaused) {
            return;
        }
        String stale = watchdog.check(now);
        if (stale != null) {
            staleDetections.incrementAndGet();
            LOG.warn("{}: stale: {}; reconnecting", sourceId, stale);
            emit(e -> e.staleDetected(sourceId, stale));
            unplannedDrop("stale " + stale);
        }
    }

    // =====================================================================================================
    // closing and reconnecting

    private void onSocketClosed(long gen, WebSocket ws) {
        if (ws == retiring) {
            retiring = null;
            if (gen == drainingGen) {
                drainingGen = -1;
            }
            cancelTimer(retireTimer);
            retireTimer = -1;
            runAfterRetired();
            return;
        }
        if (gen != generation || ws != socket) {
            return;
        }
        Short code = ws.closeStatusCode();
        String text = ws.closeReason();
        String reason = code == null ? "connection lost without a close frame (1006)"
                : "closed by server " + code + (text != null && !text.isEmpty() ? " " + text : "");
        LOG.warn("{}: {}", sourceId, reason);
        clearSocket();
        afterDrop(reason, code == null ? 1006 : code.intValue(), false); // 1006: abnormal closure (RFC 6455)
    }

    private void onSocketError(long gen, WebSocket ws, Throwable t) {
        if (gen != generation || ws != socket) {
            return;
        }
        if (t instanceof HttpClosedException) {
            return; // the connection is gone; the close handler follows and reports it
        }
        LOG.warn("{}: socket error: {}", sourceId, describe(t));
        unplannedDrop("socket error: " + describe(t));
    }

    /** Close the current socket ourselves and reconnect after a back-off delay. */
    private void unplannedDrop(String reason) {
        retireSocket(reason);
        afterDrop(reason, null, false);
    }

    /**
     * A planned reconnect: with handover (the default) a successor socket is opened and subscribed first and the
     * current one closed once the successor delivers ({@link Handover}); without it, close the current socket and
     * reconnect at once (still at least minConnectIntervalMs apart).
     */
    private void plannedReconnect(String reason) {
        if (handover.enabled()) {
            if (socket != null && !stopped && handover.requested(reason)) {
                LOG.info("{}: {}: opening a successor connection before closing this one", sourceId, reason);
                connectSuccessor();
            }
            return;
        }
        retireSocket(reason);
        afterDrop(reason, null, true);
    }

    // =====================================================================================================
    // handover: a successor socket beside the current one, for at most handoverMaxOverlapMs

    private void connectSuccessor() {
        handoverTimer = -1;
        if (stopped || socket == null) {
            handover.failed(); // the current socket is gone: the ordinary reconnect takes over
            return;
        }
        if (retiring != null) {
            // the previous handover's old socket is still closing: wait for it, so never more than two sockets
            handoverTimer = vertx.setTimer(Math.max(1, Math.min(50, config.getCloseTimeoutMs())), id -> connectSuccessor());
            return;
        }
        long now = System.nanoTime();
        long wait = attempted ? lastAttemptNanos + ms(config.getMinConnectIntervalMs()) - now : 0;
        WebSocketConnectOptions options = connectOptions(dialect.connectUrl()); // valid: the current socket used it
        long hostWait = wait > 0 ? 0 : hostSlotWaitMs(options, now);
        if (wait > 0 || hostWait > 0) {
            handoverTimer = vertx.setTimer(Math.max(1, Math.max(hostWait, wait / 1_000_000L)), id -> connectSuccessor());
            return;
        }
        attempted = true;
        lastAttemptNanos = now;
        attempts.incrementAndGet();
        long gen = nextGeneration();
        successorGen = gen;
        successorInFlight = true;
        // no connecting event: the source stays connected (and its status running) while the successor connects;
        // listeners hear 'connected' (and 'subscribed') when it takes over
        handoverTimer = vertx.setTimer(2 * config.getConnectTimeoutMs() + 1000, id -> {
            handoverTimer = -1;
            if (gen == successorGen && successorInFlight) {
                successorFailed("successor connection attempt did not complete in time");
            }
        });
        client.connect(options).onComplete(ar -> onSuccessorResult(gen, ar));
    }

    private void onSuccessorResult(long gen, AsyncResult<WebSocket> ar) {
        if (gen != successorGen || stopped) {
            if (ar.succeeded()) {
                ar.result().close((short) 1000, "market-etl handover abandoned"); // an abandoned attempt
            }
            return;
        }
        successorInFlight = false;
        cancelTimer(handoverTimer);
        handoverTimer = -1;
        if (ar.failed()) {
            successorFailed("successor connect failed: " + describe(ar.cause()));
            return;
        }
        WebSocket ws = ar.result();
        if (socket == null) {
            // the current socket went away meanwhile: the successor simply becomes the connection
            successorGen = -1;
            handover.promoted();
            handovers.incrementAndGet();
            opened(gen, ws, true);
            return;
        }
        connects.incrementAndGet();
        successor = ws;
        long now = System.nanoTime();
        handover.opened(now);
        ws.textMessageHandler(text -> onSuccessorText(gen, text));
        ws.binaryMessageHandler(buf -> onSuccessorText(gen, buf.toString(StandardCharsets.UTF_8)));
        ws.closeHandler(v -> {
            if (gen == successorGen) {
                successorFailed("successor closed by the server");
            }
        });
        ws.exceptionHandler(t -> {
            if (gen == successorGen && !(t instanceof HttpClosedException)) {
                successorFailed("successor socket error: " + describe(t));
            }
        });
        LOG.info("{}: successor connected; both connections deliver until it proves itself", sourceId);
        handoverTimer = vertx.setTimer(handover.overlapLeftMs(now), id -> {
            handoverTimer = -1;
            if (gen == successorGen && handover.overdue(System.nanoTime())) {
                successorFailed("successor delivered nothing within " + config.getHandoverMaxOverlapMs() + " ms");
            }
        });
        sendSubscribes(gen, dialect.subscribeMessages(), 0);
    }

    private void onSuccessorText(long gen, String text) {
        if (gen != successorGen || stopped) {
            return;
        }
        FrameInfo info = dialect.classify(text);
        if (handover.proves(info.kind())) {
            promote(gen);
            onText(gen, text); // now the current socket's frame
        } else if (info.kind() == FrameInfo.Kind.ERROR) {
            controlFrames.incrementAndGet();
            LOG.warn("{}: exchange reported an error on the successor: {}", sourceId, info.detail());
            emit(e -> e.error(sourceId, info.detail()));
        } else {
            controlFrames.incrementAndGet();
        }
    }

    /** The successor takes over: it becomes the connection, the old socket is closed and drained until it is gone. */
    private void promote(long gen) {
        WebSocket old = socket;
        long oldGen = generation;
        String why = handover.reason();
        cancelTimer(handoverTimer);
        handoverTimer = -1;
        long pendingSubscribes = successorSubscribeTimer;
        successorSubscribeTimer = -1;
        WebSocket ws = successor;
        successor = null;
        successorGen = -1;
        handover.promoted();
        handovers.incrementAndGet();
        reconnects.incrementAndGet();
        clearSocket();
        if (old != null) {
            drainingGen = oldGen; // its frames in flight still go to the route until its close completes
            retire(old);
        }
        LOG.info("{}: handover done ({}): the successor took over; closing the old connection", sourceId, why);
        subscribeTimer = pendingSubscribes;
        opened(gen, ws, false);
    }

    /** The successor failed or was abandoned: close it, keep the current socket, try again after a back-off. */
    private void successorFailed(String reason) {
        if (stopped) {
            LOG.debug("{}: successor closed: {}", sourceId, reason);
        } else {
            LOG.warn("{}: {}; keeping the current connection", sourceId, reason);
            lastDropReason = reason;
        }
        WebSocket ws = successor;
        successor = null;
        successorGen = -1;
        successorInFlight = false;
        cancelTimer(successorSubscribeTimer);
        successorSubscribeTimer = -1;
        cancelTimer(handoverTimer);
        handoverTimer = -1;
        String why = handover.reason();
        handover.failed();
        if (ws != null && !ws.isClosed()) {
            ws.close((short) 1000, "market-etl handover abandoned");
        }
        if (stopped) {
            return;
        }
        if (socket == null) {
            afterDrop(reason, null, false); // the current socket went away meanwhile: reconnect as usual
            return;
        }
        long delay = Math.max(1, backoff.nextDelayMs());
        LOG.info("{}: next successor attempt in {} ms", sourceId, delay);
        handoverTimer = vertx.setTimer(delay, id -> {
            handoverTimer = -1;
            if (socket != null && !stopped && handover.requested(why)) {
                connectSuccessor();
            }
        });
    }

    /** A frame of the replaced socket, arriving after the handover: data still goes to the route. */
    private void onDrainingText(String text) {
        FrameInfo info = dialect.classify(text);
        if (info.kind() != FrameInfo.Kind.DATA) {
            return;
        }
        long nanos = System.nanoTime();
        Instant at = Instant.now();
        dataFrames.incrementAndGet();
        if (sink.accept(new RawFrame(sourceId, dialect, text, at, nanos)) && !readingPaused) {
            pauseReading();
        }
    }

    private void afterDrop(String reason, Integer closeCode, boolean planned) {
        if (!stopped && successor != null) {
            LOG.info("{}: {}: the successor takes over at once", sourceId, reason);
            lastDropReason = reason;
            promote(successorGen);
            return;
        }
        setState(State.WAITING);
        lastDropReason = reason;
        emit(e -> e.disconnected(sourceId, reason, closeCode));
        if (stopped) {
            finishStopIfIdle();
            return;
        }
        if (successorInFlight) {
            return; // it becomes the connection when it opens; if it fails, successorFailed comes back here
        }
        long delay = planned ? 0 : backoff.nextDelayMs();
        if (attempted) {
            long spacing = (lastAttemptNanos + ms(config.getMinConnectIntervalMs()) - System.nanoTime()) / 1_000_000L;
            delay = Math.max(delay, spacing);
        }
        long effective = Math.max(0, delay);
        int next = attempt + 1;
        reconnects.incrementAndGet();
        LOG.info("{}: reconnecting in {} ms (attempt {})", sourceId, effective, next);
        emit(e -> e.reconnectScheduled(sourceId, Duration.ofMillis(effective), next));
        cancelTimer(reconnectTimer);
        reconnectTimer = vertx.setTimer(Math.max(1, effective), id -> connect());
    }

    /** Ends the current generation: cancels its timers and closes its socket (if any). */
    private void retireSocket(String reason) {
        WebSocket ws = socket;
        clearSocket();
        if (ws != null) {
            retire(ws);
            LOG.debug("{}: closing socket: {}", sourceId, reason);
        }
    }

    private void retire(WebSocket ws) {
        if (ws.isClosed()) {
            return;
        }
        if (retiring != null && retiring != ws) {
            LOG.warn("{}: two sockets closing at once", sourceId); // not expected: attempts wait for retirement
        }
        retiring = ws;
        ws.close((short) 1000, stopped ? "market-etl stopping" : "market-etl reconnecting");
        cancelTimer(retireTimer);
        retireTimer = vertx.setTimer(config.getCloseTimeoutMs(), id -> {
            retireTimer = -1;
            if (retiring == ws) {
                LOG.warn("{}: close handshake not finished after {} ms; going ahead", sourceId,
                        config.getCloseTimeoutMs());
                retiring = null;
                runAfterRetired();
            }
        });
    }

    private void runAfterRetired() {
        Runnable r = afterRetired;
        afterRetired = null;
        if (r != null) {
            r.run();
        }
        finishStopIfIdle();
    }

    private void clearSocket() {
        generation = nextGeneration();
        socket = null;
        open = false;
        pingOutstandingSince = 0;
        cancelTimer(tickTimer);
        tickTimer = -1;
        cancelTimer(maxAgeTimer);
        maxAgeTimer = -1;
        cancelTimer(subscribeTimer);
        subscribeTimer = -1;
    }

    private void finishStopIfIdle() {
        if (!stopped || stopFuture == null || stopFuture.isDone() || inFlightGen != -1 || retiring != null) {
            return;
        }
        cancelTimer(guardTimer);
        guardTimer = -1;
        CompletableFuture<Void> f = stopFuture;
        Future<Void> closed = client != null ? client.close() : Future.succeededFuture();
        Future<String> d = deployment;
        closed.eventually(() -> d.compose(vertx::undeploy)).onComplete(ar -> f.complete(null));
        LOG.info("{}: stopped", sourceId);
    }

    // =====================================================================================================
    // backpressure

    private void pauseReading() {
        readingPaused = true;
        paused = true;
        pingOutstandingSince = 0;
        if (socket != null) {
            socket.pause();
        }
        LOG.debug("{}: route queue full: reading paused", sourceId);
    }

    private void applyPauseState() {
        boolean want = sink.shouldPause();
        if (want && !readingPaused) {
            pauseReading();
        } else if (!want && readingPaused) {
            readingPaused = false;
            paused = false;
            long now = System.nanoTime();
            watchdog.resumed(now);
            lastReceivedNanos = Math.max(lastReceivedNanos, now);
            if (socket != null) {
                socket.resume();
            }
            LOG.debug("{}: route queue drained: reading resumed", sourceId);
        }
    }

    // =====================================================================================================
    // helpers

    private void emit(Consumer<SourceEvents> call) {
        try {
            eventExecutor.execute(() -> {
                try {
                    call.accept(events);
                } catch (Throwable t) {
                    LOG.warn("{}: SourceEvents listener failed: {}", sourceId, t.toString(), t);
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: event after shutdown dropped", sourceId);
        }
    }

    private long nextGeneration() {
        return ++generationCounter;
    }

    private void setState(State s) {
        state = s;
        publicState = s;
    }

    private void cancelTimer(long id) {
        if (id >= 0) {
            vertx.cancelTimer(id);
        }
    }

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown";
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m != null ? ": " + m : "");
    }

    // =====================================================================================================
    // observation (any thread)

    public String sourceId() { return sourceId; }
    public ExchangeDialect dialect() { return dialect; }
    public State state() { return publicState; }
    /** Whether a socket is open now. */
    public boolean isOpen() { return open; }
    /** Whether reading is paused by backpressure now. */
    public boolean isPaused() { return paused; }
    /** Data frames received (and handed to the route). */
    public long dataFrames() { return dataFrames.get(); }
    /** Control frames received (acks, pongs, errors, notices). */
    public long controlFrames() { return controlFrames.get(); }
    /** Reconnects scheduled (every drop after the first connection counts one). */
    public long reconnects() { return reconnects.get(); }
    /** Successful connections. */
    public long connects() { return connects.get(); }
    /** Connection attempts. */
    public long attempts() { return attempts.get(); }
    /** Planned reconnects handed over to a successor socket without a gap. */
    public long handovers() { return handovers.get(); }
    /** Stale detections. */
    public long staleDetections() { return staleDetections.get(); }
    /** Per stream, its last data and usual silence, as of the last watchdog tick (ticks run while a socket is open). */
    public List<StreamWatchdog.Mark> streamMarks() { return streamMarks; }
    /** Why the last connection ended (or its attempt failed), or null. */
    public String lastDropReason() { return lastDropReason; }
    /** Wall-clock time of the last data frame, or null. */
    public Instant lastMessageAt() { return lastMessageAt; }
}
