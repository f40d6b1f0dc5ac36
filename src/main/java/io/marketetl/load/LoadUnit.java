package io.marketetl.load;

import io.marketetl.batch.BatchRowBuilder;
import io.marketetl.deadletter.DeadLetters;
import io.marketetl.pipeline.PipelineMetrics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.WeakHashMap;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.TransactionStatus;
import org.springframework.transaction.support.DefaultTransactionDefinition;

/**
 * The load transaction, without a Camel exchange: writes a batch's rows and its {@code websocket_batches} row in one
 * transaction, settles a commit in doubt, and keeps the rows the database refuses in {@code dead_letters}. Its input
 * is a {@link LoadState}: rows already fitted for the table and the batch's {@link BatchFacts}, so the live path
 * ({@link MessageLoader}) and the replay of a spooled batch call the same code. Steps and failure handling: see
 * {@link MessageLoader}. One unit serves every writer thread (the transaction is bound to the calling thread).
 */
public final class LoadUnit {

    private static final Logger LOG = LoggerFactory.getLogger(LoadUnit.class);

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
    private final DeadLetters deadLetters;
    private final PipelineMetrics metrics;
    private final DataSourceTransactionManager transactions;
    private final int networkTimeoutMs;
    /** Per target, the physical connections whose session already has its staging table (committed). */
    private final Map<LoadTarget, Set<Object>> staged = new java.util.EnumMap<>(LoadTarget.class);
    private volatile AfterCommitHook afterCommitHook;

    public LoadUnit(DataSource dataSource, StagingWriter writer, DeadLetters deadLetters, PipelineMetrics metrics,
            Duration networkTimeout) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.networkTimeoutMs = (int) Math.min(Integer.MAX_VALUE, networkTimeout.toMillis());
        this.transactions = new DataSourceTransactionManager(dataSource);
        for (LoadTarget t : LoadTarget.values()) {
            staged.put(t, Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>())));
        }
    }

    public StagingWriter writer() {
        return writer;
    }

    /** Test seam: runs right after a successful COMMIT, before the unit records it (simulates a lost reply). */
    @FunctionalInterface
    public interface AfterCommitHook {
        void afterCommit(BatchFacts batch) throws SQLException;
    }

    public void afterCommitHook(AfterCommitHook hook) {
        this.afterCommitHook = hook;
    }

    /**
     * Writes the batch (or what is left of it after an earlier failed attempt); returns once every row is committed
     * or refused and the batch row committed ({@link LoadState#finished()}); throws if it must be called again.
     */
    public void write(LoadState state) throws SQLException {
        if (state.finished) {
            return;
        }
        state.attempts++;
        int n = state.rows.size();
        while (state.doneUpTo < n) {
            if (state.inDoubt != null) {
                settleInDoubt(state);
                continue;
            }
            int from = state.doneUpTo;
            int to = state.isolating ? from + 1 : n;
            try {
                writeUnit(state, from, to);
            } catch (SQLException | RuntimeException e) {
                if (state.inDoubt == null && LoadErrors.isDataError(e)) {
                    if (!state.isolating && to - from > 1) {
                        LOG.warn("Source {}: the database refused batch data ({}); writing its {} rows one by one"
                                + " to find the bad ones", state.facts.sourceId(), firstLine(e), to - from);
                        state.isolating = true;
                    } else {
                        reject(state, from, e);
                    }
                    continue;
                }
                throw e;
            }
        }
        if (!state.batchRowWritten && target(state).hasBatchRow()) {
            writeBatchRowAlone(state);
        }
        state.finished = true;
        state.committedNanos = System.nanoTime();
    }

    private static LoadTarget target(LoadState state) {
        return state.rows.isEmpty() ? LoadTarget.WEBSOCKET_MESSAGES : state.rows.get(0).target();
    }

    private void writeUnit(LoadState state, int from, int to) throws SQLException {
        List<Row> unit = state.rows.subList(from, to);
        LoadTarget target = target(state);
        boolean withBatchRow = target.hasBatchRow() && to == state.rows.size();
        TransactionStatus tx = transactions.getTransaction(TX);
        boolean committing = false;
        long xid = 0;
        int pid = 0;
        long loadMicros = 0;
        long stage = 0;
        long insert = 0;
        long status = 0;
        Object physical = null;
        Set<Long> duplicates = Set.of();
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
            if (!staged.get(target).contains(physical)) {
                try (Statement st = con.createStatement()) {
                    st.execute(target.createStaging());
                }
            }
            long t0 = System.nanoTime();
            writer.stage(con, target, unit);
            long t1 = System.nanoTime();
            stage = t1 - t0;
            loadMicros = Row.clampMicros(Math.round(stage / 1000.0));
            String load = Row.scaled(loadMicros, 6);
            try (PreparedStatement ps = con.prepareStatement(target.insertSql())) {
                ps.setBigDecimal(1, new java.math.BigDecimal(load));
                ps.setBigDecimal(2, new java.math.BigDecimal(load));
                int inserted = ps.executeUpdate();
                if (inserted != unit.size()) {
                    duplicates = duplicates(con, target);
                    if (inserted + duplicates.size() != unit.size()) {
                        throw new SQLException("staged " + unit.size() + " rows but inserted " + inserted + " and "
                                + duplicates.size() + " were duplicates", "XX000");
                    }
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
                ps.setLong(2, unit.size() - duplicates.size());
                ps.setTimestamp(3, java.sql.Timestamp.from(newest));
                ps.setString(4, state.facts.sourceId());
                ps.executeUpdate();
            }
            long t3 = System.nanoTime();
            status = t3 - t2;
            if (withBatchRow) {
                // the unit's rows are stored with this load time if the commit succeeds (reset below if not)
                markStored(unit, loadMicros, duplicates);
                insertBatchRow(con, state, state.stageNanos + stage, state.insertNanos + insert,
                        state.statusNanos + status);
            }
            committing = true;
            transactions.commit(tx);
            long t4 = System.nanoTime();
            staged.get(target).add(physical);
            AfterCommitHook hook = afterCommitHook;
            if (hook != null) {
                hook.afterCommit(state.facts);
            }
            unitCommitted(state, unit, to, loadMicros, duplicates, stage, insert, status, t4 - t3);
            state.batchRowWritten |= withBatchRow;
        } catch (SQLException | RuntimeException e) {
            if (committing) {
                state.inDoubt = new LoadState.InDoubt(xid, pid, from, to, loadMicros, stage, insert, status,
                        withBatchRow, duplicates);
                LOG.warn("Source {}: COMMIT of {} rows (transaction {}) failed: {}; its outcome will be checked"
                        + " before writing again", state.facts.sourceId(), to - from, xid, firstLine(e));
            } else {
                for (Row r : unit) {
                    r.loadMicros = -1;
                    r.duplicate = false;
                }
                rollback(tx, e);
            }
            throw e;
        }
    }

    private void insertBatchRow(Connection con, LoadState state, long stageNanos, long insertNanos,
            long statusNanos) throws SQLException {
        Map<String, Object> row = BatchRowBuilder.row(state, stageNanos, insertNanos, statusNanos);
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
    private void writeBatchRowAlone(LoadState state) throws SQLException {
        TransactionStatus tx = transactions.getTransaction(TX);
        try {
            Connection con = DataSourceUtils.getConnection(dataSource);
            con.setNetworkTimeout(Runnable::run, networkTimeoutMs);
            insertBatchRow(con, state, state.stageNanos, state.insertNanos, state.statusNanos);
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

    /** The message numbers of the staged rows that the insert skipped as duplicates of stored trades. */
    private static Set<Long> duplicates(Connection con, LoadTarget target) throws SQLException {
        Set<Long> numbers = new java.util.HashSet<>();
        try (Statement st = con.createStatement(); ResultSet rs = st.executeQuery(target.duplicatesSql())) {
            while (rs.next()) {
                numbers.add(rs.getLong(1));
            }
        }
        return numbers;
    }

    /** The unit's rows as the commit leaves them: stored with this load time, or skipped as duplicates. */
    private static void markStored(List<Row> unit, long loadMicros, Set<Long> duplicates) {
        for (Row r : unit) {
            boolean duplicate = !duplicates.isEmpty() && duplicates.contains(r.messageNumber);
            r.duplicate = duplicate;
            r.loadMicros = duplicate ? -1 : loadMicros;
        }
    }

    private void unitCommitted(LoadState state, List<Row> unit, int to, long loadMicros,
            Set<Long> duplicates, long stage, long insert, long status, long commit) {
        markStored(unit, loadMicros, duplicates);
        if (!duplicates.isEmpty()) {
            state.duplicates += duplicates.size();
            LOG.info("Source {}: {} trade(s) of the batch were already stored; skipped", state.facts.sourceId(),
                    duplicates.size());
            io.micrometer.core.instrument.Counter.builder("market_etl_rows_duplicate")
                    .description("Messages skipped because their trade is already stored (natural key)")
                    .tag("source", String.valueOf(state.facts.sourceId()))
                    .register(metrics.registry()).increment(duplicates.size());
        }
        state.doneUpTo = to;
        state.stageNanos += stage;
        state.insertNanos += insert;
        state.statusNanos += status;
        state.commitNanos += commit;
    }

    /** Finds out whether the transaction whose COMMIT failed did commit, on a fresh connection. */
    private void settleInDoubt(LoadState state) throws SQLException {
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
                outcome = rowsPresent(c, state, d) ? "committed" : "aborted";
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
                        state.facts.sourceId(), d.xid(), d.to() - d.from());
                state.inDoubt = null;
                unitCommitted(state, state.rows.subList(d.from(), d.to()), d.to(), d.loadMicros(),
                        d.duplicateNumbers(), d.stageNanos(), d.insertNanos(), d.statusNanos(), 0);
                state.batchRowWritten |= d.withBatchRow();
            }
            case "aborted" -> {
                LOG.info("Source {}: transaction {} did not commit; writing its {} rows again", state.facts.sourceId(),
                        d.xid(), d.to() - d.from());
                state.inDoubt = null;
            }
            default -> throw new SQLException("outcome of transaction " + d.xid() + " is not known yet (" + outcome
                    + ")", "40003");
        }
    }

    /** Fallback when the server no longer knows the transaction (txid_status NULL): are the rows there? */
    private static boolean rowsPresent(Connection c, LoadState state, LoadState.InDoubt d)
            throws SQLException {
        Long[] numbers = new Long[d.to() - d.from()];
        for (int i = d.from(); i < d.to(); i++) {
            numbers[i - d.from()] = state.rows.get(i).messageNumber;
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + target(state).table()
                + " WHERE connector_id = ? AND message_number = ANY(?)")) {
            ps.setString(1, state.facts.sourceId());
            ps.setArray(2, c.createArrayOf("bigint", numbers));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    /**
     * A row the database refused: kept in dead_letters (its own transaction; if that fails the batch is retried from
     * this row), then skipped.
     */
    private void reject(LoadState state, int index, Exception cause) throws SQLException {
        Row r = state.rows.get(index);
        SQLException sql = LoadErrors.findSqlException(cause);
        String reason = "sqlstate_" + (sql == null ? "unknown" : sql.getSQLState()) + ": message #" + r.messageNumber
                + " " + r.exchange + " " + r.instrument + " " + r.messageType + ": " + firstLine(cause);
        deadLetters.store(state.facts.sourceId(), DeadLetters.Kind.REFUSED_ROW, reason, r.data,
                r.receivedAt);
        LOG.error("Source {}: the database refused message #{} ({}); it is kept in dead_letters and skipped",
                state.facts.sourceId(), r.messageNumber, firstLine(cause));
        r.loadMicros = -1;
        state.rejected++;
        state.doneUpTo = index + 1;
        metrics.rowsRejected(state.facts.sourceId(), 1);
    }

    private static String firstLine(Throwable e) {
        SQLException sql = LoadErrors.findSqlException(e);
        String msg = sql != null ? sql.getMessage() + " [" + sql.getSQLState() + "]" : String.valueOf(e);
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

}
