package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.normalise.Normaliser;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.simulator.SimulatorStats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exchange source against the project's exchange simulator (protocol rules enforced server-side: Binance 5
 * messages/s -> 1008, OKX 30 s idle -> 4004, here shrunk to about a second), through a Camel route with the normalise
 * step.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimulatorSourceTest {

    /** Short lifecycle settings for tests. */
    private static final String FAST = "&pingIntervalMs=300&pongTimeoutMs=600&staleAfterMs=800&staleFactor=4"
            + "&backoffInitialMs=50&backoffMaxMs=500&healthyResetMs=1500&minConnectIntervalMs=100&hostConnectIntervalMs=100&closeTimeoutMs=1000"
            + "&subscribePacingMs=350&events=#events";

    private ExchangeSimulator sim;
    private CamelContext context;
    private final RecordingEvents events = new RecordingEvents();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong malformed = new AtomicLong();
    private final List<String> reasons = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> messagesBySource = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> messagesByInstrument = new ConcurrentHashMap<>();

    /**
     * Simulator timings shrunk for tests. Binance pings stay at one per second: each pong counts against the 5
     * messages/s limit, and with the source's 350 ms subscribe pacing (3/s) a faster ping rate than Binance's real
     * 20 s would itself exceed the limit in message mode.
     */
    private static SimulatorConfig.Builder simConfig() {
        return SimulatorConfig.builder().ratePerConnection(100).instruments("BTC-USDT", "ETH-USDT", "SOL-USDT")
                .okxIdleTimeout(Duration.ofMillis(1000)).okxNoticeLead(Duration.ofSeconds(2))
                .binancePingInterval(Duration.ofMillis(1000)).binancePongTimeout(Duration.ofSeconds(3))
                .binanceShutdownLead(Duration.ofSeconds(2));
    }

    private void start(SimulatorConfig config, java.util.function.Function<ExchangeSimulator, List<String>> uris)
            throws Exception {
        sim = ExchangeSimulator.start(config);
        startRoutes(uris.apply(sim));
    }

    private void startRoutes(List<String> uris) throws Exception {
        context = new DefaultCamelContext();
        context.getRegistry().bind("events", events);
        context.getRegistry().bind("normalise", new Normaliser());
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (String uri : uris) {
                    from(uri)
                            .process(e -> frames.incrementAndGet())
                            .doTry()
                                .process("normalise")
                                .process(SimulatorSourceTest.this::count)
                            .doCatch(MalformedFrameException.class)
                                .process(e -> {
                                    malformed.incrementAndGet();
                                    reasons.add(e.getProperty(Exchange.EXCEPTION_CAUGHT, MalformedFrameException.class).reason());
                                })
                            .end();
                }
            }
        });
        context.start();
    }

    private void count(Exchange e) {
        @SuppressWarnings("unchecked")
        List<MarketMessage> list = e.getMessage().getBody(List.class);
        for (MarketMessage m : list) {
            messagesBySource.computeIfAbsent(m.sourceId(), k -> new AtomicLong()).incrementAndGet();
            messagesByInstrument.computeIfAbsent(m.sourceId() + "/" + m.instrument(), k -> new AtomicLong()).incrementAndGet();
        }
    }

    private long messages(String sourceId) {
        AtomicLong n = messagesBySource.get(sourceId);
        return n == null ? 0 : n.get();
    }

    private long messages(String sourceId, String instrument) {
        AtomicLong n = messagesByInstrument.get(sourceId + "/" + instrument);
        return n == null ? 0 : n.get();
    }

    private static String okx(String id, ExchangeSimulator sim) {
        return "exchange:" + id + "?dialect=okx&channels=trades,tickers&instruments=BTC-USDT,ETH-USDT&url="
                + sim.okxWsUrl() + FAST;
    }

    private String okx(String id) {
        return okx(id, sim);
    }

    private ExchangeEndpoint endpoint(String id) {
        return context.getEndpoints().stream().filter(e -> e instanceof ExchangeEndpoint x && x.getSourceId().equals(id))
                .map(ExchangeEndpoint.class::cast).findFirst().orElseThrow();
    }

    private long opened(String userAgent) {
        return sim.stats().connections().stream().filter(c -> userAgent.equals(c.clientIdentity())).count();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (context != null) {
            context.stop();
        }
        if (sim != null) {
            SimulatorStats stats = sim.stats();
            // the protocol rules were never broken, in any test
            assertThat(stats.closesSent(1008)).as("1008 closes").isZero();
            assertThat(stats.binanceRateViolations()).isZero();
            assertThat(stats.closesSent(4004)).as("4004 idle closes").isZero();
            sim.close();
        }
    }

    @Test
    void okxResubscribesAfterAbruptDropsWithOneSocketAndKeepsTheIdleRule() throws Exception {
        start(simConfig().build(), sim -> List.of(okx("okx-sim")));
        await().atMost(Duration.ofSeconds(5)).until(() -> messages("okx-sim", "ETH-USDT") >= 10 && messages("okx-sim", "BTC-USDT") >= 10);
        sim.faults().setDisconnectEvery(Duration.ofMillis(900)); // no close frame: the client sees a dead socket
        await().atMost(Duration.ofSeconds(10)).until(() -> endpoint("okx-sim").getReconnects() >= 3);
        sim.faults().setDisconnectEvery(null);
        long before = messages("okx-sim");
        await().atMost(Duration.ofSeconds(5)).until(() -> messages("okx-sim") >= before + 50);
        // runs well past the 1 s idle limit: the text pings kept the server from closing with 4004
        assertThat(sim.stats().maxConcurrentConnections("market-etl/okx-sim")).isEqualTo(1);
        long connections = opened("market-etl/okx-sim");
        assertThat(connections).isGreaterThanOrEqualTo(4);
        assertThat(sim.stats().subscribeAcksSent()).isGreaterThanOrEqualTo(4 * connections - 4); // 4 args per connection
        assertThat(sim.stats().pongsReceived()).isZero(); // OKX: text ping, no ping frames
        assertThat(malformed.get()).isZero();
    }

    @Test
    void okxUpgradeNoticeMovesToANewConnectionBeforeTheServerCloses() throws Exception {
        start(simConfig().build(), sim -> List.of(okx("okx-notice")));
        await().atMost(Duration.ofSeconds(5)).until(() -> messages("okx-notice") >= 10);
        sim.faults().sendOkxNotice(); // closes 2 s later with 1001
        await().atMost(Duration.ofMillis(1500)).until(() -> opened("market-etl/okx-notice") == 2
                && sim.stats().currentConnections("market-etl/okx-notice") == 1);
        long before = messages("okx-notice");
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(4))
                .until(() -> sim.stats().closesSent(1001) == 0 && opened("market-etl/okx-notice") == 2);
        assertThat(messages("okx-notice")).isGreaterThan(before + 50);
        // handed over: the successor opened before the old connection closed, no back-off, no reconnect scheduled
        assertThat(sim.stats().maxConcurrentConnections("market-etl/okx-notice")).isEqualTo(2);
        assertThat(events.scheduled).isEmpty();
        assertThat(endpoint("okx-notice").getReconnects()).isEqualTo(1);
    }

    @Test
    void aSuccessorThatDeliversNothingIsDroppedAndTheOldConnectionKept() throws Exception {
        start(simConfig().binanceShutdownLead(Duration.ofSeconds(20)).build(), sim -> List.of(
                "exchange:bn-quiet?dialect=binance&channels=trade&instruments=BTCUSDT&url=" + sim.binanceWsUrl()
                        + "&staleAfterMs=20000&backoffInitialMs=2000&backoffMaxMs=2000&minConnectIntervalMs=100"
                        + "&hostConnectIntervalMs=100&handoverMaxOverlapMs=500&events=#events"));
        await().atMost(Duration.ofSeconds(5)).until(() -> messages("bn-quiet") >= 10);
        sim.faults().setStall(true); // sockets stay open, no data: a successor cannot prove itself
        sim.faults().sendBinanceServerShutdown();
        // the successor opened, delivered nothing for 500 ms and was closed by the client; the old one is kept
        await().atMost(Duration.ofSeconds(3)).until(() -> sim.stats().connections().stream()
                .anyMatch(c -> c.clientIdentity().equals("market-etl/bn-quiet") && c.closedAtMs() > 0));
        // the back-off has full jitter (0 to 2 s), so a further successor may already be open: count none of them
        var quiet = sim.stats().connections().stream()
                .filter(c -> c.clientIdentity().equals("market-etl/bn-quiet"))
                .sorted(java.util.Comparator.comparingLong(c -> c.id())).toList();
        assertThat(quiet.get(0).closedAtMs()).as("the original connection is kept").isZero();
        assertThat(quiet.subList(1, quiet.size())).as("successors, none of which delivered")
                .isNotEmpty().allSatisfy(c -> assertThat(c.itemsSent()).isZero());
        assertThat(sim.stats().maxConcurrentConnections("market-etl/bn-quiet")).isEqualTo(2);
        assertThat(endpoint("bn-quiet").getReconnects()).isZero();
        // data again: the next successor (after the jittered back-off) proves itself and takes over
        sim.faults().setStall(false);
        await().atMost(Duration.ofSeconds(5)).until(() -> endpoint("bn-quiet").getReconnects() == 1
                && sim.stats().currentConnections("market-etl/bn-quiet") == 1);
        assertThat(sim.stats().maxConcurrentConnections("market-etl/bn-quiet")).isEqualTo(2);
        assertThat(sim.stats().closesSent(1001)).isZero();
    }

    @Test
    void binanceInBothModesHonoursTheRateLimitAgeLimitAndServerShutdown() throws Exception {
        String common = "&channels=trade,bookTicker&instruments=BTCUSDT,ETHUSDT,SOLUSDT&url=" + "%s" + FAST
                + "&maxConnectionAgeMs=1500";
        start(simConfig().binanceLifetime(Duration.ofMillis(2500)).build(), sim -> List.of(
                "exchange:bn-url?dialect=binance" + common.formatted(sim.binanceWsUrl()),
                "exchange:bn-msg?dialect=binance&subscribeMode=message&subscribeBatchSize=2"
                        + common.formatted(sim.binanceWsUrl())));
        for (String src : List.of("bn-url", "bn-msg")) {
            for (String inst : List.of("BTC-USDT", "ETH-USDT", "SOL-USDT")) {
                await().atMost(Duration.ofSeconds(5)).until(() -> messages(src, inst) >= 5);
            }
        }
        // the client reconnects at 1.5 s, before the 2.5 s hard cut: the server never has to close
        await().during(Duration.ofMillis(3500)).atMost(Duration.ofSeconds(5))
                .until(() -> sim.stats().closesSent(1001) == 0);
        assertThat(opened("market-etl/bn-url")).isGreaterThanOrEqualTo(3);
        assertThat(opened("market-etl/bn-msg")).isGreaterThanOrEqualTo(3);
        // serverShutdown, combined (URL mode) and raw (message mode) forms
        long url = opened("market-etl/bn-url");
        long msg = opened("market-etl/bn-msg");
        sim.faults().sendBinanceServerShutdown(); // closes 2 s later
        await().atMost(Duration.ofMillis(1500))
                .until(() -> opened("market-etl/bn-url") > url && opened("market-etl/bn-msg") > msg);
        await().during(Duration.ofMillis(2200)).atMost(Duration.ofSeconds(3)).until(() -> sim.stats().closesSent(1001) == 0);
        assertThat(sim.stats().maxConcurrentConnections("market-etl/bn-url")).isEqualTo(2); // during handovers only
        assertThat(sim.stats().maxConcurrentConnections("market-etl/bn-msg")).isEqualTo(2);
        assertThat(sim.stats().pongsReceived()).isPositive(); // Vert.x answered the server's ping frames
        assertThat(sim.stats().connections()).filteredOn(c -> c.clientIdentity().equals("market-etl/bn-url"))
                .allSatisfy(c -> assertThat(c.path()).startsWith("/stream?streams="));
        assertThat(sim.stats().connections()).filteredOn(c -> c.clientIdentity().equals("market-etl/bn-msg"))
                .allSatisfy(c -> assertThat(c.path()).isEqualTo("/ws"));
        assertThat(malformed.get()).isZero();
    }

    @Test
    void subscribeErrorsAreReportedAsSourceErrorsAndNeverReachTheRoute() throws Exception {
        start(simConfig().build(), sim -> List.of(
                "exchange:okx-err?dialect=okx&channels=trades&instruments=BTC-USDT,XYZ-USDT&url=" + sim.okxWsUrl() + FAST,
                "exchange:bn-err?dialect=binance&subscribeMode=message&subscribeBatchSize=1&channels=trade"
                        + "&instruments=BTCUSDT,XYZUSDT&url=" + sim.binanceWsUrl() + FAST));
        await().atMost(Duration.ofSeconds(5)).until(() -> events.errors.size() >= 2);
        assertThat(events.errors).anySatisfy(e -> assertThat(e).contains("60018").contains("XYZ-USDT"));
        assertThat(events.errors).anySatisfy(e -> assertThat(e).startsWith("Binance error 2").contains("invalid stream"));
        // the valid subscriptions keep flowing; the errors were control frames, not data
        await().atMost(Duration.ofSeconds(5)).until(() -> messages("okx-err", "BTC-USDT") >= 10 && messages("bn-err", "BTC-USDT") >= 10);
        assertThat(malformed.get()).isZero();
        assertThat(endpoint("okx-err").getReconnects()).isZero();
        assertThat(endpoint("bn-err").getReconnects()).isZero();
    }

    @Test
    void stallIsDetectedWithinTheWindowAndHealsWhenDataReturns() throws Exception {
        start(simConfig().build(), sim -> List.of(okx("okx-stall")));
        await().atMost(Duration.ofSeconds(5)).until(() -> messages("okx-stall") >= 20);
        long stalledAt = System.nanoTime();
        sim.faults().setStall(true); // zombie: socket open, pings answered, no data
        await().atMost(Duration.ofSeconds(3)).until(() -> !events.stale.isEmpty());
        assertThat((System.nanoTime() - stalledAt) / 1_000_000).isBetween(700L, 2500L);
        sim.faults().setStall(false);
        long before = messages("okx-stall");
        await().atMost(Duration.ofSeconds(6)).until(() -> messages("okx-stall") >= before + 50);
        assertThat(opened("market-etl/okx-stall")).isGreaterThanOrEqualTo(2);
        assertThat(sim.stats().maxConcurrentConnections("market-etl/okx-stall")).isEqualTo(1);
    }

    @Test
    void refusedConnectionsAreRetriedWithCappedBackoff() throws Exception {
        sim = ExchangeSimulator.start(simConfig().build());
        sim.faults().refuseConnectionsFor(Duration.ofMillis(1500)); // HTTP 503 on upgrade
        startRoutes(List.of(okx("okx-refused")));
        await().atMost(Duration.ofSeconds(8)).until(() -> messages("okx-refused") >= 10);
        assertThat(sim.stats().connectionsRefused()).isGreaterThanOrEqualTo(3);
        assertThat(events.scheduled).allSatisfy(x -> assertThat(x.delay().toMillis()).isLessThanOrEqualTo(500));
        assertThat(sim.stats().maxConcurrentConnections("market-etl/okx-refused")).isEqualTo(1);
    }

    @Test
    void malformedFramesAreRoutedAsideAndNothingIsLost() throws Exception {
        start(simConfig().build(), sim -> List.of("exchange:okx-bad?dialect=okx&channels=trades"
                + "&instruments=BTC-USDT,ETH-USDT,SOL-USDT&staleAfterMs=60000&pingIntervalMs=300&url=" + sim.okxWsUrl()));
        sim.faults().setMalformedRatio(0.2);
        await().atMost(Duration.ofSeconds(5)).until(() -> malformed.get() >= 10 && messages("okx-bad") >= 40);
        sim.faults().setStall(true);
        SimulatorStats stats = sim.stats();
        await().atMost(Duration.ofSeconds(5)).until(() -> frames.get() == stats.totalFramesSent() + stats.totalMalformedSent());
        assertThat(malformed.get()).isEqualTo(stats.totalMalformedSent());
        assertThat(messages("okx-bad")).isEqualTo(stats.totalItemsSent());
        assertThat(reasons).allSatisfy(r -> assertThat(r).matches("invalid_json|not_an_object|missing_field:.*|bad_number:.*|bad_field:.*"));
        assertThat(endpoint("okx-bad").getReconnects()).isZero();
    }
}
