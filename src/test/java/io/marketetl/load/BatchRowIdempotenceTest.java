package io.marketetl.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The batch-row insert of routes/pipeline.camel.yaml, exactly as the route has it, run twice for one batch (what a
 * retry after a lost reply does): one row. A different batch of the same source still gets its own row.
 */
class BatchRowIdempotenceTest {

    @Test
    void aRetriedBatchRowInsertWritesOneRow() throws Exception {
        String yaml = Files.readString(Path.of("routes/pipeline.camel.yaml"));
        Matcher m = Pattern.compile("uri: \"sql:(INSERT INTO websocket_batches.*?)\"", Pattern.DOTALL).matcher(yaml);
        assertThat(m.find()).isTrue();
        String sql = m.group(1).replaceAll("\\s+", " ").replaceAll(":#\\w+", "?");
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
