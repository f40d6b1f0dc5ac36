package io.marketetl.testsupport;

import io.marketetl.normalise.MarketMessage;
import java.time.Instant;
import java.util.List;

/** Sends frames of one source into a pipeline and counts the messages sent. */
public final class Feeder {

    private final PipelineHarness pipeline;
    private final MarketMessageFactory factory;
    private long messages;
    private long frames;

    public Feeder(PipelineHarness pipeline, MarketMessageFactory factory) {
        this.pipeline = pipeline;
        this.factory = factory;
    }

    /** Sends frames until at least {@code count} more messages were sent; returns the messages sent by this call. */
    public long sendMessages(long count) {
        long before = messages;
        while (messages - before < count) {
            List<MarketMessage> frame = factory.frame(Instant.now());
            pipeline.send(frame);
            messages += frame.size();
            frames++;
        }
        return messages - before;
    }

    /** Sends one frame of exactly {@code size} messages. */
    public void sendFrame(int size) {
        pipeline.send(factory.frame(Instant.now(), size));
        messages += size;
        frames++;
    }

    public long messages() {
        return messages;
    }

    public long frames() {
        return frames;
    }

    public String sourceId() {
        return factory.sourceId();
    }
}
