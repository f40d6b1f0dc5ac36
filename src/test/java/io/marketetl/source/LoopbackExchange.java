package io.marketetl.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A tiny fake exchange on loopback for lifecycle tests (the project's full simulator lives elsewhere). Paths:
 * <ul>
 * <li>{@code /ws/v5/public}: OKX-like. Text ping/pong, per-arg acks, then one trade per subscribed arg every
 * {@link #interval} ms; optional 4004 idle close.</li>
 * <li>{@code /stream?streams=a/b}: Binance combined streams, pushed from connect.</li>
 * <li>{@code /custom}: after {@code {"op":"subscribe","symbols":[...]}} pushes
 * {@code {"type":"trade","sym":..,"price":..,"time":..,"id":..}}; answers {@code {"op":"ping"}} with
 * {@code {"op":"pong"}}.</li>
 * </ul>
 * Counts concurrent connections server-side (max, per User-Agent), handshakes and client messages.
 */
final class LoopbackExchange implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final int port;

    final AtomicInteger current = new AtomicInteger();
    final AtomicInteger maxConcurrent = new AtomicInteger();
    final AtomicInteger handshakes = new AtomicInteger();
    final List<Long> handshakeNanos = new CopyOnWriteArrayList<>();
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicLong sequence = new AtomicLong();
    final List<Conn> connections = new CopyOnWriteArrayList<>();
    final Map<String, Long> intervals = new ConcurrentHashMap<>();

    volatile long defaultIntervalMs = 20;
    volatile boolean rejectHandshakes;
    volatile boolean answerPings = true;
    volatile long idleCloseMs; // 0 = off
    /** When > 0, the WebSocket handshake is answered only after this delay. */
    volatile long handshakeDelayMs;
    /** When > 0, the OKX path pushes this many trades for the first arg as fast as flow control allows. */
    volatile int burst;

    final class Conn {
        final int id;
        final ServerWebSocket ws;
        final String userAgent;
        final String path;
        final List<String> received = new CopyOnWriteArrayList<>();
        final List<Long> timers = new CopyOnWriteArrayList<>();
        volatile boolean stalled;
        volatile boolean closed;
        volatile Short clientCloseCode;
        volatile long lastClientMessageNanos = System.nanoTime();

        Conn(int id, ServerWebSocket ws) {
            this.id = id;
            this.ws = ws;
            this.userAgent = ws.headers().get("User-Agent");
            this.path = ws.uri();
        }

        void send(String text) {
            vertx.runOnContext(v -> {
                if (!closed) {
                    ws.writeTextMessage(text);
                }
            });
        }

        void close(int code, String reason) {
            vertx.runOnContext(v -> {
                if (!closed) {
                    ws.close((short) code, reason);
                }
            });
        }

        boolean subscribed() {
            return received.stream().anyMatch(t -> t.contains("subscribe"));
        }
    }

    LoopbackExchange() throws Exception {
        server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0));
        server.webSocketHandler(this::onWebSocket);
        port = server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    int port() {
        return port;
    }

    String okxUrl() {
        return "ws://127.0.0.1:" + port + "/ws/v5/public";
    }

    String binanceBase() {
        return "ws://127.0.0.1:" + port;
    }

    String customUrl() {
        return "ws://127.0.0.1:" + port + "/custom";
    }

    long interval(String key) {
        return intervals.getOrDefault(key, defaultIntervalMs);
    }

    Conn last() {
        return connections.isEmpty() ? null : connections.get(connections.size() - 1);
    }

    List<Conn> open() {
        return connections.stream().filter(c -> !c.closed).toList();
    }

    /** Existing connections stop pushing data (control frames still answered); new ones are healthy. */
    void stallExisting() {
        connections.forEach(c -> c.stalled = true);
    }

    void sendToAll(String text) {
        open().forEach(c -> c.send(text));
    }

    void closeAll(int code, String reason) {
        open().forEach(c -> c.close(code, reason));
    }

    private void onWebSocket(ServerWebSocket ws) {
        handshakes.incrementAndGet();
        handshakeNanos.add(System.nanoTime());
        if (rejectHandshakes) {
            ws.reject(503);
            return;
        }
        if (handshakeDelayMs > 0) {
            io.vertx.core.Promise<Integer> handshake = io.vertx.core.Promise.promise();
            ws.setHandshake(handshake.future());
            vertx.setTimer(handshakeDelayMs, t -> handshake.tryComplete(101));
        }
        Conn c = new Conn(accepted.incrementAndGet(), ws);
        connections.add(c);
        int now = current.incrementAndGet();
        maxConcurrent.accumulateAndGet(now, Math::max);
        ws.closeHandler(v -> {
            c.closed = true;
            c.clientCloseCode = ws.closeStatusCode();
            c.timers.forEach(vertx::cancelTimer);
            current.decrementAndGet();
        });
        ws.textMessageHandler(text -> onClientText(c, text));
        if (c.path.startsWith("/stream")) {
            String streams = c.path.substring(c.path.indexOf("streams=") + "streams=".length());
            for (String stream : streams.split("/")) {
                schedule(c, stream, () -> binanceTrade(stream));
            }
        }
        if (c.path.startsWith("/ws/v5") && idleCloseMs > 0) {
            c.timers.add(vertx.setPeriodic(Math.max(5, idleCloseMs / 10), id -> {
                if (System.nanoTime() - c.lastClientMessageNanos > idleCloseMs * 1_000_000L) {
                    c.close(4004, "No data received in 30s.");
                }
            }));
        }
    }

    private void onClientText(Conn c, String text) {
        c.received.add(text);
        c.lastClientMessageNanos = System.nanoTime();
        if (c.path.startsWith("/ws/v5")) {
            if (text.equals("ping")) {
                if (answerPings) {
                    c.send("pong");
                }
                return;
            }
            try {
                JsonNode req = JSON.readTree(text);
                if ("subscribe".equals(req.path("op").asText())) {
                    int i = 0;
                    for (JsonNode arg : req.path("args")) {
                        String channel = arg.path("channel").asText();
                        String instId = arg.path("instId").asText();
                        c.send("{\"id\":\"" + req.path("id").asText() + "\",\"event\":\"subscribe\",\"arg\":" + arg
                                + ",\"connId\":\"c" + c.id + "\"}");
                        if (burst > 0 && i == 0) {
                            pushBurst(c, instId, burst);
                        } else if (burst == 0) {
                            schedule(c, instId, () -> okxTrade(channel, instId));
                        }
                        i++;
                    }
                }
            } catch (Exception e) {
                c.send("{\"event\":\"error\",\"code\":\"60012\",\"msg\":\"Invalid request\",\"connId\":\"c" + c.id + "\"}");
            }
        } else if (c.path.startsWith("/custom")) {
            try {
                JsonNode req = JSON.readTree(text);
                String op = req.path("op").asText();
                if (op.equals("ping") && answerPings) {
                    c.send("{\"op\":\"pong\"}");
                } else if (op.equals("subscribe")) {
                    c.send("{\"event\":\"subscribed\"}");
                    for (JsonNode s : req.path("symbols")) {
                        String sym = s.asText();
                        schedule(c, sym, () -> "{\"type\":\"trade\",\"sym\":\"" + sym + "\",\"price\":\"" + price()
                                + "\",\"time\":" + System.currentTimeMillis() + ",\"id\":" + sequence.incrementAndGet() + "}");
                    }
                }
            } catch (Exception e) {
                c.send("not json, sorry");
            }
        }
    }

    private void schedule(Conn c, String key, java.util.function.Supplier<String> message) {
        c.timers.add(vertx.setPeriodic(interval(key), id -> {
            if (!c.closed && !c.stalled) {
                c.ws.writeTextMessage(message.get());
            }
        }));
    }

    private void pushBurst(Conn c, String instId, int count) {
        vertx.runOnContext(v -> pushSome(c, instId, new AtomicInteger(), count));
    }

    private void pushSome(Conn c, String instId, AtomicInteger sent, int count) {
        while (!c.closed && sent.get() < count) {
            if (c.ws.writeQueueFull()) {
                c.ws.drainHandler(v -> pushSome(c, instId, sent, count));
                return;
            }
            int n = sent.incrementAndGet();
            c.ws.writeTextMessage("{\"arg\":{\"channel\":\"trades\",\"instId\":\"" + instId + "\"},\"data\":[{\"instId\":\""
                    + instId + "\",\"tradeId\":\"" + n + "\",\"px\":\"100.5\",\"sz\":\"1\",\"side\":\"buy\",\"ts\":\""
                    + System.currentTimeMillis() + "\"}]}");
        }
    }

    private String okxTrade(String channel, String instId) {
        long ts = System.currentTimeMillis();
        if (channel.equals("tickers")) {
            return "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"" + instId + "\"},\"data\":[{\"instType\":\"SPOT\",\"instId\":\""
                    + instId + "\",\"last\":\"" + price() + "\",\"ts\":\"" + ts + "\"}]}";
        }
        return "{\"arg\":{\"channel\":\"" + channel + "\",\"instId\":\"" + instId + "\"},\"data\":[{\"instId\":\"" + instId
                + "\",\"tradeId\":\"" + sequence.incrementAndGet() + "\",\"px\":\"" + price()
                + "\",\"sz\":\"0.01\",\"side\":\"buy\",\"ts\":\"" + ts + "\"}]}";
    }

    private String binanceTrade(String stream) {
        String symbol = stream.substring(0, stream.indexOf('@')).toUpperCase();
        long ts = System.currentTimeMillis();
        return "{\"stream\":\"" + stream + "\",\"data\":{\"e\":\"trade\",\"E\":" + ts + ",\"s\":\"" + symbol + "\",\"t\":"
                + sequence.incrementAndGet() + ",\"p\":\"" + price() + "\",\"q\":\"0.001\",\"T\":" + ts
                + ",\"m\":false,\"M\":true}}";
    }

    private String price() {
        return "100.5";
    }

    /** Client messages received on all connections, in order per connection. */
    List<String> allReceived() {
        List<String> out = new ArrayList<>();
        connections.forEach(c -> out.addAll(c.received));
        return out;
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
