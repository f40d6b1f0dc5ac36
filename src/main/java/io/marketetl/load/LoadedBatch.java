package io.marketetl.load;

import io.marketetl.pipeline.PipelineHeaders;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * What the loader reports for one batch of a group (the load step's body out is a list of these, one per batch, in
 * the group's order): its source, rows committed and refused, and its batch row's parameters with the commit timings
 * ({@code performance}; null when there is none: a spooled batch, API connector rows).
 */
public record LoadedBatch(String sourceId, int rowsLoaded, int rowsRejected, Map<String, Object> performance) {

    /**
     * The route's step for each batch of a group (registry name {@code loadedBatch}): the batch's source and row
     * counts into the headers the route's counters read, its performance as the body.
     */
    public static final class Headers implements Processor {

        @Override
        public void process(Exchange exchange) {
            LoadedBatch b = exchange.getIn().getBody(LoadedBatch.class);
            exchange.getIn().setHeader(PipelineHeaders.SOURCE_ID, b.sourceId());
            exchange.getIn().setHeader(PipelineHeaders.ROWS_LOADED, b.rowsLoaded());
            exchange.getIn().setHeader(PipelineHeaders.ROWS_REJECTED, b.rowsRejected());
            exchange.getIn().setBody(b.performance());
        }
    }
}
