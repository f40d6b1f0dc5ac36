package io.marketetl.testsupport;

import io.marketetl.load.MessageLoader;
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
 * The pipeline as the application runs it, in-process: routes/pipeline.camel.yaml, the settings of
 * application.properties (plus overrides), the beans of {@link PipelineBeans}, on a given DataSource. Frames are sent
 * to {@code direct:market-messages} the way the source routes do.
 */
public final class PipelineHarness implements AutoCloseable {

    public static final Path ROUTE_FILE = Path.of("routes", "pipeline.camel.yaml");

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

    /** A context with settings and beans but no routes, not started. */
    public static DefaultCamelContext create(DataSource dataSource, Map<String, String> overrides) {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().setLocation("file:application.properties");
        Properties props = new Properties();
        props.putAll(overrides);
        context.getPropertiesComponent().setOverrideProperties(props);
        context.getShutdownStrategy().setTimeout(60);
        context.getRegistry().bind("dataSource", dataSource);
        context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, new SimpleMeterRegistry());
        PipelineBeans.bind(context, dataSource, PipelineSettings.fromContext(context));
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
