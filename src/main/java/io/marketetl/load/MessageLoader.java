package io.marketetl.load;

import io.marketetl.batch.Batch;
import io.marketetl.batch.BatchRowBuilder;
import io.marketetl.batch.MalformedCounter;
import io.marketetl.deadletter.DeadLetters;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.pipeline.PipelineBacklog;
import io.marketetl.pipeline.PipelineHeaders;
import io.marketetl.pipeline.PipelineMetrics;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load stage (registry name {@code loadMessages}): writes a {@link Batch} into {@code websocket_messages} in
 * one transaction, never one INSERT per message.
 * <ol>
 * <li>{@code SELECT txid_current(), pg_backend_pid()}: the transaction's id, to settle a commit in doubt later;</li>
 * <li>bulk write of the batch into the session's temporary staging table with the configured
 * {@link StagingWriter} (COPY or camel-sql batch). <b>This is what {@code load_time} measures</b>: from the start of
 * encoding the rows to the end of the bulk write, i.e. moving the batch into the database;</li>
 * <li>{@code INSERT INTO websocket_messages ... SELECT ..., load_time, extract_time + transform_time + load_time
 * FROM staging ON CONFLICT (natural key) DO NOTHING}: the rows with their measured load time (a row cannot contain the
 * duration of the statement that writes it). A trade whose natural key ({@link LoadTarget#NATURAL_KEY}) is already
 * stored is skipped and the rest of the batch stored (the insert returns the rows it stored, so the staged rows it
 * does not return are the skipped ones; the plain INSERT is tried first, see {@link PlainInsertFirst}). Their message
 * numbers stay unused: the
 * batch row lists them ({@code duplicate_message_numbers}, {@code rows_duplicate}) and does not count them;</li>
 * <li>{@code UPDATE connector_status SET last_message_number = GREATEST(...)} for the source (no row, no-op);</li>
 * <li>{@code INSERT INTO websocket_batches} the batch's row ({@link BatchRowBuilder}), so that the messages and
 * their batch row commit together: a crash or an outage can leave neither half without the other;</li>
 * <li>COMMIT.</li>
 * </ol>
 * The durations of steps 3-5 are not in the rows; the batch row's metrics report them per batch. After the commit the
 * exchange's body is the batch row's parameters with the commit timings ({@link BatchRowBuilder#performance}), for the
 * route's connector_status.performance_metrics update.
 * <p>
 * The transaction itself is {@link LoadUnit}'s (shared with the spool's replay); this class is its Camel side.
 * <p>
 * Groups: the load route hands this step a {@link BatchGroup}, the batches (of any sources) that were already waiting
 * in the load queue when a writer took one, up to {@code market-etl.load.group-batches}; they are written in one
 * transaction ({@link LoadUnit#write(List)}: one COPY, one INSERT ... SELECT, each batch its own batch row, each source
 * its progress), so that many sources' small batches do not each pay a transaction. The grouping is an aggregate step
 * in pipeline.camel.yaml (completion: {@link NothingWaiting}, or the size bound), not a wait in this class: Camel can
 * express "take what is waiting" there without adding latency, and the route keeps reading like the pipeline. Every
 * guarantee below holds per batch of a group: a group that cannot be written goes to the spool as its batches, in
 * order; refused data falls back to batch by batch, so that the other batches of the group still commit; a commit in
 * doubt marks every batch of the group and is settled before anything is written again.
 * <p>
 * Failures: any exception leaves the batch as it was (the transaction rolled back) and is thrown, and the route's
 * error handler redelivers the same exchange after a capped back-off, until the batch has been failing for
 * {@code market-etl.spool.after-ms}: then it goes to the {@link BatchSpool} (and so does every batch after it while the
 * spool holds anything), or, if the spool is full, keeps being retried (back-pressure). If the COMMIT itself failed, its
 * outcome is unknown (the server may have committed before the connection broke); the next attempt asks the server
 * ({@code txid_status}) and only writes again if that transaction did not commit, so an outage can neither lose nor
 * duplicate rows. If the database refuses the data itself (SQLSTATE 22, 23, 54), the batch is written one row per
 * transaction and each refused row is kept in {@code dead_letters} (kind {@code refused_row}, its data and the
 * SQLSTATE; {@link DeadLetters}), counted ({@code market_etl_rows_rejected}) and skipped, so that one bad message
 * cannot stall its source; the batch row then goes with the last row, or alone if that row was refused.
 */
public final class MessageLoader extends ServiceSupport implements Processor, ShutdownAware {

    private static final Logger LOG = LoggerFactory.getLogger(MessageLoader.class);

    /** The batch row's insert: see {@link LoadUnit#BATCH_ROW_SQL}. */
    public static final String BATCH_ROW_SQL = LoadUnit.BATCH_ROW_SQL;

    private final LoadUnit unit;
    private final MalformedCounter malformed;
    private final PipelineBacklog backlog;
    private final PipelineMetrics metrics;
    private final List<BatchCommitListener> listeners = new CopyOnWriteArrayList<>();
    private volatile BatchSpool spool;

    public MessageLoader(DataSource dataSource, StagingWriter writer, MalformedCounter malformed,
            DeadLetters deadLetters, PipelineBacklog backlog, PipelineMetrics metrics, Duration networkTimeout) {
        this.unit = new LoadUnit(dataSource, writer, deadLetters, metrics, networkTimeout);
        this.malformed = Objects.requireNonNull(malformed, "malformed");
        this.backlog = Objects.requireNonNull(backlog, "backlog");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    /** The load transaction this loader runs for each batch (also what a replay calls). */
    public LoadUnit unit() {
        return unit;
    }

    /** Batches the database cannot take within the spool's delay go there (null: retried in place, forever). */
    public void spool(BatchSpool spool) {
        this.spool = spool;
    }

    public BatchSpool spool() {
        return spool;
    }

    public StagingWriter writer() {
        return unit.writer();
    }

    public void addListener(BatchCommitListener listener) {
        listeners.add(listener);
    }

    public void removeListener(BatchCommitListener listener) {
        listeners.remove(listener);
    }

    /** Test seam: see {@link LoadUnit#afterCommitHook}. */
    public void afterCommitHook(LoadUnit.AfterCommitHook hook) {
        unit.afterCommitHook(hook);
    }

    @Override
    protected void doStart() {
        metrics.registerBacklog(backlog);
    }

    /**
     * Body in: a {@link BatchGroup} (the batches waiting together in the load queue) or a single {@link Batch}. Body
     * out: one {@link LoadedBatch} per batch, in order, for the route's per-batch steps (counters, the source's
     * performance).
     */
    @Override
    public void process(Exchange exchange) throws Exception {
        Object body = exchange.getIn().getBody();
        List<Batch> batches = body instanceof BatchGroup g ? g.batches()
                : List.of(exchange.getIn().getBody(Batch.class));
        List<Batch> done = load(batches);
        List<LoadedBatch> out = new ArrayList<>(done.size());
        for (Batch batch : done) {
            LoadState state = batch.load();
            Map<String, Object> performance = state != null && state.batchRow() != null
                    ? BatchRowBuilder.performance(state.batchRow(), state)
                    : null; // no batch row (spooled, API connector rows): nothing for the route's update
            out.add(new LoadedBatch(batch.sourceId(), state == null ? 0 : state.loaded(),
                    state == null ? 0 : state.rejected(), performance));
        }
        exchange.getIn().setBody(out);
    }

    /**
     * The batch fitted for the table, made once per batch (kept on it, so that Camel's redeliveries reuse it): its
     * rows and facts; the source's malformed frames since its previous batch row are taken here, once.
     */
    public LoadState fitted(Batch batch) {
        LoadState state = batch.load();
        if (state == null) {
            List<Row> rows = new ArrayList<>(batch.size());
            for (MarketMessage m : batch.messages()) {
                rows.add(Row.of(m));
            }
            state = new LoadState(BatchFacts.of(batch, malformed.drain(batch.sourceId())), rows, unit.writer().name());
            state.firstAttemptNanos = System.nanoTime();
            batch.load(state);
        }
        return state;
    }

    /** {@link #load(List)} of one batch. */
    public void load(Batch batch) throws SQLException, IOException {
        load(List.of(batch));
    }

    /**
     * Writes the batches (any sources, in their order; or what is left of them after an earlier failed attempt) in
     * one transaction ({@link LoadUnit#write(List)}), or spools them, in order: at once while the spool holds
     * batches, or once the group has been failing for the spool's delay (counted from its oldest batch's first
     * attempt). Throws if it must be retried (a failure before that delay, a full spool); the batches keep their
     * progress, so a retry writes only what is left. When the database refuses a group's data, LoadUnit writes its
     * batches one by one (isolating the refused rows); a batch that still fails with refused data (its batch row) is
     * thrown for a group of one, as before, and in a larger group logged and left out, so that it cannot hold back the
     * other batches. Returns the batches the loader is done with (committed or spooled), in order.
     */
    public List<Batch> load(List<Batch> batches) throws SQLException, IOException {
        List<LoadState> states = new ArrayList<>(batches.size());
        for (Batch b : batches) {
            states.add(fitted(b));
        }
        List<Batch> failed = new ArrayList<>(0);
        try {
            write(batches, states, failed);
        } finally {
            // also after a failure: batches the group committed before it are accounted for once, now
            for (int i = 0; i < batches.size(); i++) {
                LoadState s = states.get(i);
                if (s.finished && !s.handedOn) {
                    committed(batches.get(i), s);
                }
            }
        }
        if (failed.isEmpty()) {
            return batches;
        }
        List<Batch> done = new ArrayList<>(batches);
        done.removeAll(failed);
        return done;
    }

    private void write(List<Batch> all, List<LoadState> allStates, List<Batch> failed)
            throws SQLException, IOException {
        List<Batch> batches = new ArrayList<>(all.size());
        List<LoadState> states = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            if (!allStates.get(i).handedOn) { // spooled, or given up, by an earlier attempt: not again
                batches.add(all.get(i));
                states.add(allStates.get(i));
            }
        }
        if (states.isEmpty()) {
            return;
        }
        BatchSpool sp = spool;
        if (sp != null && sp.spooling()) {
            spooled(batches, states, sp);
            return;
        }
        try {
            if (states.size() == 1) {
                unit.write(states.get(0));
            } else {
                unit.write(states);
            }
        } catch (SQLException | RuntimeException e) {
            if (LoadErrors.isDataError(e) && states.size() > 1) {
                oneByOne(batches, states, failed);
                return;
            }
            long oldest = Long.MAX_VALUE;
            int left = 0;
            for (LoadState s : states) {
                if (!s.finished) {
                    oldest = Math.min(oldest, s.firstAttemptNanos);
                    left += s.rows.size() - s.doneUpTo;
                }
            }
            if (sp == null || LoadErrors.isDataError(e) || !sp.due(oldest)) {
                throw e;
            }
            LOG.warn("The database has not taken {} batch(es), {} messages, for {} ms ({}); they go to the spool",
                    states.stream().filter(s -> !s.finished).count(), left, (System.nanoTime() - oldest) / 1_000_000,
                    e.getMessage());
            spooled(batches, states, sp);
        }
    }

    /** A group whose data the database refused even batch by batch: each batch on its own, the failing ones left out. */
    private void oneByOne(List<Batch> batches, List<LoadState> states, List<Batch> failed) throws SQLException {
        for (int i = 0; i < batches.size(); i++) {
            LoadState s = states.get(i);
            if (s.finished || s.handedOn) {
                continue;
            }
            try {
                unit.write(s);
            } catch (SQLException | RuntimeException e) {
                if (!LoadErrors.isDataError(e)) {
                    throw e;
                }
                LOG.error("Source {}: the database refused a batch of {} messages ({}); its committed rows stay, the"
                        + " rest of its group goes on", batches.get(i).sourceId(), batches.get(i).size(),
                        e.getMessage());
                s.handedOn = true; // as the error handler gives up on a lone batch: not retried
                failed.add(batches.get(i));
            }
        }
    }

    /** A committed batch: the messages' stored load time, the backlog, the listeners. */
    private void committed(Batch batch, LoadState state) {
        state.handedOn = true;
        int n = state.rows.size();
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

    /** The batches not yet written, in order, into the spool (each once, even if a later append fails). */
    private void spooled(List<Batch> batches, List<LoadState> states, BatchSpool sp) throws IOException {
        for (int i = 0; i < batches.size(); i++) {
            LoadState s = states.get(i);
            if (!s.finished && !s.handedOn) {
                spooled(batches.get(i), sp, s);
            }
        }
    }

    /** The batch is in the spool (durable): it leaves the in-memory backlog; the replay writes it. */
    private void spooled(Batch batch, BatchSpool sp, LoadState state) throws IOException {
        sp.append(state);
        state.handedOn = true;
        backlog.done(batch.size());
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
