package io.marketetl.load;

import io.marketetl.pipeline.PipelineHeaders;
import io.marketetl.pipeline.PipelineMetrics;
import java.util.Objects;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The load route's {@code onExceptionOccurredRef} (registry name {@code loadFailures}): counts every failed attempt
 * to write a batch (or a group of batches: once per source in it) or its batch row, {@code market_etl_load_failures{source}}, before the error handler
 * backs off and tries the same exchange again.
 */
public final class LoadFailures implements Processor {

    private final PipelineMetrics metrics;

    public LoadFailures(PipelineMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public void process(Exchange exchange) {
        if (exchange.getIn().getBody() instanceof BatchGroup group) {
            // a failed group's attempt is a failed attempt for each source in it
            group.batches().stream().map(io.marketetl.batch.Batch::sourceId).distinct()
                    .forEach(metrics::loadFailure);
            return;
        }
        metrics.loadFailure(exchange.getIn().getHeader(PipelineHeaders.SOURCE_ID, String.class));
    }
}
