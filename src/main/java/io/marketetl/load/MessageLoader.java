package io.marketetl.load;

import io.marketetl.batch.Batch;
import io.marketetl.batch.BatchRowBuilder;
import io.marketetl.batch.MalformedCounter;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.pipeline.PipelineBacklog;
import io.marketetl.pipeline.PipelineHeaders;
import io.marketetl.pipeline.PipelineMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.support.service.ServiceSupport;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * The load stage (registry name {@code loadMessages}): writes a {@link Batch} into {@code websocket_messages} in
 * one transaction, never one INSERT per message.
 * <ol>
 * <li>{@code SELECT txid_current(), pg_backend_pid()}: the transaction's id, to settle a commit in doubt later;</li>
 * <li>bulk write of the batch into the session's temporary staging table with the configured
 * {@link StagingWriter} (COPY or camel-sql batch). <b>This is what {@code load_time} measures</b>: from the start of
 * encoding the rows to the end of the bulk write, i.e. moving the batch into the database;</li>
 * <li>{@code INSERT INTO websocket_messages ... SELECT ..., load_time, extract_time + transform_time + load_time
 * FROM staging}: the rows with their measured load time (a row cannot contain the duration of the statement that
 * writes it; this is also where {@code ON CONFLICT DO NOTHING} on a natural key would go);</li>
 * <li>{@code UPDATE connector_status SET last_message_number = GREATEST(...)} for the source (no row, no-op);</li>
 * <li>{@code INSERT INTO websocket_batches} the batch's row ({@link BatchRowBuilder}), so that the messages and
 * their batch row commit together: a crash or an outage can leave neither half without the other;</li>
 * <li>COMMIT.</li>
 * </ol>
 * The durations of steps 3-5 are not in the rows; the batch row's metrics report them per batch. After the commit the
 * exchange's body is the batch row's parameters with the commit timings ({@link BatchRowBuilder#performance}), for the
 * route's connector_status.performance_metrics update.
 * <p>
 * Failures: any exception leaves the batch as it was (the transaction rolled back) and is thrown, and the route's
 * error handler redelivers the same exchange after a capped back-off, forever. If the COMMIT itself failed, its
 * outcome is unknown (the server may have committed before the connection broke); the next attempt asks the server
 * ({@code txid_status}) and only writes again if that transaction did not commit, so an outage can neither lose nor
 * duplicate rows. If the database refuses the data itself (SQLSTATE 22, 23, 54), the batch is written one row per
 * transaction and the refused rows are logged with their content, counted ({@code market_etl_rows_rejected}) and
 * skipped, so that one bad message cannot stall its source; the batch row then goes with the last row, or alone if
 * that row was refused.
 */
public final class MessageLoader extends ServiceSupport implements Processor, ShutdownAware {

    private static final Logger LOG = LoggerFactory.getLogger(MessageLoader.class);

    public static final String STAGING_TABLE = "market_etl_staging";

    static final String CREATE_STAGING = "CREATE TEMPORARY TABLE IF NOT EXISTS " + STAGING_TABLE + " ("
            + "timestamp TIMESTAMP WITH TIME ZONE NOT NULL, exchange VARCHAR(50) NOT NULL,"
            + " connector_id VARCHAR(100), instrument VARCHAR(100), price DECIMAL(20, 8), data JSONB NOT NULL,"
            + " message_type VARCHAR(50), latency_ms DECIMAL(10, 3), message_number BIGINT, format VARCHAR(50),"
            + " extract_time DECIMAL(10, 6), transform_time DECIMAL(10, 6)) ON COMMIT DELETE ROWS";

    static final String INSERT_SQL = "INSERT INTO websocket_messages (" + StagingWriter.COLUMNS
            + ", load_time, total_time) SELECT " + StagingWriter.COLUMNS
            + ", CAST(? AS DECIMAL(10, 6)), extract_time + transform_time + CAST(? AS DECIMAL(10, 6)) FROM "
            + STAGING_TABLE;

    /** The source's progress, exact because it commits with the rows: number seed, count, newest message. */
    static final String STATUS_SQL = "UPDATE connector_status SET last_message_number = GREATEST(last_message_number, ?),"
            + " message_count = COALESCE(message_count, 0) + ?,"
            + " last_message_timestamp = GREATEST(last_message_timestamp, ?), updated_at = NOW() WHERE connector_id = ?";

    /**
     * The batch row, written once even if a commit in doubt is retried (V5's unique key on the source and the
     * batch's first message number).
     */
    public static final String BATCH_ROW_SQL = "INSERT INTO websocket_batches (exchange, connector_id, total_messages,"
            + " messages_per_second, instruments, messages, metrics) VALUES (?, ?, ?, ?, CAST(? AS text[]),"
            + " CAST(? AS jsonb), CAST(? AS jsonb))"
            + " ON CONFLICT (connector_id, (CAST(metrics->>'first_message_number' AS BIGINT))) DO NOTHING";

    private static final TransactionDefinition TX = new DefaultTransactionDefinition();

    private final DataSource dataSource;
    private final StagingWriter writer;
    private final MalformedCounter malformed;
    private final PipelineBacklog backlog;
    private final PipelineMetrics metrics;
    private final DataSourceTransactionManager transactions;
    private final int networkTimeoutMs;
    private final List<BatchCommitListener> listeners = new CopyOnWriteArrayList<>();
    /** Physical connections whose session already has the staging table (committed). */
    private final Set<Object> staged = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private volatile AfterCommitHook afterCommitHook;

    public MessageLoader(DataSource dataSource, StagingWriter writer, MalformedCounter malformed,
            PipelineBacklog backlog, PipelineMetrics metrics, Duration networkTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.malformed = Objects.requireNonNull(malformed, "malformed");
        this.backlog = Objects.requireNonNull(backlog, "backlog");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.networkTimeoutMs = (int) Math.min(Integer.MAX_VALUE, networkTimeout.toMillis());
        this.transactions = new DataSourceTransactionManager(dataSource);
    }

    public StagingWriter writer() {
        return writer;
    }

    public void addListener(BatchCommitListener listener) {
        listeners.add(listener);
    }

    public void removeListener(BatchCommitListener listener) {
        listeners.remove(listener);
    }

    /** Test seam: runs right after a successful COMMIT, before the loader records it (simulates a lost reply). */
    @FunctionalInterface
    public interface AfterCommitHook {
        void afterCommit(Batch batch) throws SQLException;
    }

    public void afterCommitHook(AfterCommitHook hook) {
        this.afterCommitHook = hook;
    }

    @Override
    protected void doStart() {
        metrics.registerBacklog(backlog);
    }

    @Override
    public void process(Exchange exchange) throws Exception {
        Batch batch = exchange.getIn().getBody(Batch.class);
        load(batch);
        LoadState state = batch.load();
        exchange.getIn().setHeader(PipelineHeaders.ROWS_LOADED, state == null ? 0 : state.loaded());
        exchange.getIn().setHeader(PipelineHeaders.ROWS_REJECTED, state == null ? 0 : state.rejected());
        if (state != null && state.batchRow() != null) {
            exchange.getIn().setBody(BatchRowBuilder.performance(state.batchRow(), state));
        }
    }

    /** Writes the batch (or what is left of it after an earlier failed attempt); throws if it must be retried. */
    public void load(Batch batch) throws SQLException {
        LoadState state = batch.load();
        if (state == null) {
            List<Row> rows = new ArrayList<>(batch.size());
            for (MarketMessage m : batch.messages()) {
                rows.add(Row.of(m));
            }
            state = new LoadState(rows, writer.name());
            state.firstAttemptNanos = System.nanoTime();
            batch.load(state);
        }
        if (state.malformedFrames < 0) {
            // frames refused since the source's previous batch row: taken once, so that retries report the same
            state.malformedFrames = malformed.drain(batch.sourceId());
        }
        if (state.finished) {
            return;
        }
        state.attempts++;
        int n = state.rows.size();
        while (state.doneUpTo < n) {
            if (state.inDoubt != null) {
                settleInDoubt(batch, state);
                continue;
            }
            int from = state.doneUpTo;
            int to = state.isolating ? from + 1 : n;
            try {
                writeUnit(batch, state, from, to);
            } catch (SQLException | RuntimeException e) {
                if (state.inDoubt == null && LoadErrors.isDataError(e)) {
                    if (!state.isolating && to - from > 1) {
                        LOG.warn("Source {}: the database refused batch data ({}); writing its {} rows one by one"
                                + " to find the bad ones", batch.sourceId(), firstLine(e), to - from);
                        state.isolating = true;
                    } else {
                        reject(batch, state, from, e);
                    }
                    continue;
                }
                throw e;
            }
        }
        if (!state.batchRowWritten) {
            writeBatchRowAlone(batch, state);
        }
        state.finished = true;
        state.committedNanos = System.nanoTime();
        for (MarketMessage m : batch.messages()) {
            // the model carries the stored (rounded) load time; rejected rows keep 0
            m.setLoadSeconds(0);
        }
        for (int i = 0; i < n; i++) {
            Row r = state.rows.get(i);
            if (r.loadMicros >= 0) {
                batch.messages().get(i).setLoadSeconds(r.loadMicros / 1e6);
            }
        }
        backlog.done(n);
        if (!listeners.isEmpty()) {
            Instant now = Instant.now();
            for (BatchCommitListener l : listeners) {
                l.committed(batch, now);
            }
        }
    }

    private void writeUnit(Batch batch, LoadState state, int from, int to) throws SQLException {
        List<Row> unit = state.rows.subList(from, to);
        boolean withBatchRow = to == state.rows.size();
        TransactionStatus tx = transactions.getTransaction(TX);
        boolean committing = false;
        long xid = 0;
        int pid = 0;
        long loadMicros = 0;
        long stage = 0;
        long insert = 0;
        long status = 0;
        Object physical = null;
        try {
            Connection con = DataSourceUtils.getConnection(dataSource);
            con.setNetworkTimeout(Runnable::run, networkTimeoutMs);
            try (Statement st = con.createStatement();
                    ResultSet rs = st.executeQuery("SELECT txid_current(), pg_backend_pid()")) {
                rs.next();
                xid = rs.getLong(1);
                pid = rs.getInt(2);
            }
            physical = con.unwrap(PGConnection.class);
            if (!staged.contains(physical)) {
                try (Statement st = con.createStatement()) {
                    st.execute(CREATE_STAGING);
                }
            }
            long t0 = System.nanoTime();
            writer.stage(con, unit);
            long t1 = System.nanoTime();
            stage = t1 - t0;
            loadMicros = Row.clampMicros(Math.round(stage / 1000.0));
            String load = Row.scaled(loadMicros, 6);
            try (PreparedStatement ps = con.prepareStatement(INSERT_SQL)) {
                ps.setBigDecimal(1, new java.math.BigDecimal(load));
                ps.setBigDecimal(2, new java.math.BigDecimal(load));
                int inserted = ps.executeUpdate();
                if (inserted != unit.size()) {
                    throw new SQLException("staged " + unit.size() + " rows but inserted " + inserted, "XX000");
                }
            }
            long t2 = System.nanoTime();
            insert = t2 - t1;
            long last = 0;
            Instant newest = Instant.EPOCH;
            for (Row r : unit) {
                last = Math.max(last, r.messageNumber);
                newest = r.timestamp.isAfter(newest) ? r.timestamp : newest;
            }
            try (PreparedStatement ps = con.prepareStatement(STATUS_SQL)) {
                ps.setLong(1, last);
                ps.setLong(2, unit.size());
                ps.setTimestamp(3, java.sql.Timestamp.from(newest));
                ps.setString(4, batch.sourceId());
                ps.executeUpdate();
            }
            long t3 = System.nanoTime();
            status = t3 - t2;
            if (withBatchRow) {
                // the unit's rows are stored with this load time if the commit succeeds (reset below if not)
                for (Row r : unit) {
                    r.loadMicros = loadMicros;
                }
                insertBatchRow(con, batch, state, state.stageNanos + stage, state.insertNanos + insert,
                        state.statusNanos + status);
            }
            committing = true;
            transactions.commit(tx);
            long t4 = System.nanoTime();
            staged.add(physical);
            AfterCommitHook hook = afterCommitHook;
            if (hook != null) {
                hook.afterCommit(batch);
            }
            unitCommitted(state, unit, to, loadMicros, stage, insert, status, t4 - t3);
            state.batchRowWritten |= withBatchRow;
        } catch (SQLException | RuntimeException e) {
            if (committing) {
                state.inDoubt = new LoadState.InDoubt(xid, pid, from, to, loadMicros, stage, insert, status,
                        withBatchRow);
                LOG.warn("Source {}: COMMIT of {} rows (transaction {}) failed: {}; its outcome will be checked"
                        + " before writing again", batch.sourceId(), to - from, xid, firstLine(e));
            } else {
                for (Row r : unit) {
                    r.loadMicros = -1;
                }
                rollback(tx, e);
            }
            throw e;
        }
    }

    private void insertBatchRow(Connection con, Batch batch, LoadState state, long stageNanos, long insertNanos,
            long statusNanos) throws SQLException {
        Map<String, Object> row = BatchRowBuilder.row(batch, state.malformedFrames, stageNanos, insertNanos,
                statusNanos);
        try (PreparedStatement ps = con.prepareStatement(BATCH_ROW_SQL)) {
            ps.setString(1, (String) row.get("exchange"));
            ps.setString(2, (String) row.get("connector_id"));
            ps.setInt(3, (Integer) row.get("total_messages"));
            ps.setBigDecimal(4, (java.math.BigDecimal) row.get("messages_per_second"));
            ps.setString(5, (String) row.get("instruments"));
            ps.setString(6, (String) row.get("messages"));
            ps.setString(7, (String) row.get("metrics"));
            ps.executeUpdate();
        }
        state.batchRow = row;
    }

    /**
     * The batch row of a batch whose last row the database refused (so no transaction carried it): on its own. A
     * retry after a commit in doubt is harmless here: the insert does nothing if the row is already there.
     */
    private void writeBatchRowAlone(Batch batch, LoadState state) throws SQLException {
        TransactionStatus tx = transactions.getTransaction(TX);
        try {
            Connection con = DataSourceUtils.getConnection(dataSource);
            con.setNetworkTimeout(Runnable::run, networkTimeoutMs);
            insertBatchRow(con, batch, state, state.stageNanos, state.insertNanos, state.statusNanos);
            transactions.commit(tx);
            state.batchRowWritten = true;
        } catch (SQLException | RuntimeException e) {
            rollback(tx, e);
            throw e;
        }
    }

    private void rollback(TransactionStatus tx, Exception cause) {
        if (!tx.isCompleted()) {
            try {
                transactions.rollback(tx);
            } catch (RuntimeException rollbackFailure) {
                cause.addSuppressed(rollbackFailure);
            }
        }
    }

    private static void unitCommitted(LoadState state, List<Row> unit, int to, long loadMicros, long stage,
            long insert, long status, long commit) {
        for (Row r : unit) {
            r.loadMicros = loadMicros;
        }
        state.doneUpTo = to;
        state.stageNanos += stage;
        state.insertNanos += insert;
        state.statusNanos += status;
        state.commitNanos += commit;
    }

    /** Finds out whether the transaction whose COMMIT failed did commit, on a fresh connection. */
    private void settleInDoubt(Batch batch, LoadState state) throws SQLException {
        LoadState.InDoubt d = state.inDoubt;
        String outcome;
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT txid_status(?)")) {
            ps.setLong(1, d.xid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                outcome = rs.getString(1);
            }
            if (outcome == null) {
                outcome = rowsPresent(c, batch, state, d) ? "committed" : "aborted";
            } else if (outcome.equals("in progress")) {
                // the old session has not noticed its client is gone: end it, then ask again
                try (PreparedStatement kill = c.prepareStatement("SELECT pg_terminate_backend(pid) FROM"
                        + " pg_stat_activity WHERE pid = ? AND backend_xid IS NOT NULL"
                        + " AND backend_xid::text::bigint = ?")) {
                    kill.setInt(1, d.backendPid());
                    kill.setLong(2, d.xid() & 0xFFFF_FFFFL);
                    kill.execute();
                }
            }
        }
        switch (outcome) {
            case "committed" -> {
                LOG.info("Source {}: transaction {} did commit its {} rows; not writing them again",
                        batch.sourceId(), d.xid(), d.to() - d.from());
                state.inDoubt = null;
                unitCommitted(state, state.rows.subList(d.from(), d.to()), d.to(), d.loadMicros(), d.stageNanos(),
                        d.insertNanos(), d.statusNanos(), 0);
                state.batchRowWritten |= d.withBatchRow();
            }
            case "aborted" -> {
                LOG.info("Source {}: transaction {} did not commit; writing its {} rows again", batch.sourceId(),
                        d.xid(), d.to() - d.from());
                state.inDoubt = null;
            }
            default -> throw new SQLException("outcome of transaction " + d.xid() + " is not known yet (" + outcome
                    + ")", "40003");
        }
    }

    /** Fallback when the server no longer knows the transaction (txid_status NULL): are the rows there? */
    private static boolean rowsPresent(Connection c, Batch batch, LoadState state, LoadState.InDoubt d)
            throws SQLException {
        Long[] numbers = new Long[d.to() - d.from()];
        for (int i = d.from(); i < d.to(); i++) {
            numbers[i - d.from()] = state.rows.get(i).messageNumber;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM websocket_messages"
                + " WHERE connector_id = ? AND message_number = ANY(?)")) {
            ps.setString(1, batch.sourceId());
            ps.setArray(2, c.createArrayOf("bigint", numbers));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    private void reject(Batch batch, LoadState state, int index, Exception cause) {
        Row r = state.rows.get(index);
        String data = r.data.length() > 2000 ? r.data.substring(0, 2000) + "..." : r.data;
        LOG.error("Source {}: the database refused message #{} ({}); it is skipped. Row: exchange={} instrument={}"
                + " price={} type={} timestamp={} data={}", batch.sourceId(), r.messageNumber, firstLine(cause),
                r.exchange, r.instrument, r.price, r.messageType, r.timestamp, data);
        r.loadMicros = -1;
        state.rejected++;
        state.doneUpTo = index + 1;
        metrics.rowsRejected(batch.sourceId(), 1);
    }

    private static String firstLine(Throwable e) {
        SQLException sql = LoadErrors.findSqlException(e);
        String msg = sql != null ? sql.getMessage() + " [" + sql.getSQLState() + "]" : String.valueOf(e);
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    // graceful shutdown and route reload wait until every accepted message is committed (or the timeout forces)

    @Override
    public boolean deferShutdown(ShutdownRunningTask shutdownRunningTask) {
        return false;
    }

    @Override
    public int getPendingExchangesSize() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, backlog.messages()));
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        if (forced && backlog.messages() > 0) {
            LOG.error("Forced shutdown with {} accepted messages not yet in the database: they are lost",
                    backlog.messages());
        }
    }

}
