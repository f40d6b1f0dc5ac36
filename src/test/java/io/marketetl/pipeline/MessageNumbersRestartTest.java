package io.marketetl.pipeline;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * message_number is per source and continues across restarts: from connector_status.last_message_number (which the
 * loader advances in the rows' transaction), and for a source without a status row from its stored rows.
 */
class MessageNumbersRestartTest {

    private static final Map<String, String> SETTINGS = Map.of("market-etl.batch.max-messages", "64",
            "market-etl.batch.max-wait-ms", "100");

    @Test
    void numbersContinueAcrossRestarts() {
        try (TestDatabase db = TestDatabase.create()) {
            DataSource ds = db.dataSource();
            // okx-trades is a registered connector (status row); binance-trades is defined only in a route file
            db.execute("INSERT INTO api_connectors (connector_id, name, api_url) VALUES ('okx-trades', 'OKX trades',"
                    + " 'wss://ws.okx.com/ws/v5/public')");
            db.execute("INSERT INTO connector_status (connector_id) VALUES ('okx-trades')");

            long okx = 0;
            long binance = 0;
            for (int run = 0; run < 3; run++) {
                if (run == 2) {
                    // a status row that lags behind the rows (created late, or restored from an old backup)
                    db.execute("UPDATE connector_status SET last_message_number = 5 WHERE connector_id = 'okx-trades'");
                }
                try (PipelineHarness p = PipelineHarness.start(ds, SETTINGS)) {
                    Feeder a = new Feeder(p, new MarketMessageFactory("okx-trades", Style.OKX, run));
                    Feeder b = new Feeder(p, new MarketMessageFactory("binance-trades", Style.BINANCE, run));
                    a.sendMessages(300);
                    b.sendMessages(200);
                    okx += a.messages();
                    binance += b.messages();
                    p.stop();
                }
                assertThat(count(ds, "SELECT last_message_number FROM connector_status"
                        + " WHERE connector_id = 'okx-trades'")).isEqualTo(okx);
            }
            assertThat(rows(ds, """
                    SELECT connector_id, count(*), count(DISTINCT message_number), min(message_number),
                           max(message_number)
                    FROM websocket_messages GROUP BY 1 ORDER BY 1"""))
                    .containsExactly(List.of("binance-trades", binance, binance, 1L, binance),
                            List.of("okx-trades", okx, okx, 1L, okx));
            // no status row was invented for the unregistered source
            assertThat(count(ds, "SELECT count(*) FROM connector_status")).isEqualTo(1);
        }
    }
}
