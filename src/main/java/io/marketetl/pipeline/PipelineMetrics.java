package io.marketetl.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;

/**
 * The pipeline's Micrometer meters that the routes cannot count with a {@code micrometer:} endpoint (those are
 * {@code market_etl_rows_loaded} and {@code market_etl_batches}, in market-etl/pipeline.camel.yaml), and where the
 * application's registry is: bean {@code metricsRegistry}, the Prometheus one behind /observe/metrics, bound by
 * {@link #bindApplicationRegistry} before anything registers a meter (camel-micrometer-prometheus then uses it rather
 * than creating its own). Per-source counters are cached: counting costs no registry lookup. Registry name
 * {@code pipelineMetrics}. The other stages' meters: {@code SourceMeters}, {@code ConnectorMeters},
 * {@link CommitMeters}.
 */
public final class PipelineMetrics {

    private final CamelContext camelContext;
    private volatile MeterRegistry registry;
    private final AtomicBoolean backlogRegistered = new AtomicBoolean();
    private final Map<String, Counter> malformed = new ConcurrentHashMap<>();
    private final Map<String, Counter> failures = new ConcurrentHashMap<>();
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

    public PipelineMetrics(CamelContext camelContext) {
        this.camelContext = Objects.requireNonNull(camelContext, "camelContext");
    }

    /**
     * The registry behind /observe/metrics, bound as {@code metricsRegistry} if camel-main has not yet created it, so
     * that meters can be registered while the application is configured (the connection pool's, before it opens).
     */
    public static MeterRegistry bindApplicationRegistry(CamelContext camelContext) {
        MeterRegistry r = applicationRegistry(camelContext);
        if (r == null) {
            r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            camelContext.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, r);
        }
        return r;
    }

    /** The application's registry, or null when there is none (a component tested on its own). */
    public static MeterRegistry applicationRegistry(CamelContext camelContext) {
        return camelContext.getRegistry().lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                MeterRegistry.class);
    }

    public MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            synchronized (this) {
                r = registry;
                if (r == null) {
                    r = MicrometerUtils.getOrCreateMeterRegistry(camelContext.getRegistry(),
                            MicrometerConstants.METRICS_REGISTRY_NAME);
                    registry = r;
                }
            }
        }
        return r;
    }

    /**
     * One failed write attempt (the batch is retried): {@code market_etl_load_failures{source}}. The exception is in
     * the load route's retry log lines; a label of it would start each series at its first failure, which an
     * {@code increase()} alert cannot see.
     */
    public void loadFailure(String source) {
        failures(String.valueOf(source)).increment();
    }

    /** Rows the database refused as invalid data, isolated and logged: {@code market_etl_rows_rejected{source}}. */
    public void rowsRejected(String source, int rows) {
        rejected(String.valueOf(source)).increment(rows);
    }

    /** A frame that could not be normalised: {@code market_etl_malformed_frames{source}}. */
    public void malformedFrame(String source) {
        malformed(String.valueOf(source)).increment();
    }

    /** Shows the source's load-failure, rejected-row and malformed-frame counters at 0 before anything happens. */
    public void registerSource(String source) {
        failures(source);
        rejected(source);
        malformed(source);
    }

    private Counter failures(String source) {
        return failures.computeIfAbsent(source, s -> Counter.builder("market_etl_load_failures")
                .description("Failed attempts to write a batch (each is retried with back-off)")
                .tag("source", s).register(registry()));
    }

    private Counter rejected(String source) {
        return rejected.computeIfAbsent(source, s -> Counter.builder("market_etl_rows_rejected")
                .description("Messages the database refused as invalid data (logged with their content)")
                .tag("source", s).register(registry()));
    }

    private Counter malformed(String source) {
        return malformed.computeIfAbsent(source, s -> Counter.builder("market_etl_malformed_frames")
                .description("Frames that could not be normalised").tag("source", s).register(registry()));
    }

    /** Gauge of the messages accepted but not yet in the database. Idempotent. */
    public void registerBacklog(PipelineBacklog backlog) {
        if (!backlogRegistered.compareAndSet(false, true)) {
            return;
        }
        Gauge.builder("market_etl_pipeline_backlog_messages", backlog, PipelineBacklog::messages)
                .description("Messages accepted by the pipeline and not yet committed")
                .strongReference(true).register(registry());
    }
}
