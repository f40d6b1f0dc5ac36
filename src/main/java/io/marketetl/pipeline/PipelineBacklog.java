package io.marketetl.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages accepted by the pipeline (stamped) and not yet committed or rejected by the loader: what a crash would
 * lose. The loader reports it to Camel's graceful shutdown as pending work, so that a stop or a route reload waits
 * until every accepted message is in the database (or the shutdown timeout forces it). Registry name
 * {@code pipelineBacklog}; also a gauge, {@code market_etl_pipeline_backlog_messages}.
 * <p>
 * It also counts the part of the backlog that is not in a batch yet ({@link #unbatched()}): stamped, and not yet
 * through the batch route's aggregator (being handed off, in the hand-off queue, or taken off it by the batch route
 * and not yet added to a batch). {@link io.marketetl.batch.BatchFlusher} waits for it to be 0 before it completes
 * the open batches on a stop: the hand-off queue being empty does not mean that.
 */
public final class PipelineBacklog {

    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong unbatched = new AtomicLong();

    /** Messages accepted by the stamp, on their way to the batch route (then {@link #batched} when it is done). */
    public void stamped(int count) {
        unbatched.addAndGet(count); // before the hand-off: never 0 while they are on the way to a batch
        accepted(count);
    }

    /**
     * Messages of a frame the batch route is done with: added to a batch (open, or completed and handed to the
     * loaders), or lost by a failure. Their backlog count stays until the loader is done with them.
     */
    public void batched(int count) {
        unbatched.addAndGet(-count);
    }

    /** Stamped messages the batch route is not done with yet ({@link #stamped} minus {@link #batched}). */
    public long unbatched() {
        return unbatched.get();
    }

    /** Messages accepted into the backlog without going through the batch route (loader tests and benchmarks). */
    public void accepted(int count) {
        long now = messages.addAndGet(count);
        peak.accumulateAndGet(now, Math::max);
    }

    public void done(int count) {
        messages.addAndGet(-count);
    }

    public long messages() {
        return messages.get();
    }

    /** Highest backlog seen since the last {@link #resetPeak()}. */
    public long peak() {
        return peak.get();
    }

    public void resetPeak() {
        peak.set(messages.get());
    }
}
