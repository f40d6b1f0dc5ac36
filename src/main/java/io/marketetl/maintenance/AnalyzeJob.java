package io.marketetl.maintenance;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ANALYZE of the busy append-only tables, so that the planner's statistics know the newest timestamps (autovacuum
 * analyzes a large table only after a fraction of it has changed, which on a big table can take days, and queries of
 * the last hour then get plans for an empty range). One table per statement; ANALYZE takes a lock that does not
 * conflict with inserts or deletes. Registry name {@code analyze}; market-etl/maintenance.camel.yaml calls
 * {@link #run()} on its schedule.
 */
public final class AnalyzeJob {

    /** The tables the pipeline writes continuously. */
    public static final List<String> TABLES = List.of("websocket_messages", "websocket_batches", "api_connector_data");

    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeJob.class);

    private final DataSource dataSource;
    private final MaintenanceMetrics metrics;

    public AnalyzeJob(DataSource dataSource, MaintenanceMetrics metrics) {
        this.dataSource = dataSource;
        this.metrics = metrics;
    }

    /** @return true when every table was analyzed */
    public synchronized boolean run() {
        long start = System.nanoTime();
        int done = 0;
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(true);
            for (String table : TABLES) {
                s.execute("ANALYZE " + table);
                done++;
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            metrics.analyzeRun(true, took);
            LOG.info("ANALYZE: {} analyzed in {} ms", String.join(", ", TABLES), took.toMillis());
            return true;
        } catch (SQLException e) {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            metrics.analyzeRun(false, took);
            LOG.warn("ANALYZE: failed after {} of {} tables in {} ms: {}; the next run tries again", done,
                    TABLES.size(), took.toMillis(), e.getMessage());
            return false;
        }
    }
}
