package io.marketetl.deadletter;

import io.marketetl.pipeline.PipelineMetrics;
import io.micrometer.core.instrument.Counter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of {@code dead_letters} (V8; registry name {@code deadLetters}): what the pipeline could not store
 * as market data, verbatim, with its kind and reason, instead of a log line. Each letter is counted in
 * {@code market_etl_dead_letters_total{source,reason}} (reason: the reason's part before the first {@code :}, so the
 * tag has few values). Retention: the insert statement also deletes the letters more than {@code maxRows} ids older
 * than the new one, so the table never holds more than {@code maxRows} rows.
 */
public final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final Duration FIRST_RETRY = Duration.ofMillis(200);
    private static final int REASON_CHARS = 200;
    private static final int TAG_CHARS = 40;

    /** The kinds of dead letter ({@code dead_letters.kind}). */
    public enum Kind {
        /** A WebSocket frame that could not be normalised. */
        MALFORMED_FRAME("malformed_frame"),
        /** An HTTP connector's answer that could not be extracted. */
        HTTP_BODY("http_body"),
        /** A frame over the size limit (its first characters). */
        OVERSIZE_FRAME("oversize_frame"),
        /** A row PostgreSQL refused (SQLSTATE class 22, 23 or 54). */
        REFUSED_ROW("refused_row"),
        /** A load spool record whose checksum failed or whose bytes are not a batch (payload in Base64). */
        SPOOL_CORRUPT("spool_corrupt");

        private final String column;

        Kind(String column) {
            this.column = column;
        }

        /** The value stored in dead_letters.kind. */
        public String column() {
            return column;
        }
    }

    static final String INSERT_SQL = "WITH added AS (INSERT INTO dead_letters (connector_id, received_at, kind, reason,"
            + " payload) VALUES (?, ?, ?, ?, ?) RETURNING id) DELETE FROM dead_letters WHERE id <= (SELECT id FROM added) - ?";

    private final DataSource dataSource;
    private final long maxRows;
    private final Duration maxRetryDelay;
    private final PipelineMetrics metrics;

    /**
     * @param maxRows       most letters kept (older ones are deleted as new ones arrive)
     * @param maxRetryDelay longest pause between attempts of {@link #keep} while the database is away
     */
    public DeadLetters(DataSource dataSource, long maxRows, Duration maxRetryDelay, PipelineMetrics metrics) {
        if (maxRows < 1) {
            throw new IllegalArgumentException("MARKET_ETL_DEAD_LETTERS_MAX_ROWS must be at least 1, got " + maxRows);
        }
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.maxRows = maxRows;
        this.maxRetryDelay = maxRetryDelay;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** Stores one letter now, in its own transaction; throws if the database could not take it. */
    public void store(String sourceId, Kind kind, String reason, String payload, Instant receivedAt)
            throws SQLException {
        String source = sourceId == null ? "unknown" : sourceId;
        String why = reason == null || reason.isEmpty() ? "unknown" : reason;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT_SQL)) {
            ps.setString(1, source.length() > 100 ? source.substring(0, 100) : source);
            ps.setTimestamp(2, Timestamp.from(receivedAt));
            ps.setString(3, kind.column());
            ps.setString(4, clean(why.length() > REASON_CHARS ? why.substring(0, REASON_CHARS) : why));
            ps.setString(5, clean(payload == null ? "" : payload));
            ps.setLong(6, maxRows);
            ps.executeUpdate();
        }
        Counter.builder("market_etl_dead_letters")
                .description("Frames, HTTP bodies and rows kept in dead_letters instead of being stored as market data")
                .tag("source", source)
                .tag("reason", tag(why))
                .register(metrics.registry()).increment();
    }

    /**
     * Stores one letter, retrying with capped back-off while the database is away: the caller's source waits
     * (back-pressure) rather than losing the letter.
     */
    public void keep(String sourceId, Kind kind, String reason, String payload, Instant receivedAt)
            throws InterruptedException {
        Duration delay = FIRST_RETRY;
        while (true) {
            try {
                store(sourceId, kind, reason, payload, receivedAt);
                return;
            } catch (SQLException e) {
                LOG.warn("Could not keep a dead letter of {} ({}); retrying in {} ms", sourceId, e.getMessage(),
                        delay.toMillis());
                Thread.sleep(delay.toMillis());
                delay = delay.multipliedBy(2).compareTo(maxRetryDelay) > 0 ? maxRetryDelay : delay.multipliedBy(2);
            }
        }
    }

    /** The counter's reason tag: the reason up to its first colon (e.g. missing_field, sqlstate_22P02). */
    static String tag(String reason) {
        int colon = reason.indexOf(':');
        String t = colon < 0 ? reason : reason.substring(0, colon);
        return t.length() > TAG_CHARS ? t.substring(0, TAG_CHARS) : t;
    }

    /** TEXT cannot hold NUL. */
    private static String clean(String s) {
        return s.indexOf('\0') < 0 ? s : s.replace('\0', '\uFFFD');
    }
}
