package io.marketetl.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.TestDatabase;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.Test;

/**
 * The loader's batch-row insert, run twice for one batch (what writing the row alone again after a lost reply does):
 * one row. A different batch of the same source still gets its own row.
 */
class BatchRowIdempotenceTest {

    @Test
    void aRetriedBatchRowInsertWritesOneRow() throws Exception {
        String sql = MessageLoader.BATCH_ROW_SQL;
        try (TestDatabase db = TestDatabase.create()) {
            for (String metrics : new String[] {"{\"first_message_number\": 1}", "{\"first_message_number\": 1}",
                    "{\"first_message_number\": 1001}"}) {
                try (var c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, "okx");
                    ps.setString(2, "okx-spot");
                    ps.setInt(3, 1000);
                    ps.setBigDecimal(4, new java.math.BigDecimal("5000.00"));
                    ps.setString(5, "{BTC-USDT}");
                    ps.setString(6, "[]");
                    ps.setString(7, metrics);
                    ps.executeUpdate();
                }
            }
            assertThat(db.queryLong("SELECT count(*) FROM websocket_batches")).isEqualTo(2);
            assertThat(db.queryLong("SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(2000);
        }
    }
}
