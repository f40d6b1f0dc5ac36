package io.marketetl.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.micrometer.MicrometerUtils;

/**
 * The pipeline's Micrometer meters that the routes cannot count with a {@code micrometer:} endpoint (those are
 * {@code market_etl_rows_loaded} and {@code market_etl_batches}, in routes/pipeline.camel.yaml). Uses the same
 * registry as camel-micrometer ({@code metricsRegistry}: the Prometheus one behind /observe/metrics in the app),
 * looked up when first needed, so that camel-main has created it by then. Registry name {@code pipelineMetrics}.
 */
public final class PipelineMetrics {

    private final CamelContext camelContext;
    private volatile MeterRegistry registry;
    private final java.util.concurrent.atomic.AtomicBoolean backlogRegistered = new java.util.concurrent.atomic.AtomicBoolean();

    public PipelineMetrics(CamelContext camelContext) {
        this.camelContext = Objects.requireNonNull(camelContext, "camelContext");
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

    /** One failed write attempt (the batch is retried): {@code market_etl_load_failures{source,exception}}. */
    public void loadFailure(String source, Throwable cause) {
        Counter.builder("market_etl_load_failures")
                .description("Failed attempts to write a batch (each is retried with back-off)")
                .tag("source", String.valueOf(source))
                .tag("exception", cause == null ? "unknown" : cause.getClass().getSimpleName())
                .register(registry()).increment();
    }

    /** Rows the database refused as invalid data, isolated and logged: {@code market_etl_rows_rejected{source}}. */
    public void rowsRejected(String source, int rows) {
        Counter.builder("market_etl_rows_rejected")
                .description("Messages the database refused as invalid data (logged with their content)")
                .tag("source", String.valueOf(source))
                .register(registry()).increment(rows);
    }

    /** A frame that could not be normalised: {@code market_etl_malformed_frames{source}}. */
    public void malformedFrame(String source) {
        Counter.builder("market_etl_malformed_frames")
                .description("Frames that could not be normalised")
                .tag("source", String.valueOf(source))
                .register(registry()).increment();
    }

    /** Gauge of the messages accepted but not yet in the database. Idempotent. */
    public void registerBacklog(PipelineBacklog backlog) {
        if (!backlogRegistered.compareAndSet(false, true)) {
            return;
        }
        Gauge.builder("market_etl_pipeline_backlog_messages", backlog, PipelineBacklog::messages)
                .description("Messages accepted by the pipeline and not yet committed")
                .register(registry());
    }
}
