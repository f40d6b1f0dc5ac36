package io.marketetl.load;

import io.marketetl.deadletter.DeadLetters;
import io.marketetl.pipeline.PipelineMetrics;
import io.marketetl.spool.Spool;
import io.marketetl.spool.SpoolFullException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load stage's outage buffer: batches the database could not take within {@code market-etl.spool.after-ms} go to
 * the {@link Spool} (as {@link SpooledBatchCodec} bytes: fitted rows, batch facts, write progress), and a replayer
 * thread writes them with the same {@link LoadUnit} in the order they were spooled, up to
 * {@code market-etl.spool.replay-group-batches} per transaction, acknowledging each group once its transaction has
 * committed (a kill -9 in between is settled on the next start: see {@link #replay()}). While the spool holds anything, new batches are spooled too ({@link #spooling()}), so a
 * source's batches reach the database in order and the replay is never overtaken; natural keys and the batch row's
 * unique key would make the other order correct as well.
 * <p>
 * The replayer probes: a failed write is tried again on the same batch (its progress kept, so a commit in doubt is
 * settled, not repeated) every {@code market-etl.spool.probe-ms}. A record whose checksum fails, or whose bytes are
 * not a spooled batch, goes to dead_letters (kind {@code spool_corrupt}, payload in Base64) and the replay goes on.
 * A full spool refuses the batch ({@link SpoolFullException}): the load route retries it, so the batcher and then the
 * sources wait (back-pressure, as without a spool), {@link #full()} turns readiness DOWN and one ERROR line per
 * episode (until the spool has drained) says so.
 * Metrics: {@code market_etl_spool_depth} (batches in the spool), {@code market_etl_spool_bytes},
 * {@code market_etl_spool_replayed_rows_total}.
 */
public final class BatchSpool extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(BatchSpool.class);

    private final Spool spool;
    private final LoadUnit unit;
    private final DeadLetters deadLetters;
    private final PipelineMetrics metrics;
    private final long afterNanos;
    private final long probeMillis;
    private final int groupBatches;
    /** The replay thread's counters per source. */
    private final java.util.Map<String, Counter> replayedRows = new java.util.HashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition appended = lock.newCondition();
    private volatile boolean full;
    /**
     * The full-spool episode's ERROR line is out. An episode ends when the spool has drained, not when one append
     * fits again: while the database is away a smaller batch can fit after a larger one was refused, and clearing on
     * that would log the ERROR line again for every such batch.
     */
    private final AtomicBoolean fullReported = new AtomicBoolean();
    private volatile boolean running;
    private Thread replayer;

    public BatchSpool(Spool spool, LoadUnit unit, DeadLetters deadLetters, PipelineMetrics metrics, Duration after,
            Duration probe, int groupBatches) {
        if (groupBatches < 1) {
            throw new IllegalArgumentException("MARKET_ETL_SPOOL_REPLAY_GROUP_BATCHES must be at least 1, got "
                    + groupBatches);
        }
        this.groupBatches = groupBatches;
        this.spool = Objects.requireNonNull(spool, "spool");
        this.unit = Objects.requireNonNull(unit, "unit");
        this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.afterNanos = after.toNanos();
        this.probeMillis = Math.max(1, probe.toMillis());
    }

    /** Whether new batches go to the spool: it holds batches not yet replayed. */
    public boolean spooling() {
        return spool.depth() > 0;
    }

    /** Whether a batch that has been failing since {@code firstAttemptNanos} is due for the spool. */
    public boolean due(long firstAttemptNanos) {
        return System.nanoTime() - firstAttemptNanos >= afterNanos;
    }

    /** The last append found the spool full (readiness DOWN until an append fits again). */
    public boolean full() {
        return full && spool.depth() > 0; // an empty spool is not full (a direct write may have followed)
    }

    public long depth() {
        return spool.depth();
    }

    public long bytes() {
        return spool.bytes();
    }

    public long maxBytes() {
        return spool.maxBytes();
    }

    /** Appends the batch (durable on return, per the spool's sync setting); throws if the spool is full. */
    public void append(LoadState state) throws IOException {
        byte[] record = SpooledBatchCodec.encode(state);
        try {
            spool.append(record);
        } catch (SpoolFullException e) {
            full = true;
            if (fullReported.compareAndSet(false, true)) {
                LOG.error("Spool full ({} of {} bytes, {} batches): the load stage waits for the database and the"
                        + " sources are made to wait (back-pressure); nothing is dropped", spool.bytes(),
                        spool.maxBytes(), spool.depth());
            }
            throw e;
        }
        full = false;
        lock.lock();
        try {
            appended.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void doStart() {
        Gauge.builder("market_etl_spool_depth", spool, Spool::depth)
                .description("Batches in the load spool, not yet written to the database")
                .strongReference(true).register(metrics.registry());
        Gauge.builder("market_etl_spool_bytes", spool, Spool::bytes)
                .description("Bytes of the load spool's batches not yet written to the database")
                .strongReference(true).register(metrics.registry());
        running = true;
        replayer = new Thread(() -> {
            try {
                replay();
            } catch (Throwable t) {
                LOG.error("Spool replay stopped by an unexpected error; spooled batches wait for a restart", t);
                throw t;
            }
        }, "market-etl-spool-replay");
        replayer.setDaemon(true);
        replayer.start();
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (replayer != null) {
            replayer.interrupt();
            replayer.join(TimeUnit.SECONDS.toMillis(10));
        }
        spool.sync();
    }

    @Override
    protected void doShutdown() throws Exception {
        spool.close();
    }

    /** One spooled record taken for the replay: where it is and its batch (null: corrupt, not a spooled batch). */
    private record Taken(Spool.Entry entry, LoadState state) {
    }

    /**
     * Reads spooled batches and writes them in groups of up to {@code groupBatches} per transaction
     * ({@link LoadUnit#write(List, LoadUnit.BeforeCommit)}), acknowledging each group with one ledger update once it
     * is committed. Right before a group's COMMIT its transaction id goes into the ledger ({@link Spool#pending}); if
     * the process dies before the acknowledgement, the next start finds it and the group's batches are settled with
     * {@code txid_status} (committed: acknowledged without writing again; aborted: written) instead of being written
     * twice. A corrupt record, or a batch that cannot join a group (it was half written before it was spooled), is
     * handled alone.
     */
    private void replay() {
        List<Taken> group = new ArrayList<>(groupBatches);
        Taken carry = null;
        Spool.Pending pending = spool.pending();
        boolean waiting = false;
        while (running) {
            try {
                if (group.isEmpty()) {
                    carry = take(group, carry, pending);
                    if (group.isEmpty()) {
                        awaitAppend();
                        continue;
                    }
                }
                Taken first = group.get(0);
                if (first.state() == null) {
                    Spool.Entry entry = first.entry();
                    deadLetters.store("spool", DeadLetters.Kind.SPOOL_CORRUPT, "spool record at segment "
                            + entry.segment() + " offset " + entry.offset() + (entry.corrupt() ? ": checksum mismatch"
                            : ": not a spooled batch"), Base64.getEncoder().encodeToString(entry.payload()),
                            Instant.now());
                    LOG.error("Spool record at segment {} offset {} is corrupt; kept in dead_letters (spool_corrupt)",
                            entry.segment(), entry.offset());
                } else {
                    List<LoadState> states = new ArrayList<>(group.size());
                    for (Taken t : group) {
                        states.add(t.state());
                    }
                    Spool.Entry last = group.get(group.size() - 1).entry();
                    unit.write(states, (xid, pid) -> spool.pending(last, note(xid, pid)));
                    for (LoadState st : states) {
                        replayedRows(st.facts().sourceId()).increment(st.loaded());
                    }
                }
                List<Spool.Entry> entries = new ArrayList<>(group.size());
                for (Taken t : group) {
                    entries.add(t.entry());
                }
                spool.acknowledge(entries);
                pending = null;
                group.clear();
                if (spool.depth() == 0 && fullReported.compareAndSet(true, false)) {
                    LOG.info("Spool has room again: everything it held is in the database");
                }
                if (waiting) {
                    waiting = false;
                    LOG.info("Spool replay is writing again ({} batches spooled)", spool.depth());
                }
            } catch (java.io.UncheckedIOException e) {
                LOG.error("Spool: cannot record progress ({}); retrying", e.getCause().toString());
                sleep(probeMillis);
            } catch (SQLException | RuntimeException e) {
                if (LoadErrors.isDataError(e)) {
                    // only a batch row can still be refused here (rows are isolated by the unit): the first batch
                    // not finished is the one; give its row up, the rest of the group is written on the next pass
                    for (Taken t : group) {
                        LoadState st = t.state();
                        if (st != null && !st.finished()) {
                            LOG.error("Spooled batch of {}: the database refused its batch row ({}); rows are stored",
                                    st.facts().sourceId(), e.getMessage());
                            st.finished = true;
                            break;
                        }
                    }
                    continue;
                }
                if (!waiting) {
                    waiting = true;
                    LOG.warn("Spool replay waits for the database ({} batches spooled): {}", spool.depth(),
                            e.toString());
                }
                sleep(probeMillis);
            } catch (IOException e) {
                LOG.error("Spool: cannot read or record progress ({}); retrying", e.toString());
                sleep(probeMillis);
            }
        }
    }

    /**
     * Fills {@code group} with the next spooled records: up to {@code groupBatches} batches that can be written
     * together, or one record to handle alone. Returns a record read that belongs to the next group (or null). The
     * group recorded as pending before a crash is taken as it was (up to its last record, whatever the group size
     * now), its batches marked in doubt with that transaction's id.
     */
    private Taken take(List<Taken> group, Taken carry, Spool.Pending pending) throws IOException {
        while (true) {
            Taken t = carry;
            carry = null;
            if (t == null) {
                Spool.Entry e = spool.next();
                if (e == null) {
                    return null;
                }
                t = new Taken(e, e.corrupt() ? null : decode(e));
            }
            boolean alone = t.state() == null || !LoadUnit.groupable(t.state());
            if (alone) {
                if (group.isEmpty()) {
                    group.add(t);
                    return null;
                }
                return t;
            }
            boolean inPending = pending != null && pending.covers(t.entry());
            if (inPending) {
                inDoubt(t.state(), pending);
            }
            group.add(t);
            if (inPending ? t.entry().segment() == pending.segment() && t.entry().end() == pending.end()
                    : group.size() >= groupBatches) {
                return null;
            }
        }
    }

    /** The batch was in the group whose transaction the ledger names: it may have committed. */
    private static void inDoubt(LoadState s, Spool.Pending pending) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(pending.note());
        long xid = b.getLong();
        int pid = b.getInt();
        s.inDoubt = new LoadState.InDoubt(xid, pid, s.doneUpTo, s.rows.size(), 0, 0, 0, 0,
                LoadUnit.target(s).hasBatchRow(), java.util.Set.of());
    }

    private static byte[] note(long xid, int pid) {
        return java.nio.ByteBuffer.allocate(12).putLong(xid).putInt(pid).array();
    }

    private Counter replayedRows(String source) {
        return replayedRows.computeIfAbsent(String.valueOf(source), s -> Counter.builder(
                "market_etl_spool_replayed_rows").description("Rows written to the database from the load spool")
                .tag("source", s).register(metrics.registry()));
    }

    private static LoadState decode(Spool.Entry entry) {
        try {
            return SpooledBatchCodec.decode(entry.payload());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void awaitAppend() {
        lock.lock();
        try {
            appended.await(probeMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    private void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
