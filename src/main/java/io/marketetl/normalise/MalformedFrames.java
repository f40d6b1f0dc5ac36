package io.marketetl.normalise;

import io.marketetl.batch.MalformedCounter;
import io.marketetl.source.RawFrame;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a frame that could not be normalised aside in {@code malformed_frames}, verbatim with the reason (bean
 * {@code malformedFrames}). Like accepted data, it is not dropped when the database is away: the write is retried
 * with capped back-off, which holds back that source's next frames (its socket pauses) until the database is back.
 */
public class MalformedFrames {

    private static final Logger LOG = LoggerFactory.getLogger(MalformedFrames.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);

    private final DataSource dataSource;
    private final Duration maxRetryDelay;
    private final MalformedCounter counter;
    private final AtomicLong keptAside = new AtomicLong();

    public MalformedFrames(DataSource dataSource, Duration maxRetryDelay, MalformedCounter counter) {
        this.dataSource = dataSource;
        this.maxRetryDelay = maxRetryDelay;
        this.counter = counter;
    }

    /** Called from the normalise route's catch block: the caught exception and the frame are on the exchange. */
    public void keepAside(Exchange exchange) throws InterruptedException {
        MalformedFrameException problem = exchange.getProperty(Exchange.EXCEPTION_CAUGHT,
                MalformedFrameException.class);
        RawFrame frame = exchange.getIn().getBody(RawFrame.class);
        String sourceId = frame != null ? frame.sourceId() : exchange.getIn().getHeader("MarketEtlSourceId", String.class);
        String text = problem != null && problem.frameText() != null ? problem.frameText()
                : frame != null ? frame.text() : "";
        String reason = problem != null ? problem.reason() : "unknown";
        Timestamp receivedAt = Timestamp.from(frame != null ? frame.receivedAt() : java.time.Instant.now());
        Duration delay = FIRST_RETRY;
        while (true) {
            try {
                insert(sourceId, receivedAt, reason, text);
                keptAside.incrementAndGet();
                counter.increment(sourceId); // into the next batch's metrics
                return;
            } catch (SQLException e) {
                LOG.warn("Could not keep a malformed frame of {} aside ({}); retrying in {} ms", sourceId,
                        e.getMessage(), delay.toMillis());
                Thread.sleep(delay.toMillis());
                delay = delay.multipliedBy(2).compareTo(maxRetryDelay) > 0 ? maxRetryDelay : delay.multipliedBy(2);
            }
        }
    }

    /** Frames kept aside since start (for metrics). */
    public long keptAside() {
        return keptAside.get();
    }

    private void insert(String sourceId, Timestamp receivedAt, String reason, String text) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO malformed_frames (connector_id, received_at, reason, frame) VALUES (?, ?, ?, ?)")) {
            ps.setString(1, sourceId);
            ps.setTimestamp(2, receivedAt);
            ps.setString(3, reason.length() > 200 ? reason.substring(0, 200) : reason);
            ps.setString(4, text.replace("\u0000", ""));
            ps.executeUpdate();
        }
    }
}
