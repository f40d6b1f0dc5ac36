package io.marketetl.load;

import io.marketetl.batch.Batch;

/**
 * What a batch's {@code websocket_batches} row needs from the batch besides its rows, fixed when the batch is
 * complete: plain values (durations already measured, no {@code System.nanoTime} stamps), so that they mean the same
 * after a restart when a spooled batch is replayed.
 *
 * @param windowNanos     first arrival to completion ({@link Batch#windowNanos()})
 * @param spanNanos       first arrival to last arrival ({@link Batch#receiveSpanNanos()})
 * @param completedBy     the aggregator's reason (predicate, interval, force), may be null
 * @param malformedFrames frames of the source refused since its previous batch row (taken once per batch)
 */
public record BatchFacts(String sourceId, String exchange, int frames, long windowNanos, long spanNanos,
        String completedBy, long malformedFrames) {

    public static BatchFacts of(Batch batch, long malformedFrames) {
        return new BatchFacts(batch.sourceId(), batch.exchange(), batch.frames(), batch.windowNanos(),
                batch.receiveSpanNanos(), batch.completedBy(), malformedFrames);
    }
}
