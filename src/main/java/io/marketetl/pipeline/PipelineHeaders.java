package io.marketetl.pipeline;

/** Exchange header names shared by the source routes and the pipeline routes (also used in routes/*.yaml). */
public final class PipelineHeaders {

    /** Set by the normalise processor: {@link System#nanoTime()} when it started normalising the frame (long). */
    public static final String NORMALISE_START_NANOS = "MarketEtlNormaliseStartNanos";

    /** Set by the stamp processor: the frame's source (connector id); the aggregator correlates on it. */
    public static final String SOURCE_ID = "MarketEtlSourceId";

    /** Set by the loader: number of rows committed to websocket_messages for the batch (int). */
    public static final String ROWS_LOADED = "MarketEtlRowsLoaded";

    /** Set by the loader: number of rows the database refused as invalid data (int), logged and counted. */
    public static final String ROWS_REJECTED = "MarketEtlRowsRejected";

    private PipelineHeaders() {
    }
}
