package io.marketetl.batch;

import io.marketetl.normalise.MarketMessage;
import io.marketetl.pipeline.PipelineHeaders;
import java.util.List;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;

/**
 * Collects frames ({@code List<MarketMessage>}) of one source into a {@link Batch} (registry name
 * {@code batchAggregation}). The batch is the aggregated exchange's body, appended to in place: O(1) per frame, no
 * copying of the growing list. Its size in messages goes into header {@code MarketEtlBatchMessages} after each
 * frame. Completion is the route's business (a size predicate on that header, and the completion interval); a
 * batch closes at the first frame that brings it to max-messages, so it can exceed that by at most one frame's
 * messages minus one.
 */
public final class BatchAggregationStrategy implements AggregationStrategy {

    private final int expectedSize;

    public BatchAggregationStrategy(int expectedSize) {
        this.expectedSize = Math.max(16, Math.min(expectedSize, 100_000));
    }

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        @SuppressWarnings("unchecked")
        List<MarketMessage> frame = newExchange.getIn().getBody(List.class);
        if (oldExchange == null) {
            MarketMessage first = frame.get(0);
            Batch batch = new Batch(first.sourceId(), first.exchange(), expectedSize);
            batch.addFrame(frame);
            newExchange.getIn().setBody(batch);
            newExchange.getIn().setHeader(PipelineHeaders.BATCH_MESSAGES, batch.size());
            return newExchange;
        }
        Batch batch = oldExchange.getIn().getBody(Batch.class);
        batch.addFrame(frame);
        oldExchange.getIn().setHeader(PipelineHeaders.BATCH_MESSAGES, batch.size());
        return oldExchange;
    }

    @Override
    public void onCompletion(Exchange exchange) {
        Batch batch = exchange.getIn().getBody(Batch.class);
        if (batch != null) {
            batch.close(exchange.getProperty(ExchangePropertyKey.AGGREGATED_COMPLETED_BY, String.class));
        }
    }
}
