package io.marketetl.pipeline;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.normalise.MarketMessage;
import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Exchange;
import org.apache.camel.spi.InterceptStrategy;
import org.apache.camel.support.AsyncProcessorConverterHelper;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.Test;

/**
 * A clean stop right after a burst (hand-off queue, open batches, queued and in-flight loads all busy) leaves nothing
 * in memory: every accepted message is a row, and every row is in a batch row.
 */
class ShutdownFlushTest {

    /** For the races below: a stop that waits for it has left a message behind (the default is 60 s). */
    private static final int SHORT_SHUTDOWN_TIMEOUT_S = 15;

    @Test
    void stopWritesEveryAcceptedMessage() {
        try (TestDatabase db = TestDatabase.create()) {
            DataSource ds = db.dataSource();
            PipelineHarness p = PipelineHarness.start(ds, Map.of("market-etl.batch.max-messages", "500",
                    "market-etl.batch.max-wait-ms", "600000", "market-etl.pipeline.handoff-frames", "2000"));
            List<Feeder> feeders = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                feeders.add(new Feeder(p, new MarketMessageFactory("source-" + s, s % 2 == 0 ? Style.OKX
                        : Style.BINANCE, s)));
            }
            for (int round = 0; round < 25; round++) {
                for (Feeder f : feeders) {
                    f.sendMessages(150);
                }
            }
            long sent = feeders.stream().mapToLong(Feeder::messages).sum();
            assertThat(p.backlog().messages()).isPositive(); // work is still in memory when the stop begins
            // the loader is one of the load route's services, so the shutdown strategy asks it for pending work
            assertThat(p.context().getRoute("pipeline-load").getServices().stream()
                    .flatMap(s -> ServiceHelper.getChildServices(s).stream()))
                    .anyMatch(s -> s == p.loader());

            p.stop();

            assertThat(p.backlog().messages()).isZero();
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(sent);
            assertThat(count(ds, "SELECT coalesce(sum(total_messages), 0) FROM websocket_batches")).isEqualTo(sent);
            for (Feeder f : feeders) {
                assertThat(rows(ds, "SELECT count(DISTINCT message_number), min(message_number),"
                        + " max(message_number) FROM websocket_messages WHERE connector_id = '" + f.sourceId() + "'"))
                        .containsExactly(List.of(f.messages(), 1L, f.messages()));
            }
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches WHERE metrics->>'completed_by' = 'force'"))
                    .isEqualTo(feeders.size());
        }
    }

    /**
     * The race {@link #stopWritesEveryAcceptedMessage} hit once (stop 60.8 s, backlog 1): when the stop begins, the
     * batch route's seda consumer has taken the last frame off the hand-off (empty now) but not yet added it to its
     * batch. The seam holds that frame between the hand-off and the aggregator until the stop has begun, plus 500 ms
     * (naturally it is a few microseconds): a flusher that takes an empty hand-off for "drained" completes the open
     * batches without it, and the frame then opens a new batch that nothing completes (max-wait is 10 minutes) until
     * the shutdown timeout forces it away, with its message (see {@link io.marketetl.batch.BatchFlusher}).
     */
    @Test
    void aFrameTakenOffTheHandOffButNotYetBatchedWhenTheStopBeginsIsWritten() throws Exception {
        AtomicReference<Predicate<MarketMessage>> hold = new AtomicReference<>(m -> false);
        CountDownLatch holding = new CountDownLatch(1);
        try (TestDatabase db = TestDatabase.create()) {
            DataSource ds = db.dataSource();
            PipelineHarness p = PipelineHarness.start(ds, Map.of("market-etl.batch.max-messages", "500",
                    "market-etl.batch.max-wait-ms", "600000"), PipelineHarness.ROUTE_FILE, context -> {
                        context.getShutdownStrategy().setTimeout(SHORT_SHUTDOWN_TIMEOUT_S);
                        context.getCamelContextExtension().addInterceptStrategy(
                                holdBeforeAggregator(hold, holding, 500));
                    });
            List<Feeder> feeders = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                feeders.add(new Feeder(p, new MarketMessageFactory("source-" + s, s % 2 == 0 ? Style.OKX
                        : Style.BINANCE, s)));
            }
            for (Feeder f : feeders) {
                f.sendMessages(120); // an open batch per source
            }
            Feeder last = feeders.get(1);
            long next = last.messages() + 1;
            hold.set(m -> m.sourceId().equals(last.sourceId()) && m.messageNumber() == next);
            last.sendFrame(1);
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
            long sent = feeders.stream().mapToLong(Feeder::messages).sum();

            long start = System.nanoTime();
            p.stop();
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(p.backlog().messages()).isZero();
            assertThat(stopMs).isLessThan(TimeUnit.SECONDS.toMillis(SHORT_SHUTDOWN_TIMEOUT_S));
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(sent);
            assertThat(count(ds, "SELECT coalesce(sum(total_messages), 0) FROM websocket_batches")).isEqualTo(sent);
            // one flush, after the frame joined its batch: one forced batch per source, not one more
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches WHERE metrics->>'completed_by' = 'force'"))
                    .isEqualTo(feeders.size());
        }
    }

    /**
     * A frame accepted after the flush (the stamp route keeps accepting during a stop, for the frames the sources are
     * still processing) completes its own batch at once: nothing else would complete a batch it opened. The first
     * flushed batch's commit waits (its messages still pending, so the stop waits too) until that frame is sent.
     */
    @Test
    void aFrameAcceptedAfterTheFlushIsWritten() throws Exception {
        CountDownLatch flushed = new CountDownLatch(1);
        CountDownLatch lateSent = new CountDownLatch(1);
        AtomicBoolean first = new AtomicBoolean(true);
        try (TestDatabase db = TestDatabase.create()) {
            DataSource ds = db.dataSource();
            PipelineHarness p = PipelineHarness.start(ds, Map.of("market-etl.batch.max-messages", "500",
                    "market-etl.batch.max-wait-ms", "600000"), PipelineHarness.ROUTE_FILE,
                    context -> context.getShutdownStrategy().setTimeout(SHORT_SHUTDOWN_TIMEOUT_S));
            List<Feeder> feeders = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                feeders.add(new Feeder(p, new MarketMessageFactory("source-" + s, s % 2 == 0 ? Style.OKX
                        : Style.BINANCE, s)));
            }
            for (Feeder f : feeders) {
                f.sendMessages(120); // an open batch per source
            }
            p.loader().afterCommitHook(batch -> {
                if ("force".equals(batch.completedBy()) && first.compareAndSet(true, false)) {
                    flushed.countDown();
                    try {
                        lateSent.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            Thread stopping = new Thread(p::stop, "stopping");
            long start = System.nanoTime();
            stopping.start();
            assertThat(flushed.await(30, TimeUnit.SECONDS)).isTrue();
            feeders.get(0).sendFrame(2);
            lateSent.countDown();
            stopping.join(TimeUnit.SECONDS.toMillis(SHORT_SHUTDOWN_TIMEOUT_S + 30));
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            long sent = feeders.stream().mapToLong(Feeder::messages).sum();

            assertThat(p.backlog().messages()).isZero();
            assertThat(stopMs).isLessThan(TimeUnit.SECONDS.toMillis(SHORT_SHUTDOWN_TIMEOUT_S));
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(sent);
            assertThat(count(ds, "SELECT coalesce(sum(total_messages), 0) FROM websocket_batches")).isEqualTo(sent);
            // the flushed batches, and the late frame's own (in either order: with two writers, the late batch can be
            // written alone while the other writer still writes the group holding source-0's flushed batch)
            long flushedSource0 = feeders.get(0).messages() - 2;
            assertThat(rows(ds, "SELECT connector_id, total_messages FROM websocket_batches"
                    + " WHERE metrics->>'completed_by' = 'force' AND connector_id = 'source-0' ORDER BY id"))
                    .containsExactlyInAnyOrder(List.of("source-0", (int) flushedSource0), List.of("source-0", 2));
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches WHERE metrics->>'completed_by' = 'force'"))
                    .isEqualTo(feeders.size() + 1);
        }
    }

    /**
     * Wraps the aggregator: the frame whose first message matches {@code hold} waits there (after the hand-off,
     * before its batch) until the context is stopping, plus {@code extraMs}.
     */
    private static InterceptStrategy holdBeforeAggregator(AtomicReference<Predicate<MarketMessage>> hold,
            CountDownLatch holding, long extraMs) {
        return (context, definition, target, nextTarget) -> {
            if (!"aggregate".equals(definition.getShortName())) {
                return AsyncProcessorConverterHelper.convert(target);
            }
            return new DelegateAsyncProcessor(target) {
                @Override
                public boolean process(Exchange exchange, AsyncCallback callback) {
                    List<?> frame = exchange.getIn().getBody(List.class);
                    if (frame != null && !frame.isEmpty() && frame.get(0) instanceof MarketMessage m
                            && hold.get().test(m)) {
                        holding.countDown();
                        while (!context.isStopping()) {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(extraMs));
                    }
                    return super.process(exchange, callback);
                }
            };
        };
    }
}
