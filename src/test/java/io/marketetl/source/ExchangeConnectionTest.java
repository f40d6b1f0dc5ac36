package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.exchanges.ExchangeDialect;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Connection lifecycle against the loopback fake exchange (short timeouts, Awaitility deadlines). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ExchangeConnectionTest {

    private static Vertx vertx;
    private LoopbackExchange server;
    private final List<ExchangeConnection> started = new ArrayList<>();
    private final List<ExecutorService> executors = new ArrayList<>();

    /** Collects frames; no backpressure. */
    static final class Sink implements ExchangeConnection.FrameSink {
        final List<RawFrame> frames = new CopyOnWriteArrayList<>();

        @Override
        public boolean accept(RawFrame frame) {
            frames.add(frame);
            return false;
        }

        @Override
        public boolean shouldPause() {
            return false;
        }

        long containing(String s) {
            return frames.stream().filter(f -> f.text().contains(s)).count();
        }
    }

    @BeforeAll
    static void vertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void server() throws Exception {
        server = new LoopbackExchange();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (ExchangeConnection c : started) {
            c.stop().get(10, TimeUnit.SECONDS);
        }
        executors.forEach(ExecutorService::shutdownNow);
        server.close();
    }

    private SourceConfig okx(String id) {
        return new SourceConfig().sourceId(id).dialect("okx").channels("trades").instruments("BTC-USDT,ETH-USDT")
                .url(server.okxUrl()).pingIntervalMs(300).pongTimeoutMs(600).staleAfterMs(700).staleFactor(4)
                .backoffInitialMs(50).backoffMaxMs(400).healthyResetMs(60_000).minConnectIntervalMs(50)
                .hostConnectIntervalMs(0).subscribePacingMs(0).connectTimeoutMs(2000).closeTimeoutMs(1000);
    }

    private ExchangeConnection start(SourceConfig config, ExchangeConnection.FrameSink sink, SourceEvents events) {
        ExecutorService ev = Executors.newSingleThreadExecutor();
        executors.add(ev);
        ExchangeConnection c = new ExchangeConnection(vertx, config.validate(), ExchangeDialect.create(config), sink,
                events, ev, null);
        started.add(c);
        c.start();
        return c;
    }

    @Test
    void subscribesWithUserAgentAndDeliversData() {
        Sink sink = new Sink();
        RecordingEvents events = new RecordingEvents();
        ExchangeConnection c = start(okx("okx-a"), sink, events);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.containing("ETH-USDT") >= 3 && sink.containing("BTC-USDT") >= 3);
        LoopbackExchange.Conn conn = server.last();
        assertThat(conn.userAgent).isEqualTo("market-etl/okx-a");
        assertThat(conn.received.get(0)).isEqualTo("{\"id\":\"1\",\"op\":\"subscribe\",\"args\":["
                + "{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},{\"channel\":\"trades\",\"instId\":\"ETH-USDT\"}]}");
        assertThat(sink.frames).allSatisfy(f -> {
            assertThat(f.sourceId()).isEqualTo("okx-a");
            assertThat(f.text()).doesNotContain("\"event\""); // acks stay in the source
        });
        assertThat(c.controlFrames()).isGreaterThanOrEqualTo(2);
        assertThat(c.isOpen()).isTrue();
        assertThat(c.lastMessageAt()).isNotNull();
        assertThat(events.log).startsWith("connecting 1", "connected", "subscribed");
    }

    @Test
    void resubscribesAfterForcedDisconnectAndDataResumes() {
        Sink sink = new Sink();
        RecordingEvents events = new RecordingEvents();
        ExchangeConnection c = start(okx("okx-b"), sink, events);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.frames.size() >= 5);
        server.closeAll(1011, "server restart");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.accepted.get() == 2 && server.last().subscribed());
        int before = sink.frames.size();
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.frames.size() >= before + 5);
        assertThat(server.last().received.get(0)).contains("\"op\":\"subscribe\"");
        assertThat(events.closeCodes).containsExactly(1011);
        assertThat(c.reconnects()).isEqualTo(1);
        assertThat(server.maxConcurrent.get()).isEqualTo(1);
    }

    @Test
    void neverTwoSocketsAtOnceUnderRepeatedDropsAndNotices() {
        Sink sink = new Sink();
        ExchangeConnection c = start(okx("okx-c"), sink, new RecordingEvents());
        for (int i = 0; i < 6; i++) {
            int n = i + 1;
            await().atMost(Duration.ofSeconds(5)).until(() -> server.accepted.get() == n && server.last().subscribed());
            if (i % 2 == 0) {
                server.closeAll(1001, "going away");
            } else {
                server.sendToAll("{\"event\":\"notice\",\"code\":\"64008\",\"msg\":\"The connection will soon be closed for a service upgrade. Please reconnect.\",\"connId\":\"x\"}");
                server.sendToAll("{\"event\":\"notice\",\"code\":\"64008\",\"msg\":\"again\",\"connId\":\"x\"}");
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> server.accepted.get() == 7 && c.isOpen());
        // two only while a notice is handed over (the successor opens before the old one closes), never more
        assertThat(server.maxConcurrent.get()).isEqualTo(2);
        assertThat(c.handovers()).isEqualTo(3);
        assertThat(server.open()).hasSize(1);
    }

    @Test
    void okxUpgradeNoticeReconnectsAtOnceBeforeTheServerCloses() {
        Sink sink = new Sink();
        RecordingEvents events = new RecordingEvents();
        ExchangeConnection c = start(okx("okx-d").backoffInitialMs(5000).backoffMaxMs(5000), sink, events);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.last() != null && server.last().subscribed());
        LoopbackExchange.Conn first = server.last();
        long noticeAt = System.nanoTime();
        first.send("{\"event\":\"notice\",\"code\":\"64008\",\"msg\":\"The connection will soon be closed for a service upgrade. Please reconnect.\",\"connId\":\"a4d3ae55\"}");
        // the server would close 2 s later; the source must already have moved to a new connection by itself
        await().atMost(Duration.ofSeconds(2)).until(() -> first.closed && server.accepted.get() == 2 && server.last().subscribed());
        assertThat((System.nanoTime() - noticeAt) / 1_000_000).isLessThan(2000);
        assertThat(first.clientCloseCode).isEqualTo((short) 1000); // closed by the client, not the server
        // handed over: no back-off, no reconnect scheduled, no disconnected state in between
        assertThat(events.scheduled).isEmpty();
        assertThat(c.handovers()).isEqualTo(1);
        assertThat(sink.containing("64008")).isZero();
        assertThat(c.controlFrames()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void binanceServerShutdownInBothFormsReconnectsAtOnce() {
        Sink sink = new Sink();
        SourceConfig cfg = new SourceConfig().sourceId("bn-a").dialect("binance").channels("trade")
                .instruments("BTCUSDT,ETHUSDT").url(server.binanceBase()).staleAfterMs(700).backoffInitialMs(5000)
                .backoffMaxMs(5000).minConnectIntervalMs(50).closeTimeoutMs(1000);
        ExchangeConnection c = start(cfg, sink, new RecordingEvents());
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.frames.size() >= 4);
        assertThat(server.last().path).isEqualTo("/stream?streams=btcusdt@trade/ethusdt@trade");
        assertThat(server.last().received).isEmpty(); // zero client messages in URL mode
        server.sendToAll("{\"e\":\"serverShutdown\",\"E\":1770123456789}");
        await().atMost(Duration.ofSeconds(2)).until(() -> server.accepted.get() == 2 && server.open().size() == 1);
        server.sendToAll("{\"stream\":\"!serverShutdown\",\"data\":{\"e\":\"serverShutdown\",\"E\":1770123456789}}");
        await().atMost(Duration.ofSeconds(2)).until(() -> server.accepted.get() == 3 && server.open().size() == 1);
        int before = sink.frames.size();
        await().atMost(Duration.ofSeconds(3)).until(() -> sink.frames.size() > before + 3);
        assertThat(sink.containing("serverShutdown")).isZero();
        assertThat(server.maxConcurrent.get()).isEqualTo(2); // old and successor, during each handover
        assertThat(c.reconnects()).isEqualTo(2);
        assertThat(c.handovers()).isEqualTo(2);
    }

    @Test
    void stallIsDetectedAndHealedWithinTheWindow() {
        Sink sink = new Sink();
        RecordingEvents events = new RecordingEvents();
        ExchangeConnection c = start(okx("okx-e"), sink, events);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.frames.size() >= 20);
        long stalledAt = System.nanoTime();
        server.stallExisting(); // socket open, pings answered, no data
        await().atMost(Duration.ofSeconds(3)).until(() -> !events.stale.isEmpty());
        long detectedMs = (System.nanoTime() - stalledAt) / 1_000_000;
        assertThat(detectedMs).isGreaterThanOrEqualTo(600);
        await().atMost(Duration.ofSeconds(3)).until(() -> server.accepted.get() == 2 && server.last().subscribed());
        int before = sink.frames.size();
        await().atMost(Duration.ofSeconds(3)).until(() -> sink.frames.size() >= before + 10);
        assertThat(events.stale.get(0)).startsWith("trades:");
        assertThat(c.staleDetections()).isEqualTo(1);
        assertThat(server.maxConcurrent.get()).isEqualTo(1);
    }

    @Test
    void quietStreamDoesNotFlap() {
        server.intervals.put("BTC-USDT", 30L);
        server.intervals.put("ETH-USDT", 1200L); // well above the 500 ms stale floor
        Sink sink = new Sink();
        RecordingEvents events = new RecordingEvents();
        ExchangeConnection c = start(okx("okx-f").staleAfterMs(500).staleFactor(4), sink, events);
        await().atMost(Duration.ofSeconds(3)).until(() -> sink.containing("ETH-USDT") >= 1);
        await().during(Duration.ofMillis(4500)).atMost(Duration.ofSeconds(6))
                .until(() -> c.reconnects() == 0 && events.stale.isEmpty());
        assertThat(sink.containing("ETH-USDT")).isGreaterThanOrEqualTo(4);
        assertThat(server.accepted.get()).isEqualTo(1);
    }

    @Test
    void okxPingKeepsAnIdleConnectionOpenAndMissingPongsReconnect() {
        server.idleCloseMs = 500; // OKX 4004 after 500 ms without client traffic
        server.defaultIntervalMs = 60_000; // no data
        Sink sink = new Sink();
        RecordingEvents events = new RecordingEvents();
        ExchangeConnection c = start(okx("okx-g").pingIntervalMs(200).pongTimeoutMs(300).staleAfterMs(60_000), sink,
                events);
        await().atMost(Duration.ofSeconds(3)).until(() -> server.last() != null && server.last().subscribed());
        await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3)).until(() -> server.accepted.get() == 1);
        assertThat(server.last().received.stream().filter("ping"::equals).count()).isGreaterThanOrEqualTo(4);
        assertThat(events.closeCodes).doesNotContain(4004);
        server.answerPings = false;
        await().atMost(Duration.ofSeconds(3)).until(() -> server.accepted.get() == 2);
        assertThat(events.log).anyMatch(s -> s.startsWith("disconnected no pong within 300 ms"));
        assertThat(events.closeCodes).doesNotContain(4004);
        assertThat(c.reconnects()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void subscribeErrorsAreReportedAndNeverReachTheRoute() {
        Sink sink = new Sink();
        RecordingEvents events = new RecordingEvents();
        start(okx("okx-h"), sink, events);
        await().atMost(Duration.ofSeconds(3)).until(() -> server.last() != null && server.last().subscribed());
        server.sendToAll("{\"id\":\"1\",\"event\":\"error\",\"code\":\"60018\",\"msg\":\"Wrong URL or channel:trades,instId:NOPE-USDT doesn't exist.\",\"connId\":\"a\"}");
        await().atMost(Duration.ofSeconds(3)).until(() -> !events.errors.isEmpty());
        assertThat(events.errors.get(0)).contains("60018");
        assertThat(sink.containing("60018")).isZero();
        server.sendToAll("this is not json");
        await().atMost(Duration.ofSeconds(3)).until(() -> sink.containing("this is not json") == 1); // unrecognised: route
    }

    @Test
    void backoffIsCappedJitteredAndResetAfterAHealthyPeriod() {
        server.rejectHandshakes = true;
        Sink sink = new Sink();
        RecordingEvents events = new RecordingEvents();
        ExchangeConnection c = start(okx("okx-i").backoffInitialMs(20).backoffMaxMs(160).minConnectIntervalMs(0)
                .healthyResetMs(400), sink, events);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.scheduled.size() >= 12);
        List<RecordingEvents.Scheduled> s = List.copyOf(events.scheduled);
        for (int i = 0; i < s.size(); i++) {
            long cap = Math.min(160, 20L << Math.min(i, 20));
            assertThat(s.get(i).delay().toMillis()).as("delay %d", i).isBetween(0L, cap);
            assertThat(s.get(i).attempt()).isEqualTo(i + 2);
        }
        assertThat(s.subList(4, s.size()).stream().map(RecordingEvents.Scheduled::delay).distinct().count())
                .as("jittered").isGreaterThan(2);
        server.rejectHandshakes = false;
        await().atMost(Duration.ofSeconds(5)).until(() -> c.isOpen() && sink.frames.size() > 0);
        // stay healthy past healthyResetMs, then drop: the next delay is back at the initial cap
        await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ofMillis(600)).until(() -> sink.frames.size() > 10);
        int scheduledBefore = events.scheduled.size();
        server.closeAll(1001, "bye");
        await().atMost(Duration.ofSeconds(3)).until(() -> events.scheduled.size() > scheduledBefore);
        RecordingEvents.Scheduled afterReset = events.scheduled.get(scheduledBefore);
        assertThat(afterReset.delay().toMillis()).isLessThanOrEqualTo(20);
        assertThat(afterReset.attempt()).isEqualTo(1);
    }

    @Test
    void minimumSpacingBetweenAttempts() {
        server.rejectHandshakes = true;
        RecordingEvents events = new RecordingEvents();
        start(okx("okx-j").backoffInitialMs(1).backoffMaxMs(2).minConnectIntervalMs(150), new Sink(), events);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.handshakes.get() >= 6);
        assertThat(events.scheduled.subList(1, 5)).allSatisfy(s -> assertThat(s.delay().toMillis()).isGreaterThan(100));
    }

    @Test
    void stopEndsEverythingAndNoFurtherAttempts() throws Exception {
        Sink sink = new Sink();
        RecordingEvents events = new RecordingEvents();
        ExchangeConnection c = start(okx("okx-k"), sink, events);
        await().atMost(Duration.ofSeconds(3)).until(() -> sink.frames.size() > 3);
        server.closeAll(1001, "bye");
        c.stop().get(5, TimeUnit.SECONDS); // possibly while a reconnect is pending or in flight
        assertThat(c.state()).isEqualTo(ExchangeConnection.State.STOPPED);
        await().atMost(Duration.ofSeconds(2)).until(() -> server.current.get() == 0);
        int handshakes = server.handshakes.get();
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2))
                .until(() -> server.handshakes.get() == handshakes && server.current.get() == 0);
    }

    @Test
    void stopDuringAHandshakeWaitsForItAndClosesTheSocket() throws Exception {
        server.handshakeDelayMs = 600;
        RecordingEvents events = new RecordingEvents();
        ExchangeConnection c = start(okx("okx-m"), new Sink(), events);
        await().atMost(Duration.ofSeconds(3)).until(() -> server.handshakes.get() == 1);
        c.stop().get(5, TimeUnit.SECONDS); // completes only once the in-flight attempt is settled and closed
        assertThat(server.current.get()).isZero();
        assertThat(c.isOpen()).isFalse();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> server.handshakes.get() == 1 && server.current.get() == 0);
        assertThat(server.maxConcurrent.get()).isLessThanOrEqualTo(1);
        assertThat(events.log).doesNotContain("connected");
    }

    @Test
    void stopWhileBackingOff() throws Exception {
        server.rejectHandshakes = true;
        ExchangeConnection c = start(okx("okx-l").backoffInitialMs(100).backoffMaxMs(100).minConnectIntervalMs(0),
                new Sink(), new RecordingEvents());
        await().atMost(Duration.ofSeconds(3)).until(() -> server.handshakes.get() >= 3);
        c.stop().get(5, TimeUnit.SECONDS);
        int handshakes = server.handshakes.get();
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> server.handshakes.get() == handshakes);
    }

    @Test
    void customFeedWithTextKeepalive() {
        SourceConfig cfg = new SourceConfig().sourceId("cust-a").dialect("custom").url(server.customUrl())
                .instruments("BTCUSDT,ETHUSDT").subscribeMessage("{\"op\":\"subscribe\",\"symbols\":${instruments}}")
                .pingText("{\"op\":\"ping\"}").pongText("{\"op\":\"pong\"}").pingIntervalMs(150).pongTimeoutMs(500)
                .controlRegex("\"event\":\"subscribed\"").instrumentPointer("/sym").messageType("trade")
                .staleAfterMs(700).minConnectIntervalMs(50).closeTimeoutMs(1000);
        Sink sink = new Sink();
        ExchangeConnection c = start(cfg, sink, new RecordingEvents());
        await().atMost(Duration.ofSeconds(3)).until(() -> sink.containing("ETHUSDT") > 2 && sink.containing("BTCUSDT") > 2);
        await().atMost(Duration.ofSeconds(3)).until(() -> server.last().received.contains("{\"op\":\"ping\"}"));
        assertThat(server.last().received.get(0)).isEqualTo("{\"op\":\"subscribe\",\"symbols\":[\"BTCUSDT\",\"ETHUSDT\"]}");
        assertThat(sink.containing("subscribed")).isZero();
        assertThat(sink.containing("pong")).isZero();
        assertThat(c.reconnects()).isZero();
    }
}
