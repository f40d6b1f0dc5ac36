package io.marketetl.load;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.normalise.MarketMessage;
import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One message the database refuses (data that is not JSON) must not stall its source or take its batch down:
 * it is isolated, kept in dead_letters with its SQLSTATE and counted; every other message is stored.
 */
class RefusedDataTest {

    @ParameterizedTest
    @ValueSource(strings = {"copy", "sql"})
    void aRefusedMessageIsADeadLetterAndTheRestIsStored(String writer) {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of("market-etl.load.writer", writer,
                        "market-etl.batch.max-messages", "50", "market-etl.batch.max-wait-ms", "100"))) {
            DataSource ds = db.dataSource();
            Feeder feeder = new Feeder(p, new MarketMessageFactory("binance-trades", Style.BINANCE, 4));
            feeder.sendMessages(60);
            Instant now = Instant.now();
            p.send(List.of(new MarketMessage("binance-trades", "binance", "Binance", "trade", "BTC-USDT",
                    new BigDecimal("108250.01"), "{\"e\":\"trade\",\"p\":", null, now, now, System.nanoTime(), 20)));
            feeder.sendMessages(60);
            long stored = feeder.messages();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_messages") == stored);
            p.stop();

            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(stored);
            // the refused message had number 61: the numbers around it are stored
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE message_number = 61")).isZero();
            assertThat(count(ds, "SELECT max(message_number) FROM websocket_messages")).isEqualTo(stored + 1);
            assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(stored);
            assertThat(count(ds, "SELECT sum((metrics->>'rows_rejected')::int) FROM websocket_batches")).isEqualTo(1);
            assertThat(p.counter("market_etl_rows_rejected")).isEqualTo(1.0);
            // not just a log line: the refused row is a dead letter, with its data verbatim
            assertThat(rows(ds, "SELECT connector_id, kind, payload FROM dead_letters")).containsExactly(
                    List.of("binance-trades", "refused_row", "{\"e\":\"trade\",\"p\":"));
            assertThat(rows(ds, "SELECT reason FROM dead_letters").get(0).get(0).toString())
                    .startsWith("sqlstate_22P02: message #61 binance BTC-USDT trade: ");
            assertThat(p.meters().find("market_etl_dead_letters").tag("source", "binance-trades")
                    .tag("reason", "sqlstate_22P02").counter().count()).isEqualTo(1.0);
            assertThat(p.backlog().messages()).isZero();
        }
    }
}
