package io.marketetl.pipeline;

/** Exchange header names shared by the source routes and the pipeline routes (also used in routes/*.yaml). */
public final class PipelineHeaders {

    /** Set by the normalise processor: {@link System#nanoTime()} when it started normalising the frame (long). */
    public static final String NORMALISE_START_NANOS = "MarketEtlNormaliseStartNanos";

    /** Set by the stamp processor: the frame's source (connector id); the aggregator correlates on it. */
    public static final String SOURCE_ID = "MarketEtlSourceId";

    /**
     * Set by the aggregation strategy on the batch being built: its number of messages (int), for the completion
     * predicate. A header, not {@code ${body.size()}}: that bean call per frame was a fifth of the pipeline's CPU.
     */
    public static final String BATCH_MESSAGES = "MarketEtlBatchMessages";

    /** Set by the loader: number of rows committed to websocket_messages for the batch (int). */
    public static final String ROWS_LOADED = "MarketEtlRowsLoaded";

    /** Set by the loader: number of rows the database refused as invalid data (int), logged and counted. */
    public static final String ROWS_REJECTED = "MarketEtlRowsRejected";

    private PipelineHeaders() {
    }
}
