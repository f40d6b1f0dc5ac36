package io.marketetl.simulator;

import io.marketetl.simulator.MarketDataGenerator.Instrument;
import io.marketetl.simulator.MarketDataGenerator.Kind;
import io.marketetl.simulator.MarketDataGenerator.Tape;
import io.marketetl.simulator.SimulatorStats.ConnectionCounters;
import io.marketetl.simulator.SimulatorStats.StreamCounters;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.impl.WebSocketInternal;

import java.util.ArrayList;
import java.util.List;

/**
 * One server-side WebSocket connection, whatever the dialect: frame intake, paced data pump with
 * backpressure, malformed-frame and trade-gap injection, closing. Subclasses speak the protocol
 * ({@link OkxProtocol}, {@link BinanceProtocol}). Everything here runs on the simulator's single event loop.
 */
abstract class FeedConnection {

    /** A stream this connection is subscribed to, with its own cursor into the instrument's tape. */
    static final class Subscription {
        final String name;          // protocol name: "trades:BTC-USDT" (OKX), "btcusdt@trade" (Binance)
        final Kind kind;
        final Instrument inst;
        final Tape tape;
        final StreamCounters global;
        final StreamCounters local;
        final String prefix;        // pre-rendered start of every data frame of this stream
        int tradesSinceGap;

        Subscription(String name, Kind kind, Instrument inst, Tape tape, StreamCounters global, StreamCounters local,
                     String prefix) {
            this.name = name;
            this.kind = kind;
            this.inst = inst;
            this.tape = tape;
            this.global = global;
            this.local = local;
            this.prefix = prefix;
        }
    }

    /** Upper bound of frames per pump call when the rate is 0 (keeps the event loop responsive). */
    private static final int UNPACED_BATCH = 512;

    protected final ExchangeSimulator sim;
    protected final ServerWebSocket ws;
    protected final ConnectionCounters counters;
    protected final String exchange;
    protected final long openedAtMs = System.currentTimeMillis();
    protected final List<Subscription> subs = new ArrayList<>();
    private final StringBuilder frame = new StringBuilder(512);
    private final StringBuilder fragments = new StringBuilder();
    private long malformedRng;
    private int next;
    private double credit;
    private long lastPumpNanos = System.nanoTime();
    private boolean pumpQueued;
    private boolean closing;
    private boolean closed;
    private long closeTimer = -1;
    /** Since when the write queue is full (the client not reading), 0 = it is not. */
    private long writeQueueFullSinceMs;
    /** Wall-clock time of the last valid or malformed data frame written (0 = none yet). */
    protected long lastDataWrittenMs;

    FeedConnection(ExchangeSimulator sim, ServerWebSocket ws, String exchange, ConnectionCounters counters) {
        this.sim = sim;
        this.ws = ws;
        this.exchange = exchange;
        this.counters = counters;
        this.malformedRng = MarketDataGenerator.mix(sim.config().seed() * 31 + counters.id);
    }

    /** Installs the handlers; called once, inside the WebSocket handler (before the handshake completes). */
    void start() {
        ws.frameHandler(this::onFrame);
        ws.closeHandler(v -> onClosed());
        ws.exceptionHandler(t -> {
            // Resets and broken pipes are part of the job here; the close handler does the bookkeeping.
        });
        ws.drainHandler(v -> {
            writeQueueFullSinceMs = 0;
            pump(System.nanoTime());
        });
    }

    final long id() {
        return counters.id;
    }

    final boolean isOpen() {
        return !closed && !closing;
    }

    // ------------------------------------------------------------------ incoming

    private void onFrame(WebSocketFrame f) {
        if (closed) {
            return;
        }
        switch (f.type()) {
            case TEXT -> {
                if (f.isFinal()) {
                    if (incoming()) {
                        onText(f.textData());
                    }
                } else {
                    fragments.setLength(0);
                    fragments.append(f.textData());
                }
            }
            case CONTINUATION -> {
                fragments.append(f.binaryData().toString());
                if (f.isFinal()) {
                    String text = fragments.toString();
                    fragments.setLength(0);
                    if (incoming()) {
                        onText(text);
                    }
                }
            }
            case BINARY -> {
                if (f.isFinal() && incoming()) {
                    onText(f.binaryData().toString());
                }
            }
            case PING -> { // Vert.x has already answered it with a pong
                incoming();
            }
            case PONG -> {
                if (incoming()) {
                    onPong(f.binaryData());
                }
            }
            default -> {
                // CLOSE: Vert.x completes the closing handshake
            }
        }
    }

    /** Counts a client message and applies the dialect's limits; false when the connection is now closing. */
    private boolean incoming() {
        counters.incoming.incrementAndGet();
        onIncomingMessage(System.currentTimeMillis());
        return isOpen();
    }

    /** Every client message (text, binary, ping, pong) passes here first; may close the connection. */
    protected void onIncomingMessage(long nowMs) {
    }

    protected abstract void onText(String text);

    protected void onPong(Buffer payload) {
    }

    /** Timeouts and periodic duties, called by the simulator every few tens of milliseconds. */
    abstract void housekeeping(long nowMs);

    // ------------------------------------------------------------------ data pump

    /** Adds a stream; the cursor starts at the instrument's head so ids continue where the market is. */
    protected final Subscription subscribe(String name, Kind kind, Instrument inst, String prefix) {
        for (Subscription s : subs) {
            if (s.name.equals(name)) {
                return s;
            }
        }
        String key = exchange + ":" + name;
        Tape cursor = sim.generator().open(exchange, inst, kind, sim.faults().unreadTradesPerSecond(),
                System.currentTimeMillis(), (ex, head, timeMs) -> sim.tradeHistory().record(ex, head, timeMs, 1));
        Subscription s = new Subscription(name, kind, inst, cursor,
                sim.stats().stream(key), counters.stream(key), prefix);
        subs.add(s);
        return s;
    }

    protected final boolean unsubscribe(String name) {
        long now = System.currentTimeMillis();
        return subs.removeIf(s -> {
            if (s.name.equals(name)) {
                sim.generator().release(s.tape, now);
                return true;
            }
            return false;
        });
    }

    /**
     * Sends what the offered rate allows since the last call, or, at rate 0, as much as the write queue takes.
     * Credit is capped so a stall or a full write queue does not turn into a burst afterwards.
     */
    final void pump(long nowNanos) {
        long elapsed = nowNanos - lastPumpNanos;
        lastPumpNanos = nowNanos;
        if (closed || closing || subs.isEmpty() || sim.faults().stall()) {
            credit = 0;
            return;
        }
        double rate = sim.faults().rate();
        int budget;
        if (rate <= 0) {
            budget = UNPACED_BATCH;
        } else {
            double cap = Math.max(1, rate * 0.2);
            credit = Math.min(cap, credit + rate * elapsed / 1e9);
            budget = (int) credit;
        }
        long nowMs = System.currentTimeMillis();
        int sent = 0;
        while (sent < budget && !ws.writeQueueFull() && !closed && !closing) {
            sendOne(nowMs);
            sent++;
        }
        if (writeQueueFullSinceMs == 0 && ws.writeQueueFull()) {
            writeQueueFullSinceMs = nowMs;
        }
        if (rate > 0) {
            credit -= sent;
        } else if (sent == budget && !pumpQueued) {
            // Unpaced and the socket still takes more: continue right after other event-loop work.
            pumpQueued = true;
            sim.context().runOnContext(v -> {
                pumpQueued = false;
                pump(System.nanoTime());
            });
        }
    }

    private void sendOne(long nowMs) {
        if (next >= subs.size()) {
            next = 0;
        }
        Subscription s = subs.get(next++);
        double ratio = sim.faults().malformedRatio();
        if (ratio > 0 && nextMalformed() < ratio) {
            String bad = malformed(s, (int) ((malformedRng >>> 33) % 4), nowMs);
            if (write(bad)) {
                lastDataWrittenMs = nowMs;
                s.global.malformed.incrementAndGet();
                s.local.malformed.incrementAndGet();
                counters.malformed.incrementAndGet();
            }
            return;
        }
        frame.setLength(0);
        int items = renderData(s, nowMs, frame);
        sim.generator().publish(s.tape);
        if (write(frame.toString())) {
            lastDataWrittenMs = nowMs;
            s.global.frames.incrementAndGet();
            s.global.items.addAndGet(items);
            s.local.frames.incrementAndGet();
            s.local.items.addAndGet(items);
            counters.frames.incrementAndGet();
            counters.items.addAndGet(items);
        }
    }

    private double nextMalformed() {
        malformedRng += 0x9E3779B97F4A7C15L;
        return (MarketDataGenerator.mix(malformedRng) >>> 11) * 0x1.0p-53;
    }

    /** Renders one data frame of {@code s} into {@code out}; returns the number of data items in it. */
    protected abstract int renderData(Subscription s, long nowMs, StringBuilder out);

    /** A frame that is not JSON or not the expected shape; {@code variant} is 0..3. */
    protected abstract String malformed(Subscription s, int variant, long nowMs);

    /**
     * Cuts the connection (TCP reset, no close frame: it would wait behind the full queue) when its write queue has
     * stayed full for {@link SimulatorFaults#slowConsumerCutAfter()}: the client stopped reading, and exchanges drop
     * slow consumers rather than buffer for them.
     */
    final void cutIfNotReading(long nowMs) {
        long after = sim.faults().slowConsumerCutAfter().toMillis();
        if (after > 0 && writeQueueFullSinceMs != 0 && nowMs - writeQueueFullSinceMs >= after && isOpen()) {
            if (!ws.writeQueueFull()) {
                writeQueueFullSinceMs = 0; // drained meanwhile (the drain handler follows)
                return;
            }
            sim.stats().slowConsumerCut();
            abort();
        }
    }

    /** Called after each trade is rendered: the REST trade history keeps it (once, whoever renders it first). */
    protected final void traded(Subscription s, long nowMs, int count) {
        sim.tradeHistory().record(exchange, s.tape, nowMs, count);
    }

    /** Called before each trade is generated: injects the configured trade-id gap. */
    protected final void beforeTrade(Subscription s) {
        int every = sim.faults().gapEveryTrades();
        if (every > 0 && s.tradesSinceGap >= every) {
            long from = s.tape.lastTradeId + 1;
            s.tape.lastTradeId += sim.faults().gapSize();
            sim.stats().gapInjected(new SimulatorStats.TradeGap(exchange, s.inst.instId, from, s.tape.lastTradeId));
            s.global.gaps.incrementAndGet();
            s.local.gaps.incrementAndGet();
            counters.gaps.incrementAndGet();
            s.tradesSinceGap = 0;
        }
        s.tradesSinceGap++;
    }

    // ------------------------------------------------------------------ outgoing control and closing

    /** Writes a text frame unless the connection is going away; true when handed to the socket. */
    protected final boolean write(String text) {
        if (closed || closing) {
            return false;
        }
        try {
            ws.writeTextMessage(text);
            return true;
        } catch (IllegalStateException alreadyClosed) {
            return false;
        }
    }

    /** Sends a close frame with {@code code} (recorded in stats) and stops all output. */
    final void closeWith(int code, String reason) {
        if (closed || closing) {
            return;
        }
        closing = true;
        sim.stats().closeSent(counters, code);
        try {
            ws.close((short) code, reason);
        } catch (IllegalStateException ignored) {
            // already closed by the peer
        }
    }

    /** Drops the TCP connection without a close frame: the client sees 1006, as after a network cut. */
    final void abort() {
        if (closed || closing) {
            return;
        }
        closing = true;
        sim.stats().closeSent(counters, 1006);
        if (ws instanceof WebSocketInternal internal) {
            // Close from Vert.x's own handler context: the close goes straight to the socket, skipping
            // Vert.x's outbound close hook, which would first send a 1000 close frame.
            internal.channelHandlerContext().close();
        } else {
            ws.close();
        }
    }

    /** Closes with {@code code} after {@code delayMs} (notice / serverShutdown lead time). */
    final void scheduleClose(long delayMs, int code, String reason) {
        if (closeTimer >= 0) {
            return; // the earlier announcement wins
        }
        if (delayMs <= 0) {
            closeWith(code, reason);
            return;
        }
        closeTimer = sim.vertx().setTimer(delayMs, t -> {
            closeTimer = -1;
            closeWith(code, reason);
        });
    }

    private void onClosed() {
        if (closed) {
            return;
        }
        closed = true;
        long now = System.currentTimeMillis();
        for (Subscription s : subs) {
            sim.generator().release(s.tape, now);
        }
        if (closeTimer >= 0) {
            sim.vertx().cancelTimer(closeTimer);
        }
        sim.connectionClosed(this);
    }
}
