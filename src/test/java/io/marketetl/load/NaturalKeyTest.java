package io.marketetl.load;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Natural keys (V8): a trade is stored once, whether it is replayed by its source, arrives again in an overlapping
 * batch, twice in one batch, or from a second source on the same stream; the rest of each batch is stored, the batch
 * rows count only what they stored, and every message number a source handed out is either a stored row or listed
 * as a duplicate in its batch row.
 */
class NaturalKeyTest {

    private static final long BASE = 5_123_000_000L;

    @ParameterizedTest
    @ValueSource(strings = {"copy", "sql"})
    void eachTradeIsStoredOnceAndTheRestOfTheBatchIsStored(String writer) {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of("market-etl.load.writer", writer,
                        "market-etl.batch.max-messages", "40", "market-etl.batch.max-wait-ms", "100"))) {
            DataSource ds = db.dataSource();
            // trades 1..100 of one instrument (one instrument: the same trade id is the same trade)
            new Feeder(p, new MarketMessageFactory("bn", Style.BINANCE, 7, 1, BASE)).sendMessages(100);
            awaitStored(p, ds, 100);
            // a replay overlapping the stored ones: trades 51..150, in batches that mix stored and new trades
            new Feeder(p, new MarketMessageFactory("bn", Style.BINANCE, 7, 1, BASE + 50)).sendMessages(100);
            awaitStored(p, ds, 150);
            // another source (or instance) on the same stream: trades 1..100 again
            new Feeder(p, new MarketMessageFactory("bn-2", Style.BINANCE, 7, 1, BASE)).sendMessages(100);
            // the same five trades twice, back to back (one batch): stored once
            Instant t = Instant.now();
            p.send(new MarketMessageFactory("bn", Style.BINANCE, 9, 1, BASE + 1000).frame(t, 5));
            p.send(new MarketMessageFactory("bn", Style.BINANCE, 9, 1, BASE + 1000).frame(t, 5));
            awaitStored(p, ds, 155);
            p.stop();

            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(155);
            assertThat(count(ds, "SELECT count(DISTINCT trade_id) FROM websocket_messages")).isEqualTo(155);
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE trade_id IS NULL"
                    + " OR trade_id <> data->>'t'")).isZero();
            // the first copy stays: trades 51..100 are those of the first load
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE trade_id::bigint BETWEEN "
                    + (BASE + 51) + " AND " + (BASE + 100) + " AND connector_id = 'bn' AND message_number <= 100"))
                    .isEqualTo(50);
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE connector_id = 'bn-2'")).isZero();

            // the batch rows count what they stored and list what they skipped
            assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(155);
            assertThat(count(ds, "SELECT sum(jsonb_array_length(messages)) FROM websocket_batches")).isEqualTo(155);
            assertThat(count(ds, "SELECT sum((metrics->>'rows_duplicate')::int) FROM websocket_batches"))
                    .isEqualTo(50 + 100 + 5);
            // message numbers: every number handed out is a stored row or a recorded duplicate, exactly once
            assertThat(numbers(ds, "bn")).isEqualTo(LongStream.rangeClosed(1, 210).boxed().toList());
            assertThat(numbers(ds, "bn-2")).isEqualTo(LongStream.rangeClosed(1, 100).boxed().toList());
            assertThat(p.counter("market_etl_rows_duplicate")).isEqualTo(155.0);
            assertThat(p.counter("market_etl_rows_loaded")).isEqualTo(155.0);
            assertThat(p.backlog().messages()).isZero();
        }
    }

    private static void awaitStored(PipelineHarness p, DataSource ds, long stored) {
        await().atMost(Duration.ofSeconds(20)).until(() -> p.backlog().messages() == 0
                && count(ds, "SELECT count(*) FROM websocket_messages") == stored);
    }

    /** The source's stored message numbers and those its batch rows list as duplicates, sorted. */
    private static List<Long> numbers(DataSource ds, String source) {
        return rows(ds, "SELECT n FROM (SELECT message_number AS n FROM websocket_messages WHERE connector_id = '"
                + source + "' UNION ALL SELECT jsonb_array_elements_text(metrics->'duplicate_message_numbers')::bigint"
                + " FROM websocket_batches WHERE connector_id = '" + source + "') x ORDER BY n").stream()
                .map(r -> ((Number) r.get(0)).longValue()).toList();
    }
}
