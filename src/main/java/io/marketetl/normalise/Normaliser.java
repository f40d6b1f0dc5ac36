package io.marketetl.normalise;

import io.marketetl.connector.ApiExtractor;
import io.marketetl.connector.ApiResponse;
import io.marketetl.source.RawFrame;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The normalise step (bean name {@code normalise}): body {@link RawFrame} (WebSocket), a {@code List<RawFrame>} (several
 * frames of one source in one exchange, see {@link io.marketetl.source.SourceConfig#getFramesPerExchange()}) or
 * {@link ApiResponse} (HTTP connector) in, body {@code List<MarketMessage>} out. The frame's own dialect does the parsing
 * ({@link io.marketetl.exchanges.ExchangeDialect#normalise}); an answer is split by its connector's pointers
 * ({@link ApiExtractor}).
 * <p>
 * Sets header {@value #START_NANOS_HEADER} ({@code long}, {@link System#nanoTime()} when normalising started) so a
 * later stage can compute extract = start - receivedNanos and transform = now - start.
 * <p>
 * A frame that is not valid JSON, lacks required fields, holds JSON that PostgreSQL cannot store
 * ({@link StorableJson}: {@code unstorable_json:lone_surrogate_escape}) or is larger than {@link #setMaxFrameBytes}
 * ({@code frame_too_large:<bytes>}, carrying only the frame's first {@value #OVERSIZE_KEPT_CHARS} characters)
 * raises {@link MalformedFrameException} (reason + frame text); the route decides where it goes (the dead-letter
 * table). It is never dropped here. Messages that parse but are not plausible market data are kept and flagged
 * ({@link Plausibility}, allowed event-time skew {@link #setMaxEventTimeSkewMs}).
 * <p>
 * Both limits are bean properties set from application.properties ({@code camel.beans.normalise.*}); a Normaliser
 * made with {@code new Normaliser()} applies neither.
 */
public class Normaliser implements Processor {

    /** Exchange header: {@code long} {@link System#nanoTime()} at the start of normalising. */
    public static final String START_NANOS_HEADER = "MarketEtlNormaliseStartNanos";
    /** Characters of an oversize frame kept in its dead letter (the rest is not stored). */
    public static final int OVERSIZE_KEPT_CHARS = 4096;
    /** Reason prefix of a frame over the size limit. */
    public static final String TOO_LARGE = "frame_too_large";

    private long maxFrameBytes = Long.MAX_VALUE;
    private Plausibility plausibility;
    private volatile MalformedFrames malformedFrames;

    /** Frames (and HTTP bodies) larger than this many UTF-8 bytes are not normalised but kept aside. */
    public void setMaxFrameBytes(long maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    /** Event times further than this from the receive time are flagged ({@link Plausibility}). */
    public void setMaxEventTimeSkewMs(long ms) {
        this.plausibility = new Plausibility(java.time.Duration.ofMillis(ms));
    }

    @Override
    public void process(Exchange exchange) {
        long start = System.nanoTime();
        exchange.getMessage().setHeader(START_NANOS_HEADER, start);
        Object body = exchange.getMessage().getBody();
        if (body instanceof ApiResponse response) {
            checkSize(response.body());
            exchange.getMessage().setBody(checked(ApiExtractor.extract(response), response.body()));
            return;
        }
        if (body instanceof List<?> frames && !frames.isEmpty() && frames.get(0) instanceof RawFrame) {
            List<MarketMessage> messages = normaliseGroup(frames, exchange);
            if (messages.isEmpty()) {
                exchange.setRouteStop(true); // every frame of the group was kept aside: nothing goes on
            }
            exchange.getMessage().setBody(messages);
            return;
        }
        if (!(body instanceof RawFrame frame)) {
            String text = body == null ? null : String.valueOf(body);
            throw new MalformedFrameException("not_a_raw_frame:" + (body == null ? "null" : body.getClass().getSimpleName()),
                    text);
        }
        exchange.getMessage().setBody(normalise(frame));
    }

    /**
     * The messages of several frames of one source, in order. A frame that cannot be normalised is kept aside through
     * the {@code malformedFrames} bean (as the route's catch block does for a frame alone) and the others go on;
     * without that bean the first such frame fails the whole group.
     */
    private List<MarketMessage> normaliseGroup(List<?> frames, Exchange exchange) {
        List<MarketMessage> out = new ArrayList<>(frames.size() + 8);
        for (Object f : frames) {
            RawFrame frame = (RawFrame) f;
            try {
                out.addAll(normalise(frame));
            } catch (MalformedFrameException e) {
                MalformedFrames aside = malformedFrames(exchange);
                if (aside == null) {
                    throw e;
                }
                try {
                    aside.keep(frame, e);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted keeping a malformed frame aside", interrupted);
                }
            }
        }
        return out;
    }

    private MalformedFrames malformedFrames(Exchange exchange) {
        MalformedFrames m = malformedFrames;
        if (m == null) {
            m = exchange.getContext().getRegistry().lookupByNameAndType("malformedFrames", MalformedFrames.class);
            malformedFrames = m;
        }
        return m;
    }

    /** The messages of one frame (at least one). */
    public List<MarketMessage> normalise(RawFrame frame) {
        checkSize(frame.text());
        return checked(frame.dialect().normalise(frame), frame.text());
    }

    private void checkSize(String text) {
        if (text == null || (long) text.length() * 3 <= maxFrameBytes) {
            return; // a char is at most 3 UTF-8 bytes (a surrogate pair 4 for 2 chars)
        }
        long bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > maxFrameBytes) {
            throw new MalformedFrameException(TOO_LARGE + ":" + bytes,
                    text.substring(0, Math.min(text.length(), OVERSIZE_KEPT_CHARS)));
        }
    }

    private List<MarketMessage> checked(List<MarketMessage> messages, String text) {
        for (MarketMessage m : messages) {
            String problem = StorableJson.problem(m.data());
            if (problem == null && m.call() != null && m.call().rawResponse() != null) {
                problem = StorableJson.problem(m.call().rawResponse());
            }
            if (problem != null) {
                throw new MalformedFrameException("unstorable_json:" + problem, text);
            }
            if (plausibility != null) {
                plausibility.check(m);
            }
        }
        return messages;
    }
}
