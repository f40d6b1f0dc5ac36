package io.marketetl.testsupport;

import io.marketetl.backfill.BackfillBeans;
import io.marketetl.backfill.TradeGapDetector;
import io.marketetl.batch.MalformedCounter;
import io.marketetl.connector.ApiClient;
import io.marketetl.connector.limit.HostBudget;
import io.marketetl.connector.limit.HostBudgets;
import io.marketetl.exchanges.ExchangeModules;
import java.time.Clock;
import io.marketetl.deadletter.DeadLetters;
import io.marketetl.load.MessageLoader;
import io.marketetl.normalise.MalformedFrames;
import io.marketetl.normalise.Normaliser;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.pipeline.PipelineBacklog;
import io.marketetl.pipeline.PipelineBeans;
import io.marketetl.pipeline.PipelineHeaders;
import io.marketetl.pipeline.PipelineSettings;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;

/**
 * The pipeline as the application runs it, in-process: market-etl/pipeline.camel.yaml, the settings of
 * application.properties (plus overrides), the beans of {@link PipelineBeans}, on a given DataSource. Frames are sent
 * to {@code direct:market-messages} the way the source routes do.
 */
public final class PipelineHarness implements AutoCloseable {

    public static final Path ROUTE_FILE = Path.of("src", "main", "resources", "market-etl", "pipeline.camel.yaml");
    public static final Path NORMALISE_FILE = Path.of("src", "main", "resources", "market-etl", "normalise.camel.yaml");
    public static final Path BACKFILL_FILE = Path.of("src", "main", "resources", "market-etl", "backfill.camel.yaml");

    private final DefaultCamelContext context;
    private final MessageLoader loader;
    private final MeterRegistry meters;
    private final ProducerTemplate template;
    private final PipelineBacklog backlog;

    private PipelineHarness(DefaultCamelContext context, MessageLoader loader, MeterRegistry meters) {
        this.context = context;
        this.loader = loader;
        this.meters = meters;
        this.template = context.createProducerTemplate();
        this.backlog = context.getRegistry().lookupByNameAndType("pipelineBacklog", PipelineBacklog.class);
    }

    public static PipelineHarness start(DataSource dataSource, Map<String, String> overrides) {
        return start(dataSource, overrides, ROUTE_FILE);
    }

    public static PipelineHarness start(DataSource dataSource, Map<String, String> overrides, Path routeFile) {
        return start(dataSource, overrides, routeFile, c -> { });
    }

    /** As {@link #start(DataSource, Map, Path)}, letting the caller add services before the context starts. */
    public static PipelineHarness start(DataSource dataSource, Map<String, String> overrides, Path routeFile,
            java.util.function.Consumer<DefaultCamelContext> customizer) {
        DefaultCamelContext context = create(dataSource, overrides);
        customizer.accept(context);
        try {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveResource(context, "file:" + routeFile));
            context.start();
        } catch (Exception e) {
            context.stop();
            throw new IllegalStateException(e);
        }
        return new PipelineHarness(context, context.getRegistry().lookupByNameAndType("loadMessages",
                MessageLoader.class), context.getRegistry().lookupByNameAndType(
                        MicrometerConstants.METRICS_REGISTRY_NAME, MeterRegistry.class));
    }

    /**
     * The pipeline with market-etl/normalise.camel.yaml in front of it, and the normalise step's beans set from the
     * settings as application.properties sets them: frames (RawFrame) and HTTP answers (ApiResponse) go in through
     * {@link #normalise(Object)}, malformed ones end in dead_letters.
     */
    public static PipelineHarness startWithNormalise(DataSource dataSource, Map<String, String> overrides) {
        return startWithNormalise(dataSource, overrides, context -> context.getRegistry().bind("tradeGaps",
                new TradeGapDetector((exchange, type) -> false, Clock.systemUTC())));
    }

    /**
     * As {@link #startWithNormalise(DataSource, Map)}, with gap backfill as the application runs it: the
     * {@code tradeGaps} step and the {@code backfill} route (market-etl/backfill.camel.yaml), calling the REST URLs
     * of the settings ({@code market-etl.okx.rest-url}, {@code market-etl.binance.rest-url}: the simulator's) through
     * an {@link ApiClient} with the exchanges' own host budgets.
     */
    public static PipelineHarness startWithBackfill(DataSource dataSource, Map<String, String> overrides) {
        return startWithNormalise(dataSource, overrides, context -> {
            ApiClient client = new ApiClient(context, new HostBudgets(HostBudgets.parseRules(""),
                    ExchangeModules.all(), HostBudget.Settings.DEFAULTS), Clock.systemUTC());
            BackfillBeans.bind(context, dataSource, client);
            try {
                PluginHelper.getRoutesLoader(context).loadRoutes(
                        ResourceHelper.resolveResource(context, "file:" + BACKFILL_FILE));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static PipelineHarness startWithNormalise(DataSource dataSource, Map<String, String> overrides,
            java.util.function.Consumer<DefaultCamelContext> gaps) {
        return start(dataSource, overrides, ROUTE_FILE, context -> {
            gaps.accept(context);
            Normaliser normaliser = new Normaliser();
            normaliser.setMaxFrameBytes(Long.parseLong(
                    context.resolvePropertyPlaceholders("{{market-etl.normalise.max-frame-bytes}}")));
            normaliser.setMaxEventTimeSkewMs(Long.parseLong(
                    context.resolvePropertyPlaceholders("{{market-etl.normalise.max-event-time-skew-ms}}")));
            context.getRegistry().bind("normalise", normaliser);
            context.getRegistry().bind("malformedFrames", new MalformedFrames(
                    context.getRegistry().lookupByNameAndType("deadLetters", DeadLetters.class),
                    context.getRegistry().lookupByNameAndType("malformedCounter", MalformedCounter.class)));
            try {
                PluginHelper.getRoutesLoader(context).loadRoutes(
                        ResourceHelper.resolveResource(context, "file:" + NORMALISE_FILE));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Sends a frame or an HTTP answer into the normalise route, as a source route does (with the normalise route). */
    public void normalise(Object frameOrAnswer) {
        template.sendBody("direct:normalise", frameOrAnswer);
    }

    /** A context with settings and beans but no routes, not started. */
    public static DefaultCamelContext create(DataSource dataSource, Map<String, String> overrides) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("file:application.properties");
        Properties props = new Properties();
        try {
            // each harness its own load spool, unless the test names one (e.g. to restart on it)
            props.put("market-etl.spool.dir", java.nio.file.Files.createTempDirectory("market-etl-spool").toString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        props.putAll(overrides);
        context.getPropertiesComponent().setOverrideProperties(props);
        context.getShutdownStrategy().setTimeout(60);
        context.getRegistry().bind("dataSource", dataSource);
        context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, new SimpleMeterRegistry());
        // the application's writer of connector status rows (the sources' batch performance goes there)
        io.marketetl.status.ConnectorStatusWriter status = new io.marketetl.status.ConnectorStatusWriter(
                new io.marketetl.status.ConnectorStatusStore(dataSource,
                        io.marketetl.status.ConnectorStatusStore.DEFAULT_ERROR_LOG_CHARS),
                java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(2));
        try {
            context.addService(status, true, true);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        PipelineBeans.bind(context, dataSource, PipelineSettings.fromContext(context),
                new io.marketetl.status.ConnectorStatusEvents(status));
        return context;
    }

    /** Sends one frame the way a source route does: after normalising, on the caller's thread. */
    public void send(List<MarketMessage> frame) {
        template.sendBodyAndHeader("direct:market-messages", frame, PipelineHeaders.NORMALISE_START_NANOS,
                System.nanoTime());
    }

    public CamelContext context() {
        return context;
    }

    public MessageLoader loader() {
        return loader;
    }

    public MeterRegistry meters() {
        return meters;
    }

    public PipelineBacklog backlog() {
        return backlog;
    }

    public double counter(String name) {
        return meters.find(name).counters().stream().mapToDouble(c -> c.count()).sum();
    }

    /** The sum of the gauges of that name (e.g. market_etl_spool_depth), 0 when there are none. */
    public double gauge(String name) {
        return meters.find(name).gauges().stream().mapToDouble(g -> g.value()).sum();
    }

    /** Graceful stop: returns when every accepted message is in the database (or the shutdown timeout passed). */
    public void stop() {
        context.stop();
    }

    @Override
    public void close() {
        if (!context.isStopped()) {
            context.stop();
        }
    }
}
