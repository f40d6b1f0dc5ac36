package io.marketetl.load;

import io.marketetl.batch.BatchRowBuilder;
import io.marketetl.deadletter.DeadLetters;
import io.marketetl.pipeline.PipelineMetrics;
import java.io.IOException;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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

    /** SQLSTATE of a unique violation: the plain insert met a stored trade (see {@link #insert}). */
    private static final String UNIQUE_VIOLATION = "23505";
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
    /** Per target, whether the next insert of trades tries the plain INSERT first. */
    private final Map<LoadTarget, PlainInsertFirst> plainFirst = new java.util.EnumMap<>(LoadTarget.class);
    private volatile AfterCommitHook afterCommitHook;
    private volatile boolean withoutNaturalKey;

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
            plainFirst.put(t, new PlainInsertFirst());
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
     * Benchmark only, never set by the application: insert with {@link LoadTarget#plainInsertSql()} only, without the
     * savepoint, i.e. the load path without natural-key dedup, for bench/run's same-run comparison (issue #11 item 8).
     * The caller must drop the natural-key indexes first, or a repeated trade fails the batch.
     */
    public void benchmarkWithoutNaturalKey(boolean on) {
        this.withoutNaturalKey = on;
    }

    /** Runs inside a grouped transaction after its writes, right before its COMMIT. */
    @FunctionalInterface
    public interface BeforeCommit {
        /** @param xid the transaction's id ({@code txid_current()}), what {@code txid_status} answers about */
        void beforeCommit(long xid, int backendPid) throws IOException;
    }

    /** Whether the batch can go into a grouped transaction: not started, or only its refused rows isolated. */
    static boolean groupable(LoadState s) {
        return !s.finished && s.inDoubt == null && !s.isolating && s.doneUpTo < s.rows.size();
    }

    /** {@link #write(List, BeforeCommit)} without a hook. */
    public void write(List<LoadState> group) throws SQLException {
        write(group, null);
    }

    /**
     * Writes several batches (of any sources, in their order) in as few transactions as possible: the batches that
     * can go together ({@link #groupable}) are written in ONE transaction, their rows through one COPY and one
     * {@code INSERT ... SELECT}, each batch keeping its own {@code websocket_batches} row and each source its
     * {@code connector_status} progress; a batch that cannot (one half written, with rows being isolated) is written
     * alone, at its place in the order. Commits in doubt (a grouped one marks every batch of the group) are settled
     * first with {@code txid_status}. When the database refuses the group's data, each batch is written on its own
     * ({@link #write(LoadState)}, which isolates the refused rows). Returns once every batch is
     * {@link LoadState#finished()}; throws if it must be called again with the same states (progress is kept on them).
     *
     * @param beforeCommit called in each grouped transaction right before its COMMIT (e.g. to record the transaction
     *                     id durably, so that a crash after the COMMIT can be settled); null for none
     */
    public void write(List<LoadState> group, BeforeCommit beforeCommit) throws SQLException {
        for (LoadState s : group) {
            if (!s.finished && s.inDoubt != null) {
                settleInDoubt(s); // writes nothing: the outcome of an earlier attempt, in order
            }
        }
        List<LoadState> run = new ArrayList<>(group.size());
        for (LoadState s : group) {
            if (s.finished) {
                continue;
            }
            if (groupable(s) && (run.isEmpty() || target(run.get(0)) == target(s))) {
                run.add(s);
                continue;
            }
            writeRun(run, beforeCommit);
            run.clear();
            if (groupable(s)) {
                run.add(s);
            } else {
                write(s);
            }
        }
        writeRun(run, beforeCommit);
    }

    private void writeRun(List<LoadState> run, BeforeCommit beforeCommit) throws SQLException {
        if (run.isEmpty()) {
            return;
        }
        try {
            writeGroup(run, beforeCommit);
        } catch (SQLException | RuntimeException e) {
            if (!LoadErrors.isDataError(e) || run.stream().anyMatch(s -> s.inDoubt != null)) {
                throw e;
            }
            LOG.warn("The database refused the data of a group of {} batches ({}); writing them one by one",
                    run.size(), firstLine(e));
            for (LoadState s : run) {
                write(s);
            }
        }
    }

    /** One transaction for the rows [doneUpTo, n) of every batch of the run, and every batch row. */
    private void writeGroup(List<LoadState> run, BeforeCommit beforeCommit) throws SQLException {
        LoadTarget target = target(run.get(0));
        int total = 0;
        for (LoadState s : run) {
            s.attempts++;
            total += s.rows.size() - s.doneUpTo;
        }
        List<Row> rows = new ArrayList<>(total);
        for (LoadState s : run) {
            rows.addAll(s.rows.subList(s.doneUpTo, s.rows.size()));
        }
        TransactionStatus tx = transactions.getTransaction(TX);
        boolean committing = false;
        Session session = null;
        Inserted ins = null;
        long status = 0;
        try {
            session = begin(target);
            Connection con = session.con();
            ins = stageAndInsert(con, target, rows);
            statusUpdates(con, run, ins.duplicates());
            long t3 = System.nanoTime();
            status = t3 - ins.end();
            if (target.hasBatchRow()) {
                insertBatchRows(con, run, ins.loadMicros(), ins.duplicates(), ins.stage(), ins.insert(), status);
            }
            if (beforeCommit != null) {
                try {
                    beforeCommit.beforeCommit(session.xid(), session.pid());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            committing = true;
            long t4 = commit(tx, session, target, run.get(0).facts);
            for (LoadState s : run) {
                int n = s.rows.size();
                unitCommitted(s, s.rows.subList(s.doneUpTo, n), n, ins.loadMicros(), dups(ins.duplicates(), s),
                        ins.stage(), ins.insert(), status, t4 - t3);
                s.batchRowWritten |= target.hasBatchRow();
                s.finished = true;
                s.committedNanos = t4;
            }
        } catch (SQLException | RuntimeException e) {
            if (committing) { // so session and ins are set
                for (LoadState s : run) {
                    s.inDoubt = new LoadState.InDoubt(session.xid(), session.pid(), s.doneUpTo, s.rows.size(),
                            ins.loadMicros(), ins.stage(), ins.insert(), status, target.hasBatchRow(),
                            dups(ins.duplicates(), s));
                }
                LOG.warn("COMMIT of a group of {} batches, {} rows (transaction {}) failed: {}; its outcome will be"
                        + " checked before writing again", run.size(), total, session.xid(), firstLine(e));
            } else {
                abandon(tx, rows, e);
            }
            throw e;
        }
    }

    /** The batch's own rows among its source's duplicates (a group may hold several batches of one source). */
    private static Set<Long> dups(Map<String, Set<Long>> duplicates, LoadState s) {
        // keyed by the rows' connector_id as stored (the source id fitted to the column: see Row)
        Set<Long> source = s.rows.isEmpty() ? Set.of() : duplicates.getOrDefault(s.rows.get(0).connectorId, Set.of());
        if (source.isEmpty()) {
            return Set.of();
        }
        Set<Long> mine = new HashSet<>();
        for (Row r : s.rows.subList(s.doneUpTo, s.rows.size())) {
            if (source.contains(r.messageNumber)) {
                mine.add(r.messageNumber);
            }
        }
        return mine;
    }

    /** Each source's progress in the group, one UPDATE per source, sent as one JDBC batch. */
    private static void statusUpdates(Connection con, List<LoadState> run, Map<String, Set<Long>> duplicates)
            throws SQLException {
        Map<String, long[]> perSource = new LinkedHashMap<>(); // last number, stored count, newest (epoch micros)
        Map<String, Instant> newest = new HashMap<>();
        for (LoadState s : run) {
            long[] p = perSource.computeIfAbsent(s.facts.sourceId(), k -> new long[2]);
            Set<Long> d = dups(duplicates, s);
            Instant latest = newest.getOrDefault(s.facts.sourceId(), Instant.EPOCH);
            for (Row r : s.rows.subList(s.doneUpTo, s.rows.size())) {
                p[0] = Math.max(p[0], r.messageNumber);
                if (d.isEmpty() || !d.contains(r.messageNumber)) {
                    p[1]++;
                }
                latest = r.timestamp.isAfter(latest) ? r.timestamp : latest;
            }
            newest.put(s.facts.sourceId(), latest);
        }
        try (PreparedStatement ps = con.prepareStatement(STATUS_SQL)) {
            for (Map.Entry<String, long[]> e : perSource.entrySet()) {
                ps.setLong(1, e.getValue()[0]);
                ps.setLong(2, e.getValue()[1]);
                ps.setTimestamp(3, java.sql.Timestamp.from(newest.get(e.getKey())));
                ps.setString(4, e.getKey());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Every batch's row in the group's transaction, sent as one JDBC batch. */
    private void insertBatchRows(Connection con, List<LoadState> run, long loadMicros,
            Map<String, Set<Long>> duplicates, long stage, long insert, long status) throws SQLException {
        try (PreparedStatement ps = con.prepareStatement(BATCH_ROW_SQL)) {
            for (LoadState s : run) {
                // the batch's rows are stored with this load time if the commit succeeds (reset if not)
                markStored(s.rows.subList(s.doneUpTo, s.rows.size()), loadMicros, dups(duplicates, s));
                s.groupBatches = run.size();
                Map<String, Object> row = BatchRowBuilder.row(s, s.stageNanos + stage, s.insertNanos + insert,
                        s.statusNanos + status);
                bindBatchRow(ps, row);
                ps.addBatch();
                s.batchRow = row;
            }
            ps.executeBatch();
        }
    }

    private static void bindBatchRow(PreparedStatement ps, Map<String, Object> row) throws SQLException {
        ps.setString(1, (String) row.get("exchange"));
        ps.setString(2, (String) row.get("connector_id"));
        ps.setInt(3, (Integer) row.get("total_messages"));
        ps.setBigDecimal(4, (BigDecimal) row.get("messages_per_second"));
        ps.setString(5, (String) row.get("instruments"));
        ps.setString(6, (String) row.get("messages"));
        ps.setString(7, (String) row.get("metrics"));
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

    static LoadTarget target(LoadState state) {
        return state.rows.isEmpty() ? LoadTarget.WEBSOCKET_MESSAGES : state.rows.get(0).target();
    }

    private void writeUnit(LoadState state, int from, int to) throws SQLException {
        List<Row> unit = state.rows.subList(from, to);
        LoadTarget target = target(state);
        boolean withBatchRow = target.hasBatchRow() && to == state.rows.size();
        TransactionStatus tx = transactions.getTransaction(TX);
        boolean committing = false;
        Session session = null;
        Inserted ins = null;
        long status = 0;
        Set<Long> duplicates = Set.of();
        try {
            session = begin(target);
            Connection con = session.con();
            ins = stageAndInsert(con, target, unit);
            if (!ins.duplicates().isEmpty()) {
                duplicates = new HashSet<>(); // one batch, one source: that source's numbers
                ins.duplicates().values().forEach(duplicates::addAll);
            }
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
            status = t3 - ins.end();
            if (withBatchRow) {
                // the unit's rows are stored with this load time if the commit succeeds (reset below if not)
                markStored(unit, ins.loadMicros(), duplicates);
                state.groupBatches = 1;
                insertBatchRow(con, state, state.stageNanos + ins.stage(), state.insertNanos + ins.insert(),
                        state.statusNanos + status);
            }
            committing = true;
            long t4 = commit(tx, session, target, state.facts);
            unitCommitted(state, unit, to, ins.loadMicros(), duplicates, ins.stage(), ins.insert(), status, t4 - t3);
            state.batchRowWritten |= withBatchRow;
        } catch (SQLException | RuntimeException e) {
            if (committing) { // so session and ins are set
                state.inDoubt = new LoadState.InDoubt(session.xid(), session.pid(), from, to, ins.loadMicros(),
                        ins.stage(), ins.insert(), status, withBatchRow, duplicates);
                LOG.warn("Source {}: COMMIT of {} rows (transaction {}) failed: {}; its outcome will be checked"
                        + " before writing again", state.facts.sourceId(), to - from, session.xid(), firstLine(e));
            } else {
                abandon(tx, unit, e);
            }
            throw e;
        }
    }

    /** The load transaction's connection: its transaction id and backend (for settling a commit in doubt). */
    private record Session(Connection con, Object physical, long xid, int pid) {
    }

    /**
     * The first steps of a load transaction (already begun on this thread): its connection with the network timeout,
     * the transaction's id and backend pid, and the session's staging table for the target, created once per physical
     * connection (it is remembered as created only after a COMMIT: see {@link #commit}).
     */
    private Session begin(LoadTarget target) throws SQLException {
        Connection con = DataSourceUtils.getConnection(dataSource);
        con.setNetworkTimeout(Runnable::run, networkTimeoutMs);
        long xid;
        int pid;
        try (Statement st = con.createStatement();
                ResultSet rs = st.executeQuery("SELECT txid_current(), pg_backend_pid()")) {
            rs.next();
            xid = rs.getLong(1);
            pid = rs.getInt(2);
        }
        Object physical = con.unwrap(PGConnection.class);
        if (!staged.get(target).contains(physical)) {
            try (Statement st = con.createStatement()) {
                st.execute(target.createStaging());
            }
        }
        return new Session(con, physical, xid, pid);
    }

    /**
     * What {@link #stageAndInsert} did: the staging and insert times (nanoseconds), the rows' load time (the staging
     * time, microseconds), per source the message numbers skipped as duplicates (empty if none), and when the insert
     * ended ({@link System#nanoTime()}, where the status update's time starts).
     */
    private record Inserted(long stage, long insert, long loadMicros, Map<String, Set<Long>> duplicates, long end) {
    }

    /**
     * Stages the rows (timed: that time is their load_time) and inserts them from the staging table with that load
     * time; the rows the insert skips must be exactly the duplicates of stored trades, else it throws.
     */
    private Inserted stageAndInsert(Connection con, LoadTarget target, List<Row> rows) throws SQLException {
        long t0 = System.nanoTime();
        writer.stage(con, target, rows);
        long t1 = System.nanoTime();
        long stage = t1 - t0;
        long loadMicros = Row.clampMicros(Math.round(stage / 1000.0));
        String load = Row.scaled(loadMicros, 6);
        Map<String, Set<Long>> duplicates = insert(con, target, new BigDecimal(load), rows);
        long t2 = System.nanoTime();
        return new Inserted(stage, t2 - t1, loadMicros, duplicates, t2);
    }

    /**
     * Inserts the staged rows with the given load time; returns, per source, the message numbers of the rows skipped
     * because their trade is already stored (empty if none). Duplicates are rare on most feeds (a reconnect's
     * overlap, a replay, a backfill that raced the stream), so a batch with trades is first inserted plainly inside a
     * savepoint: one uniqueness check per trade in the natural-key index. When that meets a stored trade (SQLSTATE
     * 23505) it is rolled back to the savepoint and inserted again with ON CONFLICT DO NOTHING, whose speculative
     * insertion checks the index a second time per row; where duplicates are common, {@link PlainInsertFirst} skips
     * the plain try for a while. A batch without trade ids (tickers) cannot conflict and goes in plainly.
     */
    private Map<String, Set<Long>> insert(Connection con, LoadTarget target, BigDecimal load, List<Row> rows)
            throws SQLException {
        if (withoutNaturalKey || !hasTradeIds(rows)) {
            expectAllInserted(insert(con, target.plainInsertSql(), load), rows);
            return Map.of();
        }
        PlainInsertFirst odds = plainFirst.get(target);
        if (odds.tryPlain()) {
            Savepoint before = con.setSavepoint();
            try {
                int inserted = insert(con, target.plainInsertSql(), load);
                // the rest of the transaction (status, batch rows) runs in the transaction itself again
                con.releaseSavepoint(before);
                odds.inserted(false);
                expectAllInserted(inserted, rows);
                return Map.of();
            } catch (SQLException e) {
                if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    throw e;
                }
                con.rollback(before);
            }
        }
        Map<String, Set<Long>> duplicates = insertSkippingStored(con, target, load, rows);
        odds.inserted(!duplicates.isEmpty());
        return duplicates;
    }

    private static int insert(Connection con, String sql, BigDecimal load) throws SQLException {
        try (PreparedStatement ps = con.prepareStatement(sql)) {
            ps.setBigDecimal(1, load);
            ps.setBigDecimal(2, load);
            return ps.executeUpdate();
        }
    }

    private static void expectAllInserted(int inserted, List<Row> rows) throws SQLException {
        if (inserted != rows.size()) {
            throw new SQLException("staged " + rows.size() + " rows but inserted " + inserted, "XX000");
        }
    }

    /**
     * The ON CONFLICT insert; the rows it skipped are the staged rows it does not return. (Asking the table afterwards
     * which staged trades were stored by others is a join whose plan, on a temporary table without statistics,
     * turns into a scan of the whole table once a group stages thousands of rows.) ON CONFLICT on the natural key
     * skips only a row whose trade is stored (any other unique violation still fails the insert), and that row has a
     * trade id, else the insert is not what it seems and the transaction fails.
     */
    private static Map<String, Set<Long>> insertSkippingStored(Connection con, LoadTarget target, BigDecimal load,
            List<Row> rows) throws SQLException {
        Map<String, Set<Long>> stored = new HashMap<>();
        int inserted = 0;
        try (PreparedStatement ps = con.prepareStatement(target.insertReturningSql())) {
            ps.setBigDecimal(1, load);
            ps.setBigDecimal(2, load);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.computeIfAbsent(rs.getString(1), k -> new HashSet<>()).add(rs.getLong(2));
                    inserted++;
                }
            }
        }
        if (inserted == rows.size()) {
            return Map.of();
        }
        Map<String, Set<Long>> skipped = new HashMap<>();
        for (Row r : rows) {
            Set<Long> numbers = stored.get(r.connectorId);
            if (numbers == null || !numbers.contains(r.messageNumber)) {
                if (r.tradeId == null) {
                    throw new SQLException("the insert skipped a row without a trade id (source " + r.connectorId
                            + ", message " + r.messageNumber + ")", "XX000");
                }
                skipped.computeIfAbsent(r.connectorId, k -> new HashSet<>()).add(r.messageNumber);
            }
        }
        return skipped;
    }

    private static boolean hasTradeIds(List<Row> rows) {
        for (Row r : rows) {
            if (r.tradeId != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * COMMITs the load transaction, then remembers that the session has its staging table and runs the test hook;
     * returns when the COMMIT returned ({@link System#nanoTime()}). The caller counts a failure here as a commit in
     * doubt.
     */
    private long commit(TransactionStatus tx, Session session, LoadTarget target, BatchFacts facts)
            throws SQLException {
        transactions.commit(tx);
        long committed = System.nanoTime();
        staged.get(target).add(session.physical());
        AfterCommitHook hook = afterCommitHook;
        if (hook != null) {
            hook.afterCommit(facts);
        }
        return committed;
    }

    /** A load transaction that failed before its COMMIT: its rows back to not stored, then the rollback. */
    private void abandon(TransactionStatus tx, List<Row> rows, Exception cause) {
        for (Row r : rows) {
            r.loadMicros = -1;
            r.duplicate = false;
        }
        rollback(tx, cause);
    }

    private void insertBatchRow(Connection con, LoadState state, long stageNanos, long insertNanos,
            long statusNanos) throws SQLException {
        Map<String, Object> row = BatchRowBuilder.row(state, stageNanos, insertNanos, statusNanos);
        try (PreparedStatement ps = con.prepareStatement(BATCH_ROW_SQL)) {
            bindBatchRow(ps, row);
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

    /** Per source, the message numbers of the staged rows that the insert skipped as duplicates of stored trades. */
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
