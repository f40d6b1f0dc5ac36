package io.marketetl.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.SeedDocument;
import io.marketetl.testsupport.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PGobject;

/**
 * Every statement in the seed document's "Data Management", "Common Queries", "Index Usage", "Maintenance" and
 * "Monitoring" sections runs against the migrated schema, taken from the document's own code blocks, and the
 * answers are what a user of that query expects.
 */
class SeedQueriesTest {

    private TestDatabase db;

    @BeforeEach
    void createDatabase() {
        db = TestDatabase.create();
    }

    @AfterEach
    void dropDatabase() {
        db.close();
    }

    @Test
    void dataManagementInsertsAndQueriesWorkAsDocumented() throws SQLException {
        List<String> python = SeedDocument.pythonSql(SeedDocument.section("Data Management"));
        assertThat(python).hasSize(4);
        String insertMessage = python.get(0);
        String insertBatch = python.get(1);
        String recentByExchange = python.get(2);
        String countByExchange = python.get(3);
        OffsetDateTime t0 = OffsetDateTime.of(2026, 7, 10, 9, 20, 0, 0, ZoneOffset.UTC);
        try (Connection c = db.dataSource().getConnection()) {
            for (int i = 0; i < 5; i++) {
                run(c, insertMessage, t0.plusSeconds(i), i < 3 ? "okx" : "binance", "BTC-USDT",
                        new BigDecimal("108250.1").add(BigDecimal.valueOf(i)), json("{\"px\":\"108250.1\"}"), "trade");
            }
            run(c, insertBatch, t0, "okx", 3, new BigDecimal("1500.25"), json("[{\"px\":\"1\"}]"));

            List<List<Object>> recent = query(c, recentByExchange, "okx", 2);
            assertThat(recent).hasSize(2);
            assertThat(recent.get(0).get(2)).isEqualTo("okx");
            assertThat(query(c, countByExchange, "okx")).containsExactly(List.of(3L));
            assertThat(db.queryLong("SELECT count(*) FROM websocket_batches WHERE exchange = 'okx'")).isEqualTo(1);
        }
    }

    @Test
    void commonQueriesIndexUsageMaintenanceAndMonitoringStatementsRun() throws SQLException {
        db.execute("INSERT INTO api_connectors (connector_id, name, api_url) VALUES ('conn_abc', 'ABC', 'https://x')");
        db.execute("INSERT INTO api_connector_data (connector_id, data) VALUES ('conn_abc', '{}')");
        db.execute("INSERT INTO websocket_messages (exchange, instrument, price, data) VALUES"
                + " ('okx', 'BTC-USDT', 108000, '{}'), ('okx', 'BTC-USDT', 108001, '{}'), ('binance', 'ETH-USDT', 3800, '{}')");
        List<String> statements = new ArrayList<>();
        for (String section : List.of("Common Queries", "Index Usage", "Maintenance", "Database Size",
                "Table Statistics")) {
            statements.addAll(SeedDocument.sqlStatements(SeedDocument.section(section)));
        }
        assertThat(statements).hasSize(4 + 2 + 4 + 2 + 2);
        try (Connection c = db.dataSource().getConnection()) {
            c.setAutoCommit(true); // VACUUM refuses to run inside a transaction block
            for (String sql : statements) {
                // the document names the production database; ask about the test's own
                String adapted = sql.replace("'etl_tool'", "'" + db.name() + "'");
                try (Statement s = c.createStatement()) {
                    s.execute(adapted);
                } catch (SQLException e) {
                    throw new AssertionError("seed statement failed: " + sql, e);
                }
            }
            assertThat(query(c, statements.get(1))).containsExactlyInAnyOrder(List.of("okx", 2L), List.of("binance", 1L));
            assertThat(query(c, statements.get(2))).hasSize(2);
            assertThat(query(c, statements.get(3))).hasSize(1);
        }
    }

    private static PGobject json(String text) throws SQLException {
        PGobject o = new PGobject();
        o.setType("jsonb");
        o.setValue(text);
        return o;
    }

    private static String jdbc(String asyncpgSql) {
        return asyncpgSql.replaceAll("\\$\\d+", "?");
    }

    private static void run(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(jdbc(sql))) {
            bind(ps, params);
            ps.executeUpdate();
        }
    }

    private static List<List<Object>> query(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(jdbc(sql))) {
            bind(ps, params);
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.add(rs.getObject(i));
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }

    private static void bind(PreparedStatement ps, Object... params) throws SQLException {
        for (int i = 0; i < params.length; i++) {
            ps.setObject(i + 1, params[i]);
        }
    }
}
