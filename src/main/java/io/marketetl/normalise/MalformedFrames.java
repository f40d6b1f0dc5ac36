package io.marketetl.normalise;

import io.marketetl.batch.MalformedCounter;
import io.marketetl.connector.ApiResponse;
import io.marketetl.deadletter.DeadLetters;
import io.marketetl.source.RawFrame;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.Exchange;

/**
 * Keeps a frame (or an HTTP connector's answer) that could not be normalised aside in {@code dead_letters}, verbatim
 * with the reason (bean {@code malformedFrames}; the {@code malformed_frames} view still shows them, V8). Kinds:
 * {@code oversize_frame} for a frame over the size limit, {@code http_body} for an answer, {@code malformed_frame}
 * otherwise. Like accepted data, it is not dropped when the database is away: the write is retried with capped
 * back-off ({@link DeadLetters#keep}), which holds back that source's next frames (its socket pauses) until the
 * database is back.
 */
public class MalformedFrames {

    private final DeadLetters deadLetters;
    private final MalformedCounter counter;
    private final AtomicLong keptAside = new AtomicLong();

    public MalformedFrames(DeadLetters deadLetters, MalformedCounter counter) {
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.counter = Objects.requireNonNull(counter, "counter");
    }

    /**
     * One frame of a group (a source's exchange carrying several frames, see
     * {@link io.marketetl.source.SourceConfig#getFramesPerExchange()}) that could not be normalised: kept aside like
     * {@link #keepAside} does for a frame alone, while the group's other frames go on.
     */
    public void keep(RawFrame frame, MalformedFrameException problem) throws InterruptedException {
        String reason = problem.reason();
        String text = problem.frameText() != null ? problem.frameText() : frame.text();
        DeadLetters.Kind kind = reason.startsWith(Normaliser.TOO_LARGE) ? DeadLetters.Kind.OVERSIZE_FRAME
                : DeadLetters.Kind.MALFORMED_FRAME;
        deadLetters.keep(frame.sourceId(), kind, reason, text, frame.receivedAt());
        keptAside.incrementAndGet();
        counter.increment(frame.sourceId()); // into the next batch's metrics
    }

    /** Called from the normalise route's catch block: the caught exception and the frame are on the exchange. */
    public void keepAside(Exchange exchange) throws InterruptedException {
        MalformedFrameException problem = exchange.getProperty(Exchange.EXCEPTION_CAUGHT,
                MalformedFrameException.class);
        Object body = exchange.getIn().getBody();
        RawFrame frame = body instanceof RawFrame f ? f : null;
        ApiResponse answer = body instanceof ApiResponse a ? a : null;
        String sourceId = frame != null ? frame.sourceId() : answer != null ? answer.connectorId()
                : exchange.getIn().getHeader("MarketEtlSourceId", String.class);
        String text = problem != null && problem.frameText() != null ? problem.frameText()
                : frame != null ? frame.text() : answer != null ? answer.body() : "";
        String reason = problem != null ? problem.reason() : "unknown";
        DeadLetters.Kind kind = reason.startsWith(Normaliser.TOO_LARGE) ? DeadLetters.Kind.OVERSIZE_FRAME
                : answer != null ? DeadLetters.Kind.HTTP_BODY : DeadLetters.Kind.MALFORMED_FRAME;
        deadLetters.keep(sourceId, kind, reason, text, frame != null ? frame.receivedAt()
                : answer != null ? answer.receivedAt() : Instant.now());
        keptAside.incrementAndGet();
        counter.increment(sourceId); // into the next batch's metrics
    }

    /** Frames kept aside since start (for metrics). */
    public long keptAside() {
        return keptAside.get();
    }
}
