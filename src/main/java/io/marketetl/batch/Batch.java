package io.marketetl.batch;

import io.marketetl.load.LoadState;
import io.marketetl.normalise.MarketMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The messages of one source collected by the aggregator: the body of a completed aggregate exchange, what the
 * loader writes in one transaction and what one {@code websocket_batches} row describes.
 */
public final class Batch {

    private final String sourceId;
    private final String exchange;
    private final ArrayList<MarketMessage> messages;
    private final long openedNanos = System.nanoTime();
    private final Instant openedAt = Instant.now();
    private int frames;
    private long firstReceivedNanos = Long.MAX_VALUE;
    private long lastReceivedNanos = Long.MIN_VALUE;
    private long closedNanos;
    private String completedBy;
    private LoadState load;

    public Batch(String sourceId, String exchange, int expectedSize) {
        this.sourceId = sourceId;
        this.exchange = exchange;
        this.messages = new ArrayList<>(expectedSize);
    }

    /** A batch of the given messages (all of one source), e.g. for tests and benchmarks that bypass the routes. */
    public static Batch of(List<MarketMessage> messages) {
        MarketMessage first = messages.get(0);
        Batch b = new Batch(first.sourceId(), first.exchange(), messages.size());
        b.addFrame(messages);
        b.close(null);
        return b;
    }

    public void addFrame(List<MarketMessage> frame) {
        frames++;
        for (MarketMessage m : frame) {
            messages.add(m);
            long r = m.receivedNanos();
            if (r < firstReceivedNanos) {
                firstReceivedNanos = r;
            }
            if (r > lastReceivedNanos) {
                lastReceivedNanos = r;
            }
        }
    }

    /** Marks the batch complete; {@code completedBy} is the aggregator's reason (predicate, interval, force). */
    public void close(String completedBy) {
        this.closedNanos = System.nanoTime();
        this.completedBy = completedBy;
    }

    public String sourceId() { return sourceId; }
    public String exchange() { return exchange; }
    public List<MarketMessage> messages() { return Collections.unmodifiableList(messages); }
    public int size() { return messages.size(); }
    public boolean isEmpty() { return messages.isEmpty(); }
    public int frames() { return frames; }
    public Instant openedAt() { return openedAt; }
    public long openedNanos() { return openedNanos; }
    public long closedNanos() { return closedNanos; }
    public String completedBy() { return completedBy; }

    /** Receive-time span of the messages: last frame arrival minus first, in nanoseconds (0 for one frame). */
    public long receiveSpanNanos() {
        return messages.isEmpty() ? 0 : lastReceivedNanos - firstReceivedNanos;
    }

    /** How long the batch was open: from the first message's arrival to completion, in nanoseconds. */
    public long windowNanos() {
        if (messages.isEmpty()) {
            return 0;
        }
        long end = closedNanos != 0 ? closedNanos : System.nanoTime();
        return Math.max(0, end - firstReceivedNanos);
    }

    /** The loader's bookkeeping for this batch (rows, retry state, timings); null before the first attempt. */
    public LoadState load() { return load; }

    public void load(LoadState state) { this.load = state; }

    @Override
    public String toString() {
        return "Batch[" + sourceId + ", " + messages.size() + " messages, " + frames + " frames]";
    }
}
