package io.marketetl.batch;

import io.marketetl.pipeline.PipelineHeaders;
import io.marketetl.pipeline.PipelineMetrics;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;
import org.apache.camel.Handler;

/**
 * Counts frames a source could not normalise (registry name {@code malformedCounter}). The source route's error
 * handler calls it, e.g. in YAML {@code - bean: {ref: malformedCounter, method: "increment(${header.MarketEtlSourceId})"}}
 * or simply {@code - bean: {ref: malformedCounter}} with header {@code MarketEtlSourceId} set. Each count goes to the
 * Micrometer counter {@code market_etl_malformed_frames{source}} at once, and into the metrics of the source's next
 * {@code websocket_batches} row ({@code malformed_frames}: frames refused since the previous batch row).
 */
public final class MalformedCounter {

    private final ConcurrentHashMap<String, AtomicLong> sinceLastBatch = new ConcurrentHashMap<>();
    private final PipelineMetrics metrics;

    public MalformedCounter(PipelineMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    public void increment(String sourceId) {
        String source = sourceId == null ? "unknown" : sourceId;
        sinceLastBatch.computeIfAbsent(source, s -> new AtomicLong()).incrementAndGet();
        metrics.malformedFrame(source);
    }

    /** Camel bean entry point: the source is the exchange's {@code MarketEtlSourceId} header. */
    @Handler
    public void onMalformedFrame(Exchange exchange) {
        increment(exchange.getIn().getHeader(PipelineHeaders.SOURCE_ID, String.class));
    }

    /** Frames counted for the source since the last call, which resets its count. */
    public long drain(String sourceId) {
        AtomicLong count = sinceLastBatch.get(sourceId);
        return count == null ? 0 : count.getAndSet(0);
    }

    /** Frames counted for the source and not yet reported in a batch row. */
    public long pending(String sourceId) {
        AtomicLong count = sinceLastBatch.get(sourceId);
        return count == null ? 0 : count.get();
    }
}
