package io.marketetl.stamp;

import io.marketetl.normalise.MarketMessage;
import io.marketetl.pipeline.PipelineBacklog;
import io.marketetl.pipeline.PipelineHeaders;
import java.util.List;
import java.util.Objects;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The stamp stage (registry name {@code stamp}): first step after the source's normalise processor. For each message
 * of the frame (body {@code List<MarketMessage>}) it assigns the source's next {@code message_number} and the two
 * stage durations that are known by now, in seconds:
 * <ul>
 * <li>extract = normalise start - frame arrival ({@code MarketEtlNormaliseStartNanos} - {@code receivedNanos});</li>
 * <li>transform = now - normalise start (normalising the frame into messages; stamp runs right after it).</li>
 * </ul>
 * Without the normalise-start header, extract is 0 and transform is the whole time since arrival. Negative
 * durations (clock misuse) are stored as 0. It sets header {@code MarketEtlSourceId}, the aggregator's correlation
 * key, and counts the messages into the {@link PipelineBacklog} (as stamped: not in a batch yet). An empty frame
 * ends the exchange here.
 * <p>
 * A frame carries messages of one source (the source route's contract); a frame mixing sources is refused.
 */
public final class Stamper implements Processor {

    private final MessageNumbers numbers;
    private final PipelineBacklog backlog;

    public Stamper(MessageNumbers numbers, PipelineBacklog backlog) {
        this.numbers = Objects.requireNonNull(numbers, "numbers");
        this.backlog = Objects.requireNonNull(backlog, "backlog");
    }

    @Override
    public void process(Exchange exchange) {
        List<?> body = exchange.getIn().getBody(List.class);
        if (body == null || body.isEmpty()) {
            exchange.setRouteStop(true);
            return;
        }
        long now = System.nanoTime();
        @SuppressWarnings("unchecked")
        List<MarketMessage> messages = (List<MarketMessage>) body;
        String source = messages.get(0).sourceId();
        for (int i = 1; i < messages.size(); i++) {
            if (!source.equals(messages.get(i).sourceId())) {
                throw new IllegalArgumentException("A frame must carry messages of one source, got " + source
                        + " and " + messages.get(i).sourceId());
            }
        }
        Long normaliseStart = exchange.getIn().getHeader(PipelineHeaders.NORMALISE_START_NANOS, Long.class);
        long first = numbers.reserve(source, messages.size());
        for (int i = 0; i < messages.size(); i++) {
            MarketMessage m = messages.get(i);
            m.setMessageNumber(first + i);
            long start = normaliseStart != null ? normaliseStart : m.receivedNanos();
            m.setExtractSeconds(Math.max(0L, start - m.receivedNanos()) / 1e9);
            m.setTransformSeconds(Math.max(0L, now - start) / 1e9);
        }
        exchange.getIn().setHeader(PipelineHeaders.SOURCE_ID, source);
        backlog.stamped(messages.size());
    }
}
