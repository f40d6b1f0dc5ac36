package io.marketetl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.batch.MalformedCounter;
import io.marketetl.normalise.MalformedFrames;
import io.marketetl.normalise.Normaliser;
import io.marketetl.testsupport.PipelineHarness;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * Feed "simulator": the end-to-end path. The exchange simulator ({@link io.marketetl.simulator.SimulatorMain}) runs in
 * a <b>separate JVM</b> on loopback, so the benchmark's app% does not include it (box% does); the application's own
 * {@code exchange:} source component and Normaliser consume its WebSocket feeds in the harness's CamelContext, wired
 * as market-etl/normalise.camel.yaml does ({@code direct:normalise} -> bean {@code normalise} ->
 * {@code direct:market-messages}, malformed frames to {@code malformedFrames}), then the same pipeline.
 * <p>
 * Per run: the simulator is started with {@code --port 0 --stall --seed 42 --rate <plan rate / sources>} (rate 0 = as
 * fast as the sockets take); one source route per planned source ({@code exchange:bench-<i>?dialect=binance
 * &channels=trade}), each its own connection and one Binance {@code trade} stream (one trade per frame), the sources
 * spread over BTC-USDT, ETH-USDT and SOL-USDT. When every connection is open the stall is lifted
 * ({@code POST /sim/faults}), data flows for the plan's duration, the stall is set again, and the items sent are
 * read from {@code GET /sim/stats} once that count stops moving. The harness then waits until the loader has
 * committed that many. A message's event time is the simulator's send time (Binance {@code E}, millisecond
 * resolution), so p50/p99 include the WebSocket hop, the source's queue and normalising. The plan's seed is not
 * used: the simulator's contents are always those of seed 42.
 * <p>
 * {@link #close()} stops the source routes and then kills the simulator.
 */
final class SimulatorFeed implements Feed {

    static final List<String> INSTRUMENTS = List.of("BTC-USDT", "ETH-USDT", "SOL-USDT");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final PipelineHarness pipeline;
    private final List<String> routeIds = new ArrayList<>();
    private SimulatorProcess simulator;

    SimulatorFeed(PipelineHarness pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public Sent run(Plan plan) throws Exception {
        double ratePerConnection = plan.ratePerSecond() / plan.sources();
        String binanceUrl = startSimulator(ratePerConnection);
        addRoutes(plan.sources(), binanceUrl);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (stats().path("currentConnections").asInt() < plan.sources()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + stats().path("currentConnections").asInt() + " of "
                        + plan.sources() + " sources connected to the simulator after " + START_TIMEOUT.toSeconds()
                        + " s");
            }
            Thread.sleep(20);
        }
        long first = System.nanoTime();
        faults("{\"stall\":false}");
        long end = first + plan.duration().toNanos();
        long now;
        while ((now = System.nanoTime()) < end) {
            TimeUnit.NANOSECONDS.sleep(Math.min(end - now, 100_000_000L));
        }
        faults("{\"stall\":true}");
        long last = System.nanoTime();
        // a pump call already under way on another event loop may still finish its batch: read until stable
        long sent = stats().path("totalItemsSent").asLong();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Thread.sleep(50);
            long again = stats().path("totalItemsSent").asLong();
            if (again == sent) {
                break;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the simulator kept sending after the stall: " + again);
            }
            sent = again;
        }
        return new Sent(sent, first, last);
    }

    private String startSimulator(double ratePerConnection) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        simulator = SimulatorProcess.start(List.of(java, "-Xmx512m", "-XX:+UseG1GC", "-cp",
                System.getProperty("java.class.path"), "io.marketetl.simulator.SimulatorMain"),
                List.of("--seed", "42", "--stall", "--instruments", String.join(",", INSTRUMENTS),
                        "--rate", String.format(Locale.ROOT, "%.3f", ratePerConnection)));
        return simulator.url("binance-ws");
    }

    /** market-etl/normalise.camel.yaml with its beans (once per context), then one source route per source. */
    private void addRoutes(int sources, String binanceUrl) throws Exception {
        CamelContext context = pipeline.context();
        if (context.getRegistry().lookupByName("normalise") == null) {
            context.getRegistry().bind("normalise", new Normaliser());
        }
        if (context.getRegistry().lookupByName("malformedFrames") == null) {
            context.getRegistry().bind("malformedFrames", new MalformedFrames(
                    context.getRegistry().lookupByNameAndType("deadLetters", io.marketetl.deadletter.DeadLetters.class),
                    context.getRegistry().lookupByNameAndType("malformedCounter", MalformedCounter.class)));
        }
        if (context.getRegistry().lookupByName("tradeGaps") == null) {
            // the gap detector follows the trade ids as in the application (nothing fills the gaps here)
            context.getRegistry().bind("tradeGaps", new io.marketetl.backfill.TradeGapDetector((e, t) -> true,
                    java.time.Clock.systemUTC()));
        }
        if (context.getRoute("normalise") == null) {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveResource(context, "classpath:market-etl/normalise.camel.yaml"));
        }
        List<String> uris = new ArrayList<>();
        for (int i = 0; i < sources; i++) {
            uris.add("exchange:bench-" + i + "?dialect=binance&channels=trade&instruments="
                    + INSTRUMENTS.get(i % INSTRUMENTS.size()) + "&url=" + binanceUrl
                    + "&hostConnectIntervalMs=20&minConnectIntervalMs=100&backoffInitialMs=100");
            routeIds.add("bench-source-" + i);
        }
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                for (int i = 0; i < uris.size(); i++) {
                    from(uris.get(i)).routeId(routeIds.get(i)).to("direct:normalise");
                }
            }
        });
    }

    private JsonNode stats() throws IOException, InterruptedException {
        return simulator.stats();
    }

    private void faults(String body) throws IOException, InterruptedException {
        simulator.faults(body);
    }

    /** Stops the source routes (so they do not reconnect to a dead port), then kills the simulator. */
    @Override
    public void close() {
        CamelContext context = pipeline.context();
        for (String id : routeIds) {
            try {
                if (context.getRoute(id) != null) {
                    context.getRouteController().stopRoute(id, 10, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                // the context is going away anyway
            }
        }
        if (simulator != null) {
            simulator.close();
        }
    }
}
