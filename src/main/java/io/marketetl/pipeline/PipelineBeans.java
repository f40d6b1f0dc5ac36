package io.marketetl.pipeline;

import io.marketetl.batch.BatchAggregationStrategy;
import io.marketetl.batch.BatchFlusher;
import io.marketetl.batch.BatchRowBuilder;
import io.marketetl.batch.MalformedCounter;
import io.marketetl.deadletter.DeadLetters;
import io.marketetl.load.CopyStagingWriter;
import io.marketetl.load.LoadFailures;
import io.marketetl.load.BatchSpool;
import io.marketetl.load.MessageLoader;
import io.marketetl.spool.SegmentSpool;
import io.marketetl.load.RetryableLoadFailure;
import io.marketetl.load.SpooledNumbers;
import io.marketetl.load.SqlBatchStagingWriter;
import io.marketetl.load.StagingWriter;
import io.marketetl.stamp.MessageNumbers;
import io.marketetl.stamp.Stamper;
import io.marketetl.db.BoundedWaitDataSource;
import io.marketetl.status.ConnectorEvents;
import javax.sql.DataSource;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.apache.camel.util.concurrent.SynchronousExecutorService;

/**
 * Binds the beans market-etl/pipeline.camel.yaml refers to. They live in the registry, outside the routes, so that a
 * route reload keeps their state (message counters, backlog, malformed counts).
 *
 * <pre>
 * stamp                 {@link Stamper}                   message numbers, extract/transform times
 * messageNumbers        {@link MessageNumbers}            per-source counters seeded at start from the database and
 *                                                         the spool
 * batchAggregation      {@link BatchAggregationStrategy}  frames of one source into a Batch
 * batchFlusher          {@link BatchFlusher}              completes open batches on stop, once every frame is in one
 * loadMessages          {@link MessageLoader}             batch into websocket_messages (COPY or camel-sql) and its
 *                                                         websocket_batches row ({@link BatchRowBuilder}), one transaction
 * loadGroupAggregation  {@link io.marketetl.load.LoadGroupAggregation} batches waiting together for the writers into
 *                                                         one group (one transaction)
 * nothingWaiting        {@link io.marketetl.load.NothingWaiting}  a group is complete when no batch waits behind it
 * loadedBatch           {@link io.marketetl.load.LoadedBatch.Headers} each batch of a written group: its source and
 *                                                         counts as headers, its performance as the body
 * sourcePerformance     {@link SourcePerformance}         a committed batch's performance, to the status writer
 * malformedCounter      {@link MalformedCounter}          per-source malformed frame counts (for the batch metrics)
 * deadLetters           {@link DeadLetters}               the dead_letters writer (refused rows, malformed frames)
 * loadFailures          {@link LoadFailures}              counts failed write attempts
 * retryableLoadFailure  {@link RetryableLoadFailure}      retry unless the database refused the data
 * pipelineBacklog       {@link PipelineBacklog}           accepted, not yet committed messages
 * pipelineMetrics       {@link PipelineMetrics}           Micrometer meters not counted by the routes ({@link CommitMeters}:
 *                                                         the loader's listener timing each committed batch)
 * aggregateInCallingThread  {@link SynchronousExecutorService} the aggregator hands batches on in its own thread
 * </pre>
 */
public final class PipelineBeans {

    private PipelineBeans() {
    }

    /**
     * @param status where the sources' batch performance goes (connector_status.performance_metrics): the
     *        connectors' status writer
     */
    public static MessageLoader bind(CamelContext context, DataSource dataSource, PipelineSettings settings,
            ConnectorEvents status) {
        Registry registry = context.getRegistry();
        PipelineBacklog backlog = new PipelineBacklog();
        PipelineMetrics metrics = new PipelineMetrics(context);
        // the load path and the seed of message numbers never wait for a pool connection longer than the spool's
        // delay: a batch not written by then goes to the spool, and neither may hold up a stop during an outage
        DataSource boundedWait = BoundedWaitDataSource.of(dataSource, settings.spoolAfter());
        registry.bind(SqlBatchStagingWriter.LOAD_DATA_SOURCE, boundedWait); // the sql writer joins its transactions
        MessageNumbers numbers = new MessageNumbers(boundedWait, settings.retryMax());
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStoppingEvent;
            }

            @Override
            public void notify(CamelEvent event) {
                numbers.stopping();
            }
        });
        MalformedCounter malformed = new MalformedCounter(metrics);
        StagingWriter writer = settings.writer().equals("sql") ? new SqlBatchStagingWriter(context)
                : new CopyStagingWriter();
        DeadLetters deadLetters = new DeadLetters(dataSource, settings.deadLetterMaxRows(),
                settings.deadLetterMaxRetry(), metrics);
        MessageLoader loader = new MessageLoader(boundedWait, writer, malformed, deadLetters, backlog, metrics,
                settings.loadNetworkTimeout());
        loader.addListener(new CommitMeters(metrics));
        SegmentSpool segments = openSpool(settings);
        // before the replay starts and before any source sends: every known source's last number, the spool's too
        try {
            numbers.seedAll(SpooledNumbers.highest(segments));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read the load spool: " + e.getMessage(), e);
        }
        BatchSpool spool = new BatchSpool(segments, loader.unit(), deadLetters, metrics,
                settings.spoolAfter(), settings.spoolProbe(), settings.spoolReplayGroupBatches());
        loader.spool(spool);
        registry.bind("batchSpool", spool);
        try {
            context.addService(spool, true, true); // stopped after the routes: a stop drains into it
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the load spool: " + e.getMessage(), e);
        }
        registry.bind("pipelineBacklog", backlog);
        registry.bind("pipelineMetrics", metrics);
        registry.bind("messageNumbers", numbers);
        registry.bind("stamp", new Stamper(numbers, backlog));
        BatchFlusher flusher = new BatchFlusher(backlog);
        registry.bind("batchAggregation", new BatchAggregationStrategy(settings.maxMessages(), flusher::flushing));
        registry.bind("batchFlusher", flusher);
        registry.bind("loadMessages", loader);
        registry.bind("loadGroupAggregation", new io.marketetl.load.LoadGroupAggregation());
        registry.bind("nothingWaiting", new io.marketetl.load.NothingWaiting());
        registry.bind("loadedBatch", new io.marketetl.load.LoadedBatch.Headers());
        registry.bind("sourcePerformance", new SourcePerformance(status));
        registry.bind("malformedCounter", malformed);
        registry.bind("deadLetters", deadLetters);
        registry.bind("loadFailures", new LoadFailures(metrics));
        registry.bind("retryableLoadFailure", new RetryableLoadFailure());
        registry.bind("aggregateInCallingThread", new SynchronousExecutorService());
        return loader;
    }

    private static SegmentSpool openSpool(PipelineSettings settings) {
        try {
            return new SegmentSpool(settings.spoolDir(), settings.spoolMaxBytes(), settings.spoolSegmentBytes(),
                    settings.spoolSyncInterval());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("MARKET_ETL_SPOOL_DIR " + settings.spoolDir()
                    + " cannot hold the load spool: " + e.getMessage(), e);
        }
    }
}
