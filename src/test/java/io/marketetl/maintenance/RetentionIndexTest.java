package io.marketetl.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The plan PostgreSQL picks for each retention chunk, on tables of 60 days of rows (one a minute per connector,
 * half of them past a 30-day limit) after ANALYZE, with no planner setting: the oldest rows are found through the
 * table's time index (never a sequential scan of the table), so a chunk costs the same on a table of any size.
 */
class RetentionIndexTest {

    private static final Map<RetentionTable, String> INDEX = Map.of(
            RetentionTable.WEBSOCKET_MESSAGES, "idx_websocket_messages_timestamp_exchange",
            // (timestamp DESC) or (timestamp DESC, exchange): either leads with the time
            RetentionTable.WEBSOCKET_BATCHES, "idx_websocket_batches_timestamp(_exchange)?",
            RetentionTable.API_CONNECTOR_DATA, "idx_api_connector_data_timestamp",
            RetentionTable.MALFORMED_FRAMES, "idx_dead_letters_connector_received"); // V8: a view of dead_letters

    @ParameterizedTest
    @EnumSource(RetentionTable.class)
    void eachChunkIsFoundThroughTheTablesTimeIndex(RetentionTable table) throws SQLException {
        try (TestDatabase db = TestDatabase.create(); Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            fill(s, table);
            s.execute("ANALYZE " + table.relation());
            OffsetDateTime cutoff = OffsetDateTime.now(ZoneOffset.UTC).minusDays(30);

            String plan = explain(c, table.deleteChunkSql(), table.perConnector() ? "feed-3" : null, cutoff);
            // the rows through the time index, then deleted through the primary key
            assertThat(plan).as(plan).containsPattern(throughIndex(table))
                    .contains("using " + table.relation() + "_pkey on " + table.relation())
                    .doesNotContain("Seq Scan on " + table.relation());
            if (table.perConnector()) {
                String connectors = explain(c, table.connectorsSql(), null, null);
                assertThat(connectors).as(connectors).containsPattern(throughIndex(table))
                        .doesNotContain("Seq Scan on " + table.relation());
            }
        }
    }

    /** An index scan (forward, backward, index-only) or a bitmap index scan of the table's time index. */
    private static String throughIndex(RetentionTable table) {
        String index = INDEX.get(table);
        return "(Index (Only )?Scan (Backward )?using " + index + " on " + table.relation() + " |Bitmap Index Scan on "
                + index + " )";
    }

    private static String explain(Connection c, String sql, String connector, OffsetDateTime cutoff)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("EXPLAIN " + sql)) {
            int i = 1;
            if (connector != null) {
                p.setString(i++, connector);
            }
            if (cutoff != null) {
                p.setObject(i++, cutoff);
                p.setInt(i, 5000);
            }
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = p.executeQuery()) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }

    /** 60 days, one row a minute for each of 10 connectors (864,000 rows would be slow: every 10th minute). */
    private static void fill(Statement s, RetentionTable table) throws SQLException {
        String series = "generate_series(now() - interval '60 days', now(), interval '10 minutes') ts,"
                + " generate_series(1, 10) k";
        switch (table) {
            case WEBSOCKET_MESSAGES -> s.execute("INSERT INTO websocket_messages (timestamp, exchange, instrument,"
                    + " data, connector_id) SELECT ts, 'okx', 'BTC-USDT', '{}', 'feed-' || k FROM " + series);
            case WEBSOCKET_BATCHES -> s.execute("INSERT INTO websocket_batches (timestamp, exchange, total_messages,"
                    + " messages_per_second, messages, connector_id) SELECT ts, 'okx', 1, 1, '[]', 'feed-' || k FROM "
                    + series);
            case API_CONNECTOR_DATA -> {
                s.execute("INSERT INTO api_connectors (connector_id, name, api_url) SELECT 'feed-' || k, 'f', 'http://x'"
                        + " FROM generate_series(1, 10) k");
                s.execute("INSERT INTO api_connector_data (connector_id, timestamp, data) SELECT 'feed-' || k, ts, '{}'"
                        + " FROM " + series);
            }
            case MALFORMED_FRAMES -> s.execute("INSERT INTO malformed_frames (connector_id, received_at, reason, frame)"
                    + " SELECT 'feed-' || k, ts, 'not JSON', 'x' FROM " + series);
        }
    }
}
