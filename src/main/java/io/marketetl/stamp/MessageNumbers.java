package io.marketetl.stamp;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message counter per source, monotonic for the life of the database: a source's counter is created the first
 * time the process sees the source, seeded from the last number committed for it, and never reset (not on
 * reconnect, not on route reload: this object lives in the registry, outside the routes).
 * <p>
 * The seed is {@code connector_status.last_message_number} (the loader advances it in the same transaction as the
 * rows), or 0 when there is no status row. Because the status row can be missing (a source defined only in a route
 * file has no {@code api_connectors} row, and the foreign key forbids a status row without one) or created after
 * rows were written (it starts at 0), the seed is the greater of that and the source's highest stored
 * {@code message_number}: an index-only lookup on {@code (connector_id, message_number)} (V4).
 * <p>
 * Seeding blocks the calling thread, retrying with capped back-off while the database is unreachable: that is
 * back-pressure toward the source, never a guessed number. Once the application is stopping ({@link #stopping()})
 * a seed gives up instead (the frame it would number is refused, so it was never accepted: nothing accepted is lost),
 * so that a stop during an outage is not held up by a source first seen in it.
 */
public final class MessageNumbers {

    private static final Logger LOG = LoggerFactory.getLogger(MessageNumbers.class);
    static final String SEED_SQL = """
            SELECT GREATEST(
                (SELECT last_message_number FROM connector_status WHERE connector_id = ?),
                (SELECT max(message_number) FROM websocket_messages WHERE connector_id = ?),
                0)""";

    private final DataSource dataSource;
    private final ConcurrentHashMap<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Duration maxBackoff;
    private volatile boolean stopping;
    /** Seeds pause on it between attempts; {@link #stopping()} wakes them. */
    private final Object pause = new Object();

    public MessageNumbers(DataSource dataSource, Duration maxBackoff) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.maxBackoff = maxBackoff;
    }

    /** Reserves {@code count} consecutive numbers for the source and returns the first. */
    public long reserve(String source, int count) {
        AtomicLong counter = counters.get(source);
        if (counter == null) {
            // computeIfAbsent holds only this key's bin while seeding: other sources are not blocked
            counter = counters.computeIfAbsent(source, s -> new AtomicLong(seed(s)));
        }
        return counter.getAndAdd(count) + 1;
    }

    /** The application is stopping: seeds waiting for the database give up (see the class comment). */
    public void stopping() {
        synchronized (pause) {
            stopping = true;
            pause.notifyAll();
        }
    }

    /** The last number handed out for the source (0 when never seen by this process). */
    public long last(String source) {
        AtomicLong counter = counters.get(source);
        return counter == null ? 0 : counter.get();
    }

    long seed(String source) {
        long backoffMs = 100;
        long nextLog = 0;
        while (true) {
            try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SEED_SQL)) {
                ps.setString(1, source);
                ps.setString(2, source);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long seed = rs.getLong(1);
                    LOG.info("Source {}: message numbers continue after {}", source, seed);
                    return seed;
                }
            } catch (SQLException e) {
                if (stopping) {
                    throw unknownWhileStopping(source, e);
                }
                long now = System.nanoTime();
                if (now >= nextLog) {
                    LOG.warn("Source {}: cannot read its last message number ({}); holding its messages and retrying",
                            source, e.getMessage());
                    nextLog = now + Duration.ofSeconds(10).toNanos();
                }
                try {
                    synchronized (pause) {
                        if (!stopping) {
                            pause.wait(backoffMs);
                        }
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while seeding message numbers of " + source, ie);
                }
                if (stopping) {
                    throw unknownWhileStopping(source, e);
                }
                backoffMs = Math.min(backoffMs * 2, maxBackoff.toMillis());
            }
        }
    }

    private static IllegalStateException unknownWhileStopping(String source, SQLException e) {
        return new IllegalStateException("Stopping: the last message number of source " + source + " is unknown ("
                + e.getMessage() + "); its frame is not accepted", e);
    }
}
