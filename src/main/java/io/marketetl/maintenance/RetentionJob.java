package io.marketetl.maintenance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the rows older than their table's age limit, oldest first, in chunks of at most
 * {@link RetentionPolicy#chunkRows()} rows. Each chunk is one DELETE in its own short transaction (autocommit), found
 * through the table's time index: no lock is held between chunks, and the pipeline's inserts (which touch only new
 * rows) never wait for it. Stops between chunks when asked to (the application is stopping). Registry name
 * {@code retention}; market-etl/maintenance.camel.yaml calls {@link #run()} on its schedule.
 */
public final class RetentionJob {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    private final DataSource dataSource;
    private final RetentionPolicy policy;
    private final MaintenanceMetrics metrics;
    private final Clock clock;
    private final BooleanSupplier keepGoing;

    public RetentionJob(DataSource dataSource, RetentionPolicy policy, MaintenanceMetrics metrics, Clock clock,
            BooleanSupplier keepGoing) {
        this.dataSource = dataSource;
        this.policy = policy;
        this.metrics = metrics;
        this.clock = clock;
        this.keepGoing = keepGoing;
    }

    public RetentionPolicy policy() {
        return policy;
    }

    /**
     * One run: every table with an age limit, cutoffs taken once at the start. Nothing at all when retention is off.
     * A database failure ends the run (logged once; the next run continues where this one stopped).
     *
     * @return rows deleted per table in this run
     */
    public synchronized Map<RetentionTable, Long> run() {
        Map<RetentionTable, Long> deleted = new EnumMap<>(RetentionTable.class);
        if (policy.off()) {
            return deleted;
        }
        Instant now = clock.instant();
        long start = System.nanoTime();
        try {
            for (Map.Entry<RetentionTable, Duration> e : policy.ages().entrySet()) {
                RetentionTable table = e.getKey();
                deleted.put(table, 0L);
                OffsetDateTime cutoff = OffsetDateTime.ofInstant(now.minus(e.getValue()), ZoneOffset.UTC);
                deleteOlder(table, cutoff, deleted);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            metrics.retentionRun(true, took);
            LOG.info("Retention: deleted {} rows in {} ms ({}){}", total(deleted), took.toMillis(), counts(deleted),
                    keepGoing.getAsBoolean() ? "" : "; stopped early: the application is stopping");
        } catch (SQLException ex) {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            metrics.retentionRun(false, took);
            LOG.warn("Retention: run failed after deleting {} rows in {} ms ({}): {}; the next run goes on",
                    total(deleted), took.toMillis(), counts(deleted), ex.getMessage());
        }
        return deleted;
    }

    private void deleteOlder(RetentionTable table, OffsetDateTime cutoff, Map<RetentionTable, Long> deleted)
            throws SQLException {
        List<String> keys = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            if (table.perConnector()) {
                try (PreparedStatement s = c.prepareStatement(table.connectorsSql()); ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        keys.add(rs.getString(1));
                    }
                }
            } else {
                keys.add(null);
            }
            try (PreparedStatement s = c.prepareStatement(table.deleteChunkSql())) {
                for (String key : keys) {
                    int n;
                    do {
                        if (!keepGoing.getAsBoolean()) {
                            return;
                        }
                        int i = 1;
                        if (key != null) {
                            s.setString(i++, key);
                        }
                        s.setObject(i++, cutoff);
                        s.setInt(i, policy.chunkRows());
                        n = s.executeUpdate();
                        deleted.merge(table, (long) n, Long::sum);
                        metrics.deleted(table, n);
                    } while (n == policy.chunkRows());
                }
            }
        }
    }

    private static long total(Map<RetentionTable, Long> deleted) {
        return deleted.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String counts(Map<RetentionTable, Long> deleted) {
        StringJoiner j = new StringJoiner(", ");
        deleted.forEach((t, n) -> j.add(t.table() + " " + n));
        return j.toString();
    }
}
