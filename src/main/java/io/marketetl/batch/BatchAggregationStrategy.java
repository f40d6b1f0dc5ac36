package io.marketetl.batch;

import io.marketetl.normalise.MarketMessage;
import io.marketetl.pipeline.PipelineHeaders;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePropertyKey;

/**
 * Collects frames ({@code List<MarketMessage>}) of one source into a {@link Batch} (registry name
 * {@code batchAggregation}). The batch is the aggregated exchange's body, appended to in place: O(1) per frame, no
 * copying of the growing list. Its size in messages goes into header {@code MarketEtlBatchMessages} after each
 * frame. Completion is the route's business (a size predicate on that header, and the completion interval); a
 * batch closes at the first frame that brings it to max-messages, so it can exceed that by at most one frame's
 * messages minus one (one exchange's: a source hands up to {@code market-etl.source.frames-per-exchange} queued frames
 * over in one exchange, normalised into one list).
 * <p>
 * During a stop, once {@link BatchFlusher} has flushed the open batches ({@code flushing}), every frame completes
 * its batch at once (Camel's "complete current group" flag, set here because the aggregator evaluates it under its
 * lock, in the same step as adding the frame): a frame accepted after the flush must not open a batch that nothing
 * would complete any more. Such a batch is recorded as {@code completed_by: force}, like the flushed ones.
 */
public final class BatchAggregationStrategy implements AggregationStrategy {

    /** Camel's completed-by value for a group completed by its strategy (the flag set in {@link #aggregate}). */
    private static final String COMPLETED_BY_STRATEGY = "strategy";

    private final int expectedSize;
    private final BooleanSupplier flushing;

    /** {@code flushing}: {@link BatchFlusher#flushing()}, true when every frame is to complete its batch. */
    public BatchAggregationStrategy(int expectedSize, BooleanSupplier flushing) {
        this.expectedSize = Math.max(16, Math.min(expectedSize, 100_000));
        this.flushing = Objects.requireNonNull(flushing, "flushing");
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
            return completeIfFlushing(newExchange);
        }
        Batch batch = oldExchange.getIn().getBody(Batch.class);
        batch.addFrame(frame);
        oldExchange.getIn().setHeader(PipelineHeaders.BATCH_MESSAGES, batch.size());
        return completeIfFlushing(oldExchange);
    }

    private Exchange completeIfFlushing(Exchange aggregated) {
        if (flushing.getAsBoolean()) {
            aggregated.setProperty(ExchangePropertyKey.AGGREGATION_COMPLETE_CURRENT_GROUP, true);
        }
        return aggregated;
    }

    @Override
    public void onCompletion(Exchange exchange) {
        Batch batch = exchange.getIn().getBody(Batch.class);
        if (batch != null) {
            String by = exchange.getProperty(ExchangePropertyKey.AGGREGATED_COMPLETED_BY, String.class);
            batch.close(COMPLETED_BY_STRATEGY.equals(by) ? "force" : by); // only flushing sets the flag
        }
    }
}
