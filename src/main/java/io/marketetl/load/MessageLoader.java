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
 * stored is skipped and the rest of the batch stored; when fewer rows were inserted than staged, one query through
 * the natural-key index finds which ({@link LoadTarget#duplicatesSql()}). Their message numbers stay unused: the
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

    @Override
    public void process(Exchange exchange) throws Exception {
        Batch batch = exchange.getIn().getBody(Batch.class);
        load(batch);
        LoadState state = batch.load();
        exchange.getIn().setHeader(PipelineHeaders.ROWS_LOADED, state == null ? 0 : state.loaded());
        exchange.getIn().setHeader(PipelineHeaders.ROWS_REJECTED, state == null ? 0 : state.rejected());
        if (state != null && state.batchRow() != null) {
            exchange.getIn().setBody(BatchRowBuilder.performance(state.batchRow(), state));
        } else {
            exchange.getIn().setBody(null); // no batch row (API connector rows): nothing for the route's update
        }
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

    /**
     * Writes the batch (or what is left of it after an earlier failed attempt), or spools it: at once while the spool
     * holds batches, or once it has been failing for the spool's delay. Throws if it must be retried (a failure
     * before that delay, a full spool).
     */
    public void load(Batch batch) throws SQLException, IOException {
        LoadState state = fitted(batch);
        if (state.finished) {
            return;
        }
        BatchSpool sp = spool;
        if (sp != null && sp.spooling()) {
            spooled(batch, sp, state);
            return;
        }
        try {
            unit.write(state);
        } catch (SQLException | RuntimeException e) {
            if (sp == null || LoadErrors.isDataError(e) || !sp.due(state.firstAttemptNanos)) {
                throw e;
            }
            LOG.warn("Source {}: the database has not taken a batch of {} messages for {} ms ({}); it goes to the"
                    + " spool", batch.sourceId(), batch.size(), (System.nanoTime() - state.firstAttemptNanos)
                    / 1_000_000, e.getMessage());
            spooled(batch, sp, state);
            return;
        }
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

    /** The batch is in the spool (durable): it leaves the in-memory backlog; the replay writes it. */
    private void spooled(Batch batch, BatchSpool sp, LoadState state) throws IOException {
        sp.append(state);
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
