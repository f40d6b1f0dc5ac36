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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A 6,000-message batch: 72,000 values, more than PostgreSQL's 65,535 bind parameters per statement. COPY has no
 * such limit; the camel-sql path stays under it because the driver splits the rewritten multi-row INSERTs.
 */
class LargeBatchTest {

    @ParameterizedTest
    @ValueSource(strings = {"copy", "sql"})
    void aBatchBeyondTheBindParameterLimitIsWrittenInOneTransaction(String writer) {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of("market-etl.load.writer", writer,
                        "market-etl.batch.max-messages", "6000", "market-etl.batch.max-wait-ms", "600000"))) {
            DataSource ds = db.dataSource();
            Feeder feeder = new Feeder(p, new MarketMessageFactory("okx-trades", Style.OKX, 5));
            for (int i = 0; i < 60; i++) {
                feeder.sendFrame(100);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_batches") == 1);
            assertThat(count(ds, "SELECT total_messages FROM websocket_batches")).isEqualTo(6000);
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(6000);
            assertThat(count(ds, "SELECT count(DISTINCT load_time) FROM websocket_messages")).isEqualTo(1);
            assertThat(p.counter("market_etl_load_failures")).isZero();
        }
    }
}
