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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A batch completes at max-messages messages (not frames) or after max-wait-ms, whichever comes first. */
class BatchCompletionTest {

    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = TestDatabase.create();
    }

    @AfterAll
    static void dropDatabase() {
        db.close();
    }

    @BeforeEach
    void empty() {
        db.execute("TRUNCATE websocket_messages, websocket_batches");
    }

    @Test
    void sizeCompletesABatchAtMaxMessagesCountingMessagesNotFrames() {
        DataSource ds = db.dataSource();
        // time cannot complete a batch during this test: only size can
        try (PipelineHarness p = PipelineHarness.start(ds, Map.of("market-etl.batch.max-messages", "100",
                "market-etl.batch.max-wait-ms", "600000"))) {
            Feeder single = new Feeder(p, new MarketMessageFactory("binance-trades", Style.BINANCE, 1));
            Feeder triple = new Feeder(p, new MarketMessageFactory("okx-trades", Style.OKX, 2));
            for (int i = 0; i < 250; i++) {
                single.sendFrame(1);
            }
            for (int i = 0; i < 80; i++) {
                triple.sendFrame(3); // 240 messages in 80 frames
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_batches") == 4);
            // one-message frames: exactly 100; three-message frames: the frame that reaches 100 closes it (102)
            assertThat(rows(ds, "SELECT connector_id, total_messages, (metrics->>'frames')::int,"
                    + " metrics->>'completed_by' FROM websocket_batches ORDER BY connector_id, id"))
                    .containsExactly(
                            List.of("binance-trades", 100, 100, "predicate"),
                            List.of("binance-trades", 100, 100, "predicate"),
                            List.of("okx-trades", 102, 34, "predicate"),
                            List.of("okx-trades", 102, 34, "predicate"));
            // the rest waits in open batches until the stop flushes them
            p.stop();
            assertThat(rows(ds, "SELECT connector_id, total_messages, metrics->>'completed_by' FROM websocket_batches"
                    + " WHERE metrics->>'completed_by' <> 'predicate' ORDER BY connector_id"))
                    .containsExactly(List.of("binance-trades", 50, "force"), List.of("okx-trades", 36, "force"));
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(250 + 240);
        }
    }

    @Test
    void timeCompletesABatchThatDoesNotFill() {
        DataSource ds = db.dataSource();
        try (PipelineHarness p = PipelineHarness.start(ds, Map.of("market-etl.batch.max-messages", "1000",
                "market-etl.batch.max-wait-ms", "300"))) {
            Feeder feeder = new Feeder(p, new MarketMessageFactory("binance-trades", Style.BINANCE, 3));
            for (int i = 0; i < 10; i++) {
                feeder.sendFrame(1);
            }
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_batches") == 1);
            assertThat(rows(ds, "SELECT total_messages, metrics->>'completed_by' FROM websocket_batches"))
                    .containsExactly(List.of(10, "interval"));
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(10);
            // a window no longer than about one completion interval (plus loading): the latency bound
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches"
                    + " WHERE (metrics->>'window_ms')::numeric > 0")).isEqualTo(1);
        }
    }
}
