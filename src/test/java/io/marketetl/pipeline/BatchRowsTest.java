package io.marketetl.pipeline;

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
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two sources through the whole pipeline, with each load writer: every message becomes exactly one row with its
 * source's consecutive message numbers, total_time = extract + transform + load, and the websocket_batches rows
 * describe exactly those rows (counts, instruments, messages JSON, latency percentiles, metrics, rate).
 */
class BatchRowsTest {

    @ParameterizedTest
    @ValueSource(strings = {"copy", "sql"})
    void batchRowsMatchTheirMessages(String writer) {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of(
                        "market-etl.load.writer", writer,
                        "market-etl.batch.max-messages", "100",
                        "market-etl.batch.max-wait-ms", "100"))) {
            assertThat(p.loader().writer().name()).isEqualTo(writer);
            Feeder okx = new Feeder(p, new MarketMessageFactory("okx-trades", Style.OKX, 7));
            Feeder binance = new Feeder(p, new MarketMessageFactory("binance-trades", Style.BINANCE, 8));
            for (int i = 0; i < 10; i++) {
                okx.sendMessages(70);
                binance.sendMessages(50);
            }
            long total = okx.messages() + binance.messages();
            DataSource ds = db.dataSource();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_messages") == total);
            p.stop();

            // rows: one per message, consecutive numbers per source, connector_id set
            assertThat(rows(ds, """
                    SELECT connector_id, exchange, count(*), count(DISTINCT message_number), min(message_number),
                           max(message_number)
                    FROM websocket_messages GROUP BY 1, 2 ORDER BY 1"""))
                    .containsExactly(
                            List.of("binance-trades", "binance", binance.messages(), binance.messages(), 1L,
                                    binance.messages()),
                            List.of("okx-trades", "okx", okx.messages(), okx.messages(), 1L, okx.messages()));
            // timings: total = extract + transform + load to the last digit; load_time is the batch's, positive
            assertThat(count(ds, """
                    SELECT count(*) FROM websocket_messages
                    WHERE load_time IS NULL OR load_time <= 0 OR extract_time IS NULL OR transform_time IS NULL
                       OR total_time IS DISTINCT FROM extract_time + transform_time + load_time""")).isZero();
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE latency_ms IS NULL")).isZero();

            // batch rows: counts
            assertThat(rows(ds, "SELECT connector_id, exchange, sum(total_messages) FROM websocket_batches"
                    + " GROUP BY 1, 2 ORDER BY 1")).containsExactly(
                            List.of("binance-trades", "binance", binance.messages()),
                            List.of("okx-trades", "okx", okx.messages()));
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches WHERE total_messages > 100 + 2")).isZero();
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches"
                    + " WHERE jsonb_array_length(messages) <> total_messages")).isZero();
            // stored compressed with LZ4 (V6), not pglz; every batch of 100 messages is over the 2 kB TOAST threshold
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches"
                    + " WHERE pg_column_compression(messages) IS DISTINCT FROM 'lz4'")).isZero();
            // instruments: exactly the distinct instruments of the batch's messages
            assertThat(count(ds, """
                    SELECT count(*) FROM websocket_batches b
                    WHERE ARRAY(SELECT x FROM unnest(b.instruments) x ORDER BY x COLLATE "C")
                       <> ARRAY(SELECT DISTINCT m->>'instrument' COLLATE "C" FROM jsonb_array_elements(b.messages) m
                                ORDER BY 1)""")).isZero();
            // messages JSON: each element is a stored row, field for field, and every row is in one batch row
            assertThat(count(ds, """
                    SELECT count(*) FROM websocket_batches b CROSS JOIN LATERAL jsonb_array_elements(b.messages) m
                    JOIN websocket_messages w ON w.connector_id = m->>'connector_id'
                         AND w.message_number = (m->>'message_number')::bigint
                    WHERE w.exchange = m->>'exchange' AND w.instrument = m->>'instrument'
                      AND w.price = (m->>'price')::numeric AND w.data = m->'data'
                      AND w.timestamp = (m->>'timestamp')::timestamptz AND w.message_type = m->>'message_type'
                      AND w.format = m->>'format' AND w.latency_ms = (m->>'latency_ms')::numeric
                      AND w.extract_time = (m->>'extract_time')::numeric
                      AND w.transform_time = (m->>'transform_time')::numeric
                      AND w.load_time = (m->>'load_time')::numeric AND w.total_time = (m->>'total_time')::numeric
                    """)).isEqualTo(total);
            // one load time per batch (one bulk write)
            assertThat(count(ds, """
                    SELECT count(*) FROM (SELECT b.id FROM websocket_batches b, jsonb_array_elements(b.messages) m
                                          GROUP BY b.id HAVING count(DISTINCT m->>'load_time') <> 1) x""")).isZero();
            // metrics: percentiles ordered, the rest present and sane
            assertThat(count(ds, """
                    SELECT count(*) FROM websocket_batches
                    WHERE NOT ((metrics->>'latency_p50_ms')::numeric <= (metrics->>'latency_p95_ms')::numeric
                           AND (metrics->>'latency_p95_ms')::numeric <= (metrics->>'latency_p99_ms')::numeric
                           AND (metrics->>'latency_p99_ms')::numeric <= (metrics->>'latency_max_ms')::numeric)
                       OR (metrics->>'latency_samples')::int <> total_messages
                       OR (metrics->>'bytes')::bigint <= 0 OR (metrics->>'frames')::int <= 0
                       OR (metrics->>'window_ms')::numeric < (metrics->>'span_ms')::numeric
                       OR (metrics->>'malformed_frames')::int <> 0
                       OR metrics->>'completed_by' NOT IN ('predicate', 'interval', 'force')
                       OR (metrics->>'extract_ms_mean') IS NULL OR (metrics->>'transform_ms_mean') IS NULL
                       OR (metrics->>'load_ms_mean')::numeric <= 0
                       OR (metrics->>'last_message_number')::bigint - (metrics->>'first_message_number')::bigint + 1
                          <> total_messages
                       OR metrics->>'writer' <> '""" + writer + "'"
                    + " OR messages_per_second <= 0")).isZero();
            // Micrometer: rows loaded and batches counted by the route
            assertThat(p.counter("market_etl_rows_loaded")).isEqualTo((double) total);
            assertThat(p.counter("market_etl_batches"))
                    .isEqualTo((double) count(ds, "SELECT count(*) FROM websocket_batches"));
            assertThat(p.backlog().messages()).isZero();
        }
    }
}
