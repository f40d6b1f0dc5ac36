package io.marketetl.stamp;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message counter per source, monotonic for the life of the database: a source's counter is created the first
 * time the process sees the source, seeded from the last number handed out for it, and never reset (not on
 * reconnect, not on route reload: this object lives in the registry, outside the routes).
 * <p>
 * The seed is the greatest of {@code connector_status.last_message_number} (the loader advances it in the same
 * transaction as the rows), the source's highest stored {@code message_number} (an index lookup on
 * {@code (connector_id, message_number)}, V4: the status row can be missing, or created after rows were written) and
 * the highest number in the batches an earlier run left in the load spool ({@link #seedAll}: not in the database
 * until the replay has written them, and a source may send again before that).
 * <p>
 * {@link #seedAll} learns all of that once, at start, before any source sends, while the database is reachable (the
 * start waits for it anyway): every source the database or the spool knows gets its counter then, and a source it
 * does not know has never been numbered, so it starts at 1. From then on no seed needs the database: a source first
 * seen during an outage is numbered at once and keeps being read (its batches go to the spool). This holds because
 * only this process numbers these sources while it runs (one process per database and spool, as before).
 * <p>
 * Only if that start-up reading failed does a new source's seed query the database (with the spool's numbers as a
 * floor), blocking the calling thread and retrying with capped back-off while the database is unreachable: that is
 * back-pressure toward the source, never a guessed number. Once the application is stopping ({@link #stopping()})
 * such a seed gives up instead (the frame it would number is refused, so it was never accepted: nothing accepted is
 * lost), so that a stop during an outage is not held up by it.
 */
public final class MessageNumbers {

    private static final Logger LOG = LoggerFactory.getLogger(MessageNumbers.class);
    static final String SEED_SQL = """
            SELECT GREATEST(
                (SELECT last_message_number FROM connector_status WHERE connector_id = ?),
                (SELECT max(message_number) FROM websocket_messages WHERE connector_id = ?),
                0)""";

    private final DataSource dataSource;
    /** Every source's highest stored number (skip scan of the V4 index) and connector_status' progress. */
    static final String ALL_SOURCES_SQL = """
            WITH RECURSIVE ids(connector_id) AS (
                SELECT min(connector_id) FROM websocket_messages
                UNION ALL
                SELECT (SELECT min(connector_id) FROM websocket_messages WHERE connector_id > ids.connector_id)
                FROM ids WHERE ids.connector_id IS NOT NULL)
            SELECT connector_id,
                (SELECT max(message_number) FROM websocket_messages w WHERE w.connector_id = ids.connector_id)
            FROM ids WHERE connector_id IS NOT NULL
            UNION ALL
            SELECT connector_id, last_message_number FROM connector_status WHERE last_message_number IS NOT NULL""";

    private final ConcurrentHashMap<String, AtomicLong> counters = new ConcurrentHashMap<>();
    /** The spool's highest numbers per source: a floor for a seed from the database. */
    private volatile Map<String, Long> spooled = Map.of();
    /** {@link #seedAll} read every source's last number: a source without a counter has never been numbered. */
    private volatile boolean allKnown;
    private final Duration maxBackoff;
    private volatile boolean stopping;
    /** Seeds pause on it between attempts; {@link #stopping()} wakes them. */
    private final Object pause = new Object();

    public MessageNumbers(DataSource dataSource, Duration maxBackoff) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.maxBackoff = maxBackoff;
    }

    /**
     * Seeds every source the database knows, and the sources of the batches waiting in the spool ({@code spooled}:
     * source to its highest number there), before any source sends (see the class comment). Returns false, with
     * one WARN line, if the database could not be read: seeds then query it per source as they come.
     */
    public boolean seedAll(Map<String, Long> spooledNumbers) {
        this.spooled = Map.copyOf(spooledNumbers);
        Map<String, Long> last = new HashMap<>(spooledNumbers);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(ALL_SOURCES_SQL);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                last.merge(rs.getString(1), rs.getLong(2), Math::max);
            }
        } catch (SQLException e) {
            LOG.warn("Cannot read the sources' last message numbers at start ({}); each source's is read when it first"
                    + " sends", e.getMessage());
            return false;
        }
        last.forEach((source, n) -> counters.computeIfAbsent(source, s -> new AtomicLong(n)));
        allKnown = true;
        LOG.info("Message numbers: {} source(s) known ({} with batches in the spool); a new source starts at 1",
                last.size(), spooledNumbers.size());
        return true;
    }

    /** Reserves {@code count} consecutive numbers for the source and returns the first. */
    public long reserve(String source, int count) {
        AtomicLong counter = counters.get(source);
        if (counter == null) {
            // computeIfAbsent holds only this key's bin while seeding: other sources are not blocked
            counter = counters.computeIfAbsent(source, s -> new AtomicLong(allKnown ? 0 : seed(s)));
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
                    long seed = Math.max(rs.getLong(1), spooled.getOrDefault(source, 0L));
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
