package io.marketetl.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.batch.Batch;
import io.marketetl.deadletter.DeadLetters;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.pipeline.PipelineMetrics;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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

/**
 * {@link LoadUnit#write(List, LoadUnit.BeforeCommit)} on real PostgreSQL, without a Camel exchange: several batches
 * of several sources in ONE transaction, each keeping its batch row and its source's progress; trades already stored
 * skipped and listed in the right batch row; a group whose COMMIT reply was lost settled with txid_status (committed:
 * not written again, rows without a trade id included; aborted: written once); data the database refuses handled one
 * batch at a time.
 */
class GroupedLoadTest {

    private TestDatabase db;
    private DefaultCamelContext context;
    private LoadUnit unit;

    @BeforeEach
    void setUp() {
        db = TestDatabase.create();
        context = new DefaultCamelContext();
        context.getRegistry().bind(MicrometerConstants.METRICS_REGISTRY_NAME, new SimpleMeterRegistry());
        PipelineMetrics metrics = new PipelineMetrics(context);
        unit = new LoadUnit(db.dataSource(), new CopyStagingWriter(),
                new DeadLetters(db.dataSource(), 1000, Duration.ofSeconds(1), metrics), metrics, Duration.ofSeconds(30));
        for (String source : List.of("okx-a", "binance-b")) {
            db.execute("INSERT INTO api_connectors (connector_id, name, api_url) VALUES ('" + source + "', '" + source
                    + "', 'ws://x')");
            db.execute("INSERT INTO connector_status (connector_id) VALUES ('" + source + "')");
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        context.close();
        db.close();
    }

    /** A batch of {@code trades} trades and {@code tickers} rows without a trade id, numbered from {@code first}. */
    private static LoadState batch(MarketMessageFactory f, long first, int trades, int tickers) {
        List<MarketMessage> messages = new ArrayList<>(f.frame(Instant.now(), trades));
        for (MarketMessage t : f.frame(Instant.now(), tickers)) {
            messages.add(new MarketMessage(t.sourceId(), t.exchange(), t.format(), "ticker", t.instrument(), t.price(),
                    t.data(), null, t.eventTime(), t.receivedAt(), t.receivedNanos(), t.bytes()));
        }
        for (int i = 0; i < messages.size(); i++) {
            messages.get(i).setMessageNumber(first + i);
        }
        Batch b = Batch.of(messages);
        return new LoadState(BatchFacts.of(b, 0), messages.stream().map(Row::of).toList(), "copy");
    }

    private long q(String sql) {
        return db.queryLong(sql);
    }

    @Test
    void aGroupIsOneTransactionAndEachBatchKeepsItsRowAndItsSourcesProgress() throws Exception {
        MarketMessageFactory okx = new MarketMessageFactory("okx-a", Style.OKX, 1);
        MarketMessageFactory bn = new MarketMessageFactory("binance-b", Style.BINANCE, 2);
        List<LoadState> group = List.of(batch(okx, 1, 40, 2), batch(bn, 1, 30, 1), batch(okx, 43, 20, 2));
        List<Long> xids = new ArrayList<>();
        unit.write(group, (xid, pid) -> xids.add(xid));

        assertThat(xids).hasSize(1);
        assertThat(group).allMatch(LoadState::finished);
        assertThat(group.stream().mapToInt(LoadState::loaded).toArray()).containsExactly(42, 31, 22);
        assertThat(q("SELECT count(*) FROM websocket_messages")).isEqualTo(95);
        assertThat(q("SELECT count(*) FROM websocket_messages WHERE trade_id IS NULL")).isEqualTo(5);
        // one transaction: the rows come from one insert (one xmin: the loader's savepoint, a subtransaction of it)
        // and every batch row has the xmin of the transaction the hook saw
        assertThat(q("SELECT count(DISTINCT xmin::text) FROM websocket_messages")).isEqualTo(1);
        assertThat(q("SELECT count(*) FROM websocket_batches WHERE xmin::text::bigint = "
                + (xids.get(0) & 0xFFFF_FFFFL))).isEqualTo(3);
        // each batch its own row: its messages, its first and last number, the group's size
        assertThat(db.rows("SELECT connector_id, total_messages, (metrics->>'first_message_number')::int,"
                + " (metrics->>'last_message_number')::int, (metrics->>'load_group_batches')::int,"
                + " jsonb_array_length(messages) FROM websocket_batches ORDER BY id")).containsExactly(
                List.of("okx-a", 42, 1, 42, 3, 42), List.of("binance-b", 31, 1, 31, 3, 31),
                List.of("okx-a", 22, 43, 64, 3, 22));
        // each source's progress: highest number, count of stored messages
        assertThat(db.rows("SELECT connector_id, last_message_number, message_count FROM connector_status"
                + " ORDER BY connector_id")).containsExactly(List.of("binance-b", 31L, 31L), List.of("okx-a", 64L, 64L));
        // every row of a batch carries the group's load time
        assertThat(q("SELECT count(DISTINCT load_time) FROM websocket_messages")).isEqualTo(1);
    }

    @Test
    void tradesAlreadyStoredAreSkippedAndListedInTheirOwnBatchRow() throws Exception {
        long base = 7_000_000L;
        unit.write(batch(new MarketMessageFactory("okx-a", Style.OKX, 1, 1, base), 1, 10, 0));
        // okx-a again from trade base+6 (5 stored already), binance-b new, then okx-a's next trades
        MarketMessageFactory okx = new MarketMessageFactory("okx-a", Style.OKX, 1, 1, base + 5);
        List<LoadState> group = List.of(batch(okx, 11, 10, 1),
                batch(new MarketMessageFactory("binance-b", Style.BINANCE, 2, 1, base), 1, 10, 0), batch(okx, 22, 5, 0));
        unit.write(group);

        assertThat(group.stream().mapToInt(LoadState::duplicates).toArray()).containsExactly(5, 0, 0);
        assertThat(q("SELECT count(*) FROM websocket_messages")).isEqualTo(10 + 6 + 10 + 5);
        assertThat(db.rows("SELECT connector_id, total_messages, (metrics->>'rows_duplicate')::int,"
                + " metrics->'duplicate_message_numbers' IS NOT NULL FROM websocket_batches ORDER BY id"))
                .containsExactly(List.of("okx-a", 10, 0, false), List.of("okx-a", 6, 5, true),
                        List.of("binance-b", 10, 0, false), List.of("okx-a", 5, 0, false));
        assertThat(db.queryString("SELECT metrics->>'duplicate_message_numbers' FROM websocket_batches"
                + " WHERE (metrics->>'rows_duplicate')::int > 0")).isEqualTo("[11, 12, 13, 14, 15]");
        assertThat(db.rows("SELECT connector_id, last_message_number, message_count FROM connector_status"
                + " ORDER BY connector_id")).containsExactly(List.of("binance-b", 10L, 10L),
                List.of("okx-a", 26L, 21L));
    }

    /**
     * Several sources delivering the same trades (the duplicate-heavy feed that made grouped loads slow): thousands of
     * staged rows per group, most of them stored by another source, in one group or an earlier one. Each trade is
     * stored once, by the first batch that had it, and each batch row lists exactly its own skipped numbers, whether
     * the unit tried the plain insert first (the first group) or went straight to ON CONFLICT (the groups after it,
     * see PlainInsertFirst).
     */
    @Test
    void sourcesDeliveringTheSameTradesStoreEachTradeOnceGroupAfterGroup() throws Exception {
        List<String> sources = List.of("okx-a", "okx-c", "okx-d", "okx-e");
        for (String source : sources.subList(1, sources.size())) {
            db.execute("INSERT INTO api_connectors (connector_id, name, api_url) VALUES ('" + source + "', '" + source
                    + "', 'ws://x')");
            db.execute("INSERT INTO connector_status (connector_id) VALUES ('" + source + "')");
        }
        long base = 9_000_000L;
        int perBatch = 1500;
        int groups = 4;
        List<LoadState> all = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            // every source has the group's trades; source i starts i*100 trades later, so each batch overlaps the
            // trades stored by the sources before it in the group and by the group before
            List<LoadState> group = new ArrayList<>();
            for (int i = 0; i < sources.size(); i++) {
                long from = base + (long) g * perBatch + i * 100L;
                group.add(batch(new MarketMessageFactory(sources.get(i), Style.OKX, 1, 1, from),
                        1 + (long) g * perBatch, perBatch, 0));
            }
            unit.write(group);
            all.addAll(group);
        }
        long lastTrade = base + (long) (groups - 1) * perBatch + 300L + perBatch;
        assertThat(q("SELECT count(*) FROM websocket_messages")).isEqualTo(lastTrade - base);
        assertThat(q("SELECT count(DISTINCT trade_id) FROM websocket_messages")).isEqualTo(lastTrade - base);
        assertThat(all).allMatch(LoadState::finished);
        // what each batch stored plus what it skipped is its size, and the batch rows say the same
        long stored = all.stream().mapToLong(LoadState::loaded).sum();
        long skipped = all.stream().mapToLong(LoadState::duplicates).sum();
        assertThat(stored).isEqualTo(lastTrade - base);
        assertThat(stored + skipped).isEqualTo((long) groups * sources.size() * perBatch);
        assertThat(q("SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(stored);
        assertThat(q("SELECT sum((metrics->>'rows_duplicate')::int) FROM websocket_batches")).isEqualTo(skipped);
        // a stored row is the first delivery of its trade: source okx-a's whole first batch, then only trades new
        // to the group (100 per later source of the first group, and the last source's 300 newer ones later on)
        assertThat(all.get(0).loaded()).isEqualTo(perBatch);
        assertThat(all.get(1).loaded()).isEqualTo(100);
        assertThat(all.get(sources.size()).duplicates()).isEqualTo(300); // group 2, okx-a: the last 300 were stored
        // each source's progress counts what it stored
        assertThat(q("SELECT sum(message_count) FROM connector_status")).isEqualTo(stored);
    }

    @Test
    void aGroupWhoseCommitReplyWasLostIsSettledAndNotWrittenAgain() throws Exception {
        AtomicInteger commits = new AtomicInteger();
        unit.afterCommitHook(facts -> {
            if (commits.incrementAndGet() == 1) {
                throw new SQLException("simulated: connection lost before the COMMIT reply", "08006");
            }
        });
        List<LoadState> group = List.of(batch(new MarketMessageFactory("okx-a", Style.OKX, 1), 1, 20, 3),
                batch(new MarketMessageFactory("binance-b", Style.BINANCE, 2), 1, 20, 3));
        assertThatThrownBy(() -> unit.write(group)).isInstanceOf(SQLException.class);
        assertThat(group).allMatch(s -> s.inDoubt != null && !s.finished());

        unit.write(group);
        assertThat(group).allMatch(LoadState::finished);
        assertThat(commits.get()).isEqualTo(1); // the second call only asked the server
        assertThat(q("SELECT count(*) FROM websocket_messages")).isEqualTo(46);
        assertThat(q("SELECT count(*) FROM websocket_messages WHERE trade_id IS NULL")).isEqualTo(6);
        assertThat(q("SELECT count(*) FROM websocket_batches")).isEqualTo(2);
        assertThat(q("SELECT sum(message_count) FROM connector_status")).isEqualTo(46);
    }

    @Test
    void aGroupInDoubtWhoseTransactionDidNotCommitIsWrittenOnce() throws Exception {
        long xid;
        int pid;
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT txid_current(), pg_backend_pid()")) {
                rs.next();
                xid = rs.getLong(1);
                pid = rs.getInt(2);
            }
            c.rollback();
        }
        List<LoadState> group = List.of(batch(new MarketMessageFactory("okx-a", Style.OKX, 1), 1, 20, 3),
                batch(new MarketMessageFactory("binance-b", Style.BINANCE, 2), 1, 20, 3));
        for (LoadState s : group) {
            s.inDoubt = new LoadState.InDoubt(xid, pid, 0, s.rows.size(), 0, 0, 0, 0, true, java.util.Set.of());
        }
        List<Long> xids = new ArrayList<>();
        unit.write(group, (x, p) -> xids.add(x));
        assertThat(xids).hasSize(1); // settled as aborted, then written as one group
        assertThat(group).allMatch(LoadState::finished);
        assertThat(q("SELECT count(*) FROM websocket_messages")).isEqualTo(46);
        assertThat(q("SELECT count(*) FROM websocket_batches")).isEqualTo(2);
    }

    @Test
    void dataTheDatabaseRefusesIsHandledOneBatchAtATime() throws Exception {
        LoadState good = batch(new MarketMessageFactory("okx-a", Style.OKX, 1), 1, 10, 0);
        List<MarketMessage> bad = new ArrayList<>(new MarketMessageFactory("binance-b", Style.BINANCE, 2)
                .frame(Instant.now(), 5));
        MarketMessage t = bad.get(2);
        bad.set(2, new MarketMessage(t.sourceId(), t.exchange(), t.format(), "trade", t.instrument(), t.price(),
                "{not json", t.tradeId(), t.eventTime(), t.receivedAt(), t.receivedNanos(), t.bytes()));
        for (int i = 0; i < bad.size(); i++) {
            bad.get(i).setMessageNumber(i + 1);
        }
        LoadState refused = new LoadState(BatchFacts.of(Batch.of(bad), 0), bad.stream().map(Row::of).toList(),
                "copy");
        LoadState after = batch(new MarketMessageFactory("okx-a", Style.OKX, 3), 11, 10, 0);
        List<LoadState> group = List.of(good, refused, after);
        unit.write(group);

        assertThat(group).allMatch(LoadState::finished);
        assertThat(refused.rejected()).isEqualTo(1);
        assertThat(q("SELECT count(*) FROM websocket_messages")).isEqualTo(24);
        assertThat(q("SELECT count(*) FROM dead_letters WHERE kind = 'refused_row'")).isEqualTo(1);
        assertThat(q("SELECT count(*) FROM websocket_batches")).isEqualTo(3);
        assertThat(q("SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(24);
    }
}
