package io.marketetl.load;

import java.util.List;
import java.util.Map;

/**
 * The loader's bookkeeping for one batch, kept on the batch itself so that it survives Camel's redeliveries of the
 * same exchange: the encoded rows, how far the batch got, the transaction whose commit is in doubt, and the timings
 * of the write that succeeded.
 */
public final class LoadState {

    final BatchFacts facts;
    final List<Row> rows;
    final String writer;
    /** Rows [0, doneUpTo) are committed or rejected. */
    int doneUpTo;
    /** After the database refused the batch's data: write one row per transaction to find the bad ones. */
    boolean isolating;
    int rejected;
    /** Rows the insert skipped because their natural key was already stored (V8). */
    int duplicates;
    /** Calls of the loader for this batch: 1 unless a write failed and was retried. */
    int attempts;
    InDoubt inDoubt;
    long firstAttemptNanos;
    long committedNanos;
    long stageNanos;
    long insertNanos;
    long statusNanos;
    long commitNanos;
    boolean finished;
    /** The live loader is done with the batch: committed (and accounted for) or handed to the spool. */
    boolean handedOn;
    /** Batches in the transaction that wrote this one's last rows (1 unless written in a group, see LoadUnit). */
    int groupBatches = 1;
    /** The websocket_batches row is committed (with the batch's last rows, or alone if those were all refused). */
    boolean batchRowWritten;
    /** The parameters of that row, for the route's steps after the commit. */
    Map<String, Object> batchRow;

    /** A transaction whose COMMIT was sent but whose outcome the connection did not report. */
    record InDoubt(long xid, int backendPid, int from, int to, long loadMicros, long stageNanos, long insertNanos,
            long statusNanos, boolean withBatchRow, java.util.Set<Long> duplicateNumbers) {
    }

    /** A batch not yet written (or written again from the spool: rows and facts are all it needs). */
    public LoadState(BatchFacts facts, List<Row> rows, String writer) {
        this.facts = facts;
        this.rows = rows;
        this.writer = writer;
    }

    public BatchFacts facts() { return facts; }
    public List<Row> rows() { return rows; }
    public String writer() { return writer; }
    public int rejected() { return rejected; }
    /** Rows skipped as duplicates of stored trades: not stored, their message numbers are gaps in the batch row. */
    public int duplicates() { return duplicates; }
    public int loaded() { return doneUpTo - rejected - duplicates; }
    public int attempts() { return attempts; }
    /** Batches in the transaction that committed this one's last rows and batch row: 1, or the group's size. */
    public int groupBatches() { return groupBatches; }
    public boolean finished() { return finished; }
    /** The websocket_batches row's parameters once it is committed, else null. */
    public Map<String, Object> batchRow() { return batchRowWritten ? batchRow : null; }
    /** COPY (or camel-sql batch) into staging of the successful write, ns: what each row's load_time is. */
    public long stageNanos() { return stageNanos; }
    /** INSERT ... SELECT from staging into websocket_messages of the successful write, ns. */
    public long insertNanos() { return insertNanos; }
    /** UPDATE connector_status of the successful write, ns. */
    public long statusNanos() { return statusNanos; }
    /** COMMIT of the successful write, ns. */
    public long commitNanos() { return commitNanos; }
    /** From the first attempt's start to the final commit (includes failed attempts and back-off), ns. */
    public long elapsedNanos() { return committedNanos - firstAttemptNanos; }
}
