package io.marketetl.batch;

import io.marketetl.pipeline.PipelineBacklog;
import java.util.List;
import java.util.Objects;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.processor.aggregate.AggregateController;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the open batches when the batch route stops (application stop or reload of the route file), at the right
 * moment: once every frame the stamp accepted is in a batch (registry name {@code batchFlusher}). It is both the
 * aggregator's {@code aggregateController} (to reach the aggregator) and the first step of the route, before the
 * aggregator (so that Camel's graceful shutdown calls {@link #prepareShutdown} on it, and to count the frames the
 * route is done with).
 * <p>
 * Why: Camel's {@code forceCompletionOnStop} completes the groups when the stop begins, while the route's seda
 * consumer still drains the hand-off into new groups, which then wait for the next completion interval; with a long
 * {@code max-wait-ms} that can outlast the shutdown timeout. Waiting for the frames first makes a stop flush
 * everything at once, whatever the interval.
 * <p>
 * "The hand-off queue is empty" is not "every frame is in a batch", and flushing on it lost a message (the race
 * {@code ShutdownFlushTest} reproduces): the seda consumer takes the last frame off the queue <i>before</i> it adds it
 * to a batch, so the flusher, polling the queue from the shutdown thread, could see it empty, complete the open
 * batches, and only then would the consumer add the frame, to a new batch that nothing completes any more (the
 * completion interval may be minutes; completeAllOnStop makes the stop wait for it until the shutdown timeout forces
 * it away, with its messages). The same goes for a frame the stamp has counted but not yet offered to the queue.
 * So the flusher waits on a count instead: {@link PipelineBacklog#unbatched()}, raised by the stamp before the
 * hand-off and lowered when the batch route is done with the frame (after the aggregator has stored it in its batch,
 * or handed that batch on). And a frame that reaches the aggregator after the flush (accepted late: the stamp route
 * keeps accepting during a stop) completes its batch at once ({@link #flushing()}, read by
 * {@link BatchAggregationStrategy} under the aggregator's lock) instead of opening one that would never complete.
 */
public final class BatchFlusher extends ServiceSupport implements Processor, AggregateController, ShutdownAware {

    private static final Logger LOG = LoggerFactory.getLogger(BatchFlusher.class);

    private final PipelineBacklog backlog;
    private volatile AggregateProcessor aggregator;
    private volatile boolean flushing;

    public BatchFlusher(PipelineBacklog backlog) {
        this.backlog = Objects.requireNonNull(backlog, "backlog");
    }

    /** Each frame, before the aggregator: once the route is done with it, it no longer counts as unbatched. */
    @Override
    public void process(Exchange exchange) {
        List<?> frame = exchange.getIn().getBody(List.class);
        int messages = frame == null ? 0 : frame.size();
        // at the end of the frame's unit of work in this route, i.e. after the aggregator has added it to its batch
        // (stored in the aggregation repository, or completed and handed to the load queue), or if that failed
        exchange.getExchangeExtension().addOnCompletion(new Batched(backlog, messages));
    }

    /**
     * True from the flush of a stop until the next aggregator starts: every frame then completes its batch at once
     * (the open batches were completed already, and nothing else would complete a new one).
     */
    public boolean flushing() {
        return flushing;
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        AggregateProcessor agg = aggregator;
        if (forced || suspendOnly || agg == null) {
            return;
        }
        try {
            // the hand-off drains into the open batches (the route's consumer keeps running during a graceful stop)
            awaitBatched();
            flushing = true;
            // a frame added to a batch before it could see flushing: its batch is stored once it no longer counts
            // (one that is stamped after this wait sees flushing, so it completes its own batch)
            awaitBatched();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the shutdown timed out and is forced now
            return;
        }
        int groups = agg.forceCompletionOfAllGroups();
        if (groups > 0) {
            LOG.info("Stopping: completed {} open batches", groups);
        }
    }

    private void awaitBatched() throws InterruptedException {
        while (backlog.unbatched() > 0) {
            Thread.sleep(10);
        }
    }

    @Override
    public boolean deferShutdown(ShutdownRunningTask shutdownRunningTask) {
        return false;
    }

    @Override
    public int getPendingExchangesSize() {
        return 0; // the aggregator reports its open groups itself (completeAllOnStop)
    }

    // AggregateController: remembers the (current) aggregator; a reload starts a new one

    @Override
    public void onStart(AggregateProcessor processor) {
        this.aggregator = processor;
        this.flushing = false;
    }

    @Override
    public void onStop(AggregateProcessor processor) {
        if (this.aggregator == processor) {
            this.aggregator = null;
        }
    }

    @Override
    public int forceCompletionOfGroup(String key) {
        AggregateProcessor agg = aggregator;
        return agg == null ? 0 : agg.forceCompletionOfGroup(key);
    }

    @Override
    public int forceCompletionOfAllGroups() {
        AggregateProcessor agg = aggregator;
        return agg == null ? 0 : agg.forceCompletionOfAllGroups();
    }

    @Override
    public int forceDiscardingOfGroup(String key) {
        AggregateProcessor agg = aggregator;
        return agg == null ? 0 : agg.forceDiscardingOfGroup(key);
    }

    @Override
    public int forceDiscardingOfAllGroups() {
        AggregateProcessor agg = aggregator;
        return agg == null ? 0 : agg.forceDiscardingOfAllGroups();
    }

    /** Lowers the unbatched count by a frame's messages when the batch route is done with the frame. */
    private static final class Batched extends SynchronizationAdapter {

        private final PipelineBacklog backlog;
        private final int messages;

        Batched(PipelineBacklog backlog, int messages) {
            this.backlog = backlog;
            this.messages = messages;
        }

        @Override
        public void onDone(Exchange exchange) {
            backlog.batched(messages);
        }
    }
}
