package io.marketetl.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.batch.Batch;
import io.marketetl.deadletter.DeadLetters;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.pipeline.PipelineMetrics;
import io.marketetl.spool.SegmentSpool;
import io.marketetl.spool.Spool;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The spool's replay in groups ({@link BatchSpool}, {@code market-etl.spool.replay-group-batches}), with the process
 * "dying" at the two points a kill -9 can hit around a group's commit: after the COMMIT but before the ledger moved
 * on (the next start must not write the group again: rows without a trade id would be stored twice), and after the
 * ledger named the transaction but before the COMMIT was sent (the next start must write the group). The death is
 * modelled by a spool whose ledger update fails, then the replayer stopped and the spool reopened from its files.
 */
class SpoolReplayGroupTest {

    private static final int BATCHES = 10;
    private static final int TRADES = 30;
    private static final int TICKERS = 3;

    @TempDir
    Path dir;

    private TestDatabase db;
    private DefaultCamelContext context;
    private PipelineMetrics metrics;
    private DeadLetters deadLetters;
    private LoadUnit unit;

    @BeforeEach
    void setUp() {
        db = TestDatabase.create();
        context = new DefaultCamelContext();
        context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, new SimpleMeterRegistry());
        metrics = new PipelineMetrics(context);
        deadLetters = new DeadLetters(db.dataSource(), 1000, Duration.ofSeconds(1), metrics);
        unit = new LoadUnit(db.dataSource(), new CopyStagingWriter(), deadLetters, metrics, Duration.ofSeconds(30));
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
        db.close();
    }

    /** A spool whose ledger updates can be made to fail, as a process dying at that point would leave it. */
    private static final class DyingSpool implements Spool {
        final Spool spool;
        volatile boolean failAcknowledge;
        volatile boolean failAfterPending;
        final AtomicInteger acknowledgeFailures = new AtomicInteger();
        final AtomicInteger pendingNotes = new AtomicInteger();

        DyingSpool(Spool spool) {
            this.spool = spool;
        }

        @Override public void append(byte[] record) throws IOException { spool.append(record); }
        @Override public Entry next() throws IOException { return spool.next(); }
        @Override public void acknowledge(Entry entry) throws IOException { acknowledge(List.of(entry)); }

        @Override
        public void acknowledge(List<Entry> entries) throws IOException {
            if (failAcknowledge) {
                acknowledgeFailures.incrementAndGet();
                throw new IOException("simulated: the process dies before the ledger update");
            }
            spool.acknowledge(entries);
        }

        @Override
        public void pending(Entry last, byte[] note) throws IOException {
            spool.pending(last, note);
            pendingNotes.incrementAndGet();
            if (failAfterPending) {
                throw new IOException("simulated: the process dies before the COMMIT is sent");
            }
        }

        @Override public Pending pending() { return spool.pending(); }
        @Override public void rewind() { spool.rewind(); }
        @Override public void sync() throws IOException { spool.sync(); }
        @Override public long depth() { return spool.depth(); }
        @Override public long bytes() { return spool.bytes(); }
        @Override public long maxBytes() { return spool.maxBytes(); }
        @Override public void close() throws IOException { spool.close(); }
    }

    private SegmentSpool openSpool() throws IOException {
        return new SegmentSpool(dir, 1 << 26, 1 << 20, Duration.ZERO);
    }

    private BatchSpool replayer(Spool spool, int group) {
        return new BatchSpool(spool, unit, deadLetters, metrics, Duration.ofSeconds(1), Duration.ofMillis(20), group);
    }

    /** Spools BATCHES batches, alternating two sources, each with TRADES trades and TICKERS rows without trade id. */
    private static void spoolBatches(Spool spool) throws IOException {
        MarketMessageFactory okx = new MarketMessageFactory("okx-a", Style.OKX, 1);
        MarketMessageFactory bn = new MarketMessageFactory("binance-b", Style.BINANCE, 2);
        long[] next = {1, 1};
        for (int b = 0; b < BATCHES; b++) {
            MarketMessageFactory f = b % 2 == 0 ? okx : bn;
            List<MarketMessage> messages = new ArrayList<>(f.frame(Instant.now(), TRADES));
            for (MarketMessage t : f.frame(Instant.now(), TICKERS)) {
                messages.add(new MarketMessage(t.sourceId(), t.exchange(), t.format(), "ticker", t.instrument(),
                        t.price(), t.data(), null, t.eventTime(), t.receivedAt(), t.receivedNanos(), t.bytes()));
            }
            for (MarketMessage m : messages) {
                m.setMessageNumber(next[b % 2]++);
            }
            LoadState state = new LoadState(BatchFacts.of(Batch.of(messages), 0),
                    messages.stream().map(Row::of).toList(), "copy");
            spool.append(SpooledBatchCodec.encode(state));
        }
    }

    private long q(String sql) {
        return db.queryLong(sql);
    }

    private void assertEverythingStoredOnce() {
        int perBatch = TRADES + TICKERS;
        assertThat(q("SELECT count(*) FROM websocket_messages")).isEqualTo((long) BATCHES * perBatch);
        assertThat(q("SELECT count(*) FROM websocket_messages WHERE trade_id IS NULL")).isEqualTo(BATCHES * TICKERS);
        assertThat(q("SELECT count(*) FROM (SELECT DISTINCT connector_id, message_number FROM websocket_messages) d"))
                .isEqualTo((long) BATCHES * perBatch);
        assertThat(q("SELECT count(*) FROM websocket_batches")).isEqualTo(BATCHES);
        assertThat(q("SELECT sum(total_messages) FROM websocket_batches")).isEqualTo((long) BATCHES * perBatch);
    }

    @Test
    void aGroupCommittedBeforeADeathIsNotWrittenAgainAfterTheRestart() throws Exception {
        DyingSpool dying = new DyingSpool(openSpool());
        spoolBatches(dying);
        dying.failAcknowledge = true;
        BatchSpool first = replayer(dying, 4);
        first.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> dying.acknowledgeFailures.get() > 0);
        first.stop();
        dying.close();
        // the first group (4 batches) is committed; the ledger still points before it and names its transaction
        assertThat(q("SELECT count(*) FROM websocket_batches")).isEqualTo(4);

        try (SegmentSpool spool = openSpool()) {
            assertThat(spool.pending()).isNotNull();
            assertThat(spool.depth()).isEqualTo(BATCHES);
            BatchSpool second = replayer(spool, 3); // a different group size: the pending group is taken as it was
            second.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> spool.depth() == 0);
            second.stop();
            assertThat(spool.pending()).isNull();
        }
        assertEverythingStoredOnce();
    }

    @Test
    void aGroupWhoseCommitWasNeverSentIsWrittenAfterTheRestart() throws Exception {
        DyingSpool dying = new DyingSpool(openSpool());
        spoolBatches(dying);
        dying.failAfterPending = true;
        BatchSpool first = replayer(dying, 4);
        first.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> dying.pendingNotes.get() > 0);
        first.stop();
        dying.close();
        assertThat(q("SELECT count(*) FROM websocket_messages")).isZero();

        try (SegmentSpool spool = openSpool()) {
            assertThat(spool.pending()).isNotNull();
            BatchSpool second = replayer(spool, 4);
            second.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> spool.depth() == 0);
            second.stop();
        }
        assertEverythingStoredOnce();
    }

    @Test
    void batchesReplayInGroupsInTheirOrder() throws Exception {
        try (SegmentSpool spool = openSpool()) {
            spoolBatches(spool);
            BatchSpool replay = replayer(spool, 4);
            replay.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> spool.depth() == 0);
            replay.stop();
        }
        assertEverythingStoredOnce();
        // 10 batches in groups of 4: three transactions (4, 4, 2), each batch with its own row
        assertThat(db.rows("SELECT (metrics->>'load_group_batches')::int, count(*) FROM websocket_batches"
                + " GROUP BY 1 ORDER BY 1")).containsExactly(List.of(2, 2L), List.of(4, 8L));
        assertThat(q("SELECT count(DISTINCT xmin::text) FROM websocket_batches")).isEqualTo(3);
        // per source, batch rows in the order of their numbers
        assertThat(q("SELECT count(*) FROM (SELECT connector_id, id, (metrics->>'first_message_number')::bigint f,"
                + " lag((metrics->>'first_message_number')::bigint) OVER (PARTITION BY connector_id ORDER BY id) p"
                + " FROM websocket_batches) x WHERE p IS NOT NULL AND p > f")).isZero();
    }
}
