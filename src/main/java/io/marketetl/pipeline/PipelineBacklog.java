package io.marketetl.pipeline;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages accepted by the pipeline (stamped) and not yet committed or rejected by the loader: what a crash would
 * lose. The loader reports it to Camel's graceful shutdown as pending work, so that a stop or a route reload waits
 * until every accepted message is in the database (or the shutdown timeout forces it). Registry name
 * {@code pipelineBacklog}; also a gauge, {@code market_etl_pipeline_backlog_messages}.
 */
public final class PipelineBacklog {

    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();

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
