package io.marketetl.batch;

import java.util.concurrent.BlockingQueue;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.Route;
import org.apache.camel.ShutdownRunningTask;
import org.apache.camel.component.seda.SedaConsumer;
import org.apache.camel.processor.aggregate.AggregateController;
import org.apache.camel.processor.aggregate.AggregateProcessor;
import org.apache.camel.spi.ShutdownAware;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completes the open batches when the batch route stops (application stop or reload of the route file), at the right
 * moment: after its hand-off queue has drained (registry name {@code batchFlusher}). It is both the aggregator's
 * {@code aggregateController} (to reach the aggregator) and a no-op first step of the route (so that Camel's
 * graceful shutdown calls {@link #prepareShutdown} on it).
 * <p>
 * Why: Camel's {@code forceCompletionOnStop} completes the groups when the stop begins, while the route's seda
 * consumer still drains the hand-off into new groups, which then wait for the next completion interval; with a long
 * {@code max-wait-ms} that can outlast the shutdown timeout. Waiting for the hand-off first makes a stop flush
 * everything at once, whatever the interval.
 */
public final class BatchFlusher extends ServiceSupport implements Processor, AggregateController, ShutdownAware {

    private static final Logger LOG = LoggerFactory.getLogger(BatchFlusher.class);

    private final CamelContext camelContext;
    private volatile AggregateProcessor aggregator;

    public BatchFlusher(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public void process(Exchange exchange) {
        // a step of the route only so that the shutdown strategy finds this bean
    }

    @Override
    public void prepareShutdown(boolean suspendOnly, boolean forced) {
        AggregateProcessor agg = aggregator;
        if (forced || suspendOnly || agg == null) {
            return;
        }
        BlockingQueue<?> handoff = handoffQueue(agg);
        try {
            while (handoff != null && !handoff.isEmpty()) {
                Thread.sleep(10); // the route's consumer keeps draining it during a graceful stop
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the shutdown timed out and is forced now
            return;
        }
        int groups = agg.forceCompletionOfAllGroups();
        if (groups > 0) {
            LOG.info("Stopping: completed {} open batches", groups);
        }
    }

    private BlockingQueue<?> handoffQueue(AggregateProcessor agg) {
        Route route = agg.getRouteId() == null ? null : camelContext.getRoute(agg.getRouteId());
        Consumer consumer = route == null ? null : route.getConsumer();
        return consumer instanceof SedaConsumer seda ? seda.getEndpoint().getQueue() : null;
    }

    @Override
    public boolean deferShutdown(ShutdownRunningTask shutdownRunningTask) {
        return false;
    }

    @Override
    public int getPendingExchangesSize() {
        return 0; // the aggregator reports its open groups itself (completeAllOnStop)
    }

    // AggregateController: remembers the (current) aggregator; a reload starts a new one

    @Override
    public void onStart(AggregateProcessor processor) {
        this.aggregator = processor;
    }

    @Override
    public void onStop(AggregateProcessor processor) {
        if (this.aggregator == processor) {
            this.aggregator = null;
        }
    }

    @Override
    public int forceCompletionOfGroup(String key) {
        AggregateProcessor agg = aggregator;
        return agg == null ? 0 : agg.forceCompletionOfGroup(key);
    }

    @Override
    public int forceCompletionOfAllGroups() {
        AggregateProcessor agg = aggregator;
        return agg == null ? 0 : agg.forceCompletionOfAllGroups();
    }

    @Override
    public int forceDiscardingOfGroup(String key) {
        AggregateProcessor agg = aggregator;
        return agg == null ? 0 : agg.forceDiscardingOfGroup(key);
    }

    @Override
    public int forceDiscardingOfAllGroups() {
        AggregateProcessor agg = aggregator;
        return agg == null ? 0 : agg.forceDiscardingOfAllGroups();
    }
}
