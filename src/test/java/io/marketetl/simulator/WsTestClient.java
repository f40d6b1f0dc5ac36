package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrameType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/** A test's view of one WebSocket connection: everything received, in order, plus how it ended. */
final class WsTestClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The upgrade was refused; carries the HTTP status. */
    static final class Rejected extends RuntimeException {
        final int status;

        Rejected(int status) {
            super("upgrade rejected with HTTP " + status);
            this.status = status;
        }
    }

    private final WebSocketClient client;
    private final WebSocket ws;
    private final List<String> texts = new ArrayList<>();
    final AtomicInteger pingsReceived = new AtomicInteger();
    final List<String> pingPayloads = java.util.Collections.synchronizedList(new ArrayList<>());
    volatile boolean closed;
    volatile Short closeCode;
    volatile String closeReason;

    private WsTestClient(WebSocketClient client, WebSocket ws) {
        this.client = client;
        this.ws = ws;
        ws.frameHandler(f -> {
            if (f.type() == WebSocketFrameType.TEXT && f.isFinal()) {
                synchronized (texts) {
                    texts.add(f.textData());
                }
            } else if (f.type() == WebSocketFrameType.PING) {
                pingsReceived.incrementAndGet();
                pingPayloads.add(f.binaryData().toString());
            }
        });
        ws.closeHandler(v -> {
            closeCode = ws.closeStatusCode();
            closeReason = ws.closeReason();
            closed = true;
        });
    }

    static WsTestClient connect(Vertx vertx, String url) {
        return connect(vertx, url, "market-etl/test");
    }

    static WsTestClient connect(Vertx vertx, String url, String userAgent) {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions o = new WebSocketConnectOptions().setAbsoluteURI(url);
        if (userAgent != null) {
            o.addHeader("User-Agent", userAgent);
        }
        try {
            // Handlers must be installed on the event loop as the connect completes: frames arriving before a
            // handler is set are dropped by Vert.x (the server may push data right after the handshake).
            return client.connect(o).map(ws -> new WsTestClient(client, ws))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            client.close();
            if (e.getCause() instanceof UpgradeRejectedException r) {
                throw new Rejected(r.getStatus());
            }
            throw new IllegalStateException("connect failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            client.close();
            throw new IllegalStateException("connect failed: " + e, e);
        }
    }

    void send(String text) {
        ws.writeTextMessage(text);
    }

    void ping(String payload) {
        ws.writePing(Buffer.buffer(payload));
    }

    /** Stops reading from the socket (TCP backpressure builds up on the server). */
    void pause() {
        ws.pause();
    }

    void resume() {
        ws.resume();
    }

    List<String> texts() {
        synchronized (texts) {
            return new ArrayList<>(texts);
        }
    }

    int count() {
        synchronized (texts) {
            return texts.size();
        }
    }

    /** All received frames that parse as JSON objects. */
    List<JsonNode> json() {
        List<JsonNode> out = new ArrayList<>();
        for (String t : texts()) {
            JsonNode n = parse(t);
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    /** Waits (up to 10 s) for a JSON message matching {@code p} and returns the first one. */
    JsonNode awaitJson(Predicate<JsonNode> p) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> {
            for (JsonNode n : json()) {
                if (p.test(n)) {
                    found[0] = n;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Waits for {@code n} JSON messages matching {@code p} and returns them in arrival order. */
    List<JsonNode> awaitJson(Predicate<JsonNode> p, int n) {
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(10))
                .until(() -> json().stream().filter(p).count() >= n);
        return json().stream().filter(p).toList();
    }

    void awaitClosed() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10)).until(() -> closed);
    }

    static JsonNode parse(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            return n != null && n.isObject() ? n : null;
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() {
        try {
            if (!closed) {
                ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // already gone
        }
        client.close();
    }
}
