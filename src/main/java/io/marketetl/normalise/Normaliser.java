package io.marketetl.normalise;

import io.marketetl.source.RawFrame;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The normalise step (bean name {@code normalise}): body {@link RawFrame} in, body {@code List<MarketMessage>} out.
 * The frame's own dialect does the parsing ({@link io.marketetl.source.dialect.ExchangeDialect#normalise}).
 * <p>
 * Sets header {@value #START_NANOS_HEADER} ({@code long}, {@link System#nanoTime()} when normalising started) so a
 * later stage can compute extract = start - receivedNanos and transform = now - start.
 * <p>
 * A frame that is not valid JSON or lacks required fields raises {@link MalformedFrameException} (reason + frame
 * text); the route decides where it goes. It is never dropped here.
 */
public class Normaliser implements Processor {

    /** Exchange header: {@code long} {@link System#nanoTime()} at the start of normalising. */
    public static final String START_NANOS_HEADER = "MarketEtlNormaliseStartNanos";

    @Override
    public void process(Exchange exchange) {
        long start = System.nanoTime();
        exchange.getMessage().setHeader(START_NANOS_HEADER, start);
        Object body = exchange.getMessage().getBody();
        if (!(body instanceof RawFrame frame)) {
            String text = body == null ? null : String.valueOf(body);
            throw new MalformedFrameException("not_a_raw_frame:" + (body == null ? "null" : body.getClass().getSimpleName()),
                    text);
        }
        exchange.getMessage().setBody(normalise(frame));
    }

    /** The messages of one frame (at least one). */
    public List<MarketMessage> normalise(RawFrame frame) {
        return frame.dialect().normalise(frame);
    }
}
