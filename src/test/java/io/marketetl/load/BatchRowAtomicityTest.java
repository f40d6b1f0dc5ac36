package io.marketetl.load;

import static io.marketetl.testsupport.SqlRows.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A batch's messages and its websocket_batches row commit together: while the batch row cannot be written, none of
 * the batch's messages is visible either (a crash at that moment would leave neither half); once it can, both are
 * there, once.
 */
class BatchRowAtomicityTest {

    @Test
    void messagesAreNotCommittedWithoutTheirBatchRow() {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of(
                        "market-etl.batch.max-messages", "100",
                        "market-etl.load.retry-initial-ms", "20",
                        "market-etl.load.retry-max-ms", "200"))) {
            DataSource ds = db.dataSource();
            // the batch-row insert fails (a retryable error, as an outage would give) until the trigger is dropped
            db.execute("""
                    CREATE FUNCTION refuse_batch_rows() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN RAISE EXCEPTION 'batch rows are refused for this test' USING ERRCODE = '40001'; END $$;
                    CREATE TRIGGER refuse_batch_rows BEFORE INSERT ON websocket_batches
                        FOR EACH ROW EXECUTE FUNCTION refuse_batch_rows();""");
            Feeder feeder = new Feeder(p, new MarketMessageFactory("okx-trades", Style.OKX, 3));
            feeder.sendMessages(300);

            await().atMost(Duration.ofSeconds(20)).until(() -> p.counter("market_etl_load_failures") >= 3);
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isZero();
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches")).isZero();

            db.execute("DROP TRIGGER refuse_batch_rows ON websocket_batches");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_messages") == feeder.messages());
            p.stop();
            assertThat(count(ds, "SELECT count(DISTINCT message_number) FROM websocket_messages"))
                    .isEqualTo(feeder.messages());
            assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(feeder.messages());
            // every stored message is in exactly one batch row
            assertThat(count(ds, """
                    SELECT count(*) FROM websocket_batches b CROSS JOIN LATERAL jsonb_array_elements(b.messages) m
                    JOIN websocket_messages w ON w.connector_id = m->>'connector_id'
                         AND w.message_number = (m->>'message_number')::bigint""")).isEqualTo(feeder.messages());
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches WHERE (metrics->>'load_attempts')::int > 1"))
                    .isPositive();
        }
    }
}
