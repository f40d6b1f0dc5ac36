package io.marketetl.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.marketetl.testsupport.SchemaSnapshot;
import io.marketetl.testsupport.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Backup and restore" commands, run as written there: a database with rows in every table is dumped
 * with {@code pg_dump -Fc}, restored with {@code pg_restore} into a new database, and the two compared table by table
 * (row count and an md5 over every row in primary-key order), sequence by sequence, schema by schema; the restored
 * database then takes new rows with ids above the old ones and the application's migration finds nothing to do.
 */
class BackupRestoreTest {

    /** The tables of the schema; a new table fails this test until it gets rows below. */
    private static final List<String> TABLES = List.of("api_connector_data", "api_connectors", "connector_status",
            "dead_letters", "flyway_schema_history", "trade_gaps", "websocket_batches", "websocket_messages");

    @TempDir
    Path dir;

    @Test
    void readmeCommandsRestoreEveryRowSequenceAndIndex() throws Exception {
        List<List<String>> commands = readmeLocalCommands();
        assertEquals(List.of("pg_dump", "createdb", "pg_restore"),
                commands.stream().map(c -> c.get(0)).toList(), "README backup commands");

        TestDatabase source = TestDatabase.create();
        TestDatabase restored = TestDatabase.reserveName();
        try (source; restored) {
            populate(source);
            assertEquals(TABLES, source.rows("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'"
                    + " ORDER BY 1").stream().map(r -> (String) r.get(0)).toList(), "tables of the schema");
            for (String table : TABLES) {
                assertTrue(source.queryLong("SELECT count(*) FROM " + table) > 0, table + " has rows");
            }

            Path dump = dir.resolve("etl_tool.dump");
            for (List<String> command : commands) {
                run(substitute(command, source, restored, dump));
            }
            assertTrue(Files.size(dump) > 0, "dump file written");
            assertTrue(restored.exists(), "restored database created");

            for (String table : TABLES) {
                assertEquals(source.queryLong("SELECT count(*) FROM " + table),
                        restored.queryLong("SELECT count(*) FROM " + table), table + " row count");
                String checksum = checksumSql(source, table);
                assertEquals(source.queryString(checksum), restored.queryString(checksum), table + " checksum");
            }
            assertEquals(sequences(source), sequences(restored), "sequence positions");
            assertFalse(sequences(source).isEmpty(), "sequences found");
            assertEquals(SchemaSnapshot.of(source.dataSource()), SchemaSnapshot.of(restored.dataSource()),
                    "columns, constraints and indexes");
            assertEquals(source.queryString("SELECT attcompression::text FROM pg_attribute"
                    + " WHERE attrelid = 'websocket_batches'::regclass AND attname = 'messages'"),
                    restored.queryString("SELECT attcompression::text FROM pg_attribute"
                    + " WHERE attrelid = 'websocket_batches'::regclass AND attname = 'messages'"),
                    "websocket_batches.messages compression");

            assertNewRowsGetFreshIds(source, restored);

            long migrations = restored.queryLong("SELECT count(*) FROM flyway_schema_history");
            assertEquals(0, DatabaseBootstrap.migrate(restored.dataSource(), restored.settings()).migrationsExecuted,
                    "the application's migration finds the restored schema current");
            assertEquals(migrations, restored.queryLong("SELECT count(*) FROM flyway_schema_history"));
        }
    }

    /** The first bash block of the README's "Backup and restore" section, one command a line. */
    private static List<List<String>> readmeLocalCommands() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        int section = readme.indexOf("\n## Backup and restore\n");
        assertTrue(section >= 0, "README has a Backup and restore section");
        int start = readme.indexOf("```bash\n", section) + "```bash\n".length();
        int end = readme.indexOf("```", start);
        return readme.substring(start, end).lines().map(String::strip).filter(l -> !l.isEmpty())
                .map(l -> Arrays.asList(l.split("\\s+"))).toList();
    }

    /** The README's names replaced by this test's: server, user, both databases and the dump file. */
    private static List<String> substitute(List<String> command, TestDatabase source, TestDatabase restored,
            Path dump) {
        DatabaseSettings s = source.settings();
        Map<String, String> names = Map.of("127.0.0.1", s.host(), "5432", String.valueOf(s.port()),
                "postgres", s.user(), "etl_tool", source.name(), "etl_tool_restored", restored.name(),
                "etl_tool.dump", dump.toString());
        return command.stream().map(t -> names.getOrDefault(t, t)).toList();
    }

    private static void run(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        String password = System.getenv("TEST_POSTGRES_PASSWORD");
        if (password != null && !password.isBlank()) {
            pb.environment().put("PGPASSWORD", password);
        }
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + command);
        assertEquals(0, p.exitValue(), command + " failed:\n" + new String(out, StandardCharsets.UTF_8));
    }

    /** md5 over the text form of every row, in primary-key order. */
    private static String checksumSql(TestDatabase db, String table) {
        String key = db.rows("SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid"
                + " AND a.attnum = ANY (i.indkey) WHERE i.indrelid = '" + table + "'::regclass AND i.indisprimary"
                + " ORDER BY a.attnum").stream().map(r -> "t." + r.get(0)).collect(Collectors.joining(", "));
        assertFalse(key.isEmpty(), table + " has a primary key");
        return "SELECT md5(string_agg(t::text, E'\\n' ORDER BY " + key + ")) FROM " + table + " t";
    }

    private static Map<String, String> sequences(TestDatabase db) {
        Map<String, String> out = new TreeMap<>();
        for (List<Object> r : db.rows("SELECT sequencename::text, last_value::text, data_type::text"
                + " FROM pg_sequences WHERE schemaname = 'public'")) {
            out.put((String) r.get(0), r.get(1) + " " + r.get(2));
        }
        return out;
    }

    private static void assertNewRowsGetFreshIds(TestDatabase source, TestDatabase restored) {
        // api_connectors first: the other rows refer to its new connector (foreign keys restored too)
        Map<String, String> inserts = new LinkedHashMap<>();
        inserts.put("api_connectors", "INSERT INTO api_connectors (connector_id, name, api_url)"
                + " VALUES ('after-restore', 'after restore', 'https://www.okx.com/api/v5/market/ticker')");
        inserts.put("connector_status", "INSERT INTO connector_status (connector_id, status)"
                + " VALUES ('after-restore', 'running')");
        inserts.put("websocket_messages", "INSERT INTO websocket_messages (exchange, instrument, price, data,"
                + " connector_id, message_number) VALUES ('okx', 'BTC-USDT', 97000.1,"
                + " '{\"px\":\"97000.1\"}', 'okx-spot', 100000)");
        inserts.put("websocket_batches", "INSERT INTO websocket_batches (exchange, total_messages, messages_per_second,"
                + " messages, connector_id) VALUES ('okx', 1, 1, '[]', 'okx-spot')");
        inserts.put("api_connector_data", "INSERT INTO api_connector_data (connector_id, data)"
                + " VALUES ('after-restore', '{}')");
        inserts.put("dead_letters", "INSERT INTO dead_letters (connector_id, kind, reason, payload)"
                + " VALUES ('okx-spot', 'refused_row', 'sqlstate_22P02: not JSON', 'x')");
        inserts.put("trade_gaps", "INSERT INTO trade_gaps (connector_id, exchange, instrument, message_type,"
                + " from_trade_id, to_trade_id, cause) VALUES ('okx-spot', 'okx', 'ETH-USDT', 'trade', 900, 950, 'stream')");
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, String> e : inserts.entrySet()) {
            String table = e.getKey();
            long max = source.queryLong("SELECT max(id) FROM " + table);
            restored.execute(e.getValue());
            long id = restored.queryLong("SELECT max(id) FROM " + table);
            long count = restored.queryLong("SELECT count(*) FROM " + table);
            if (id != max + 1 || count != source.queryLong("SELECT count(*) FROM " + table) + 1) {
                failures.add(table + ": new id " + id + " after max " + max);
            }
        }
        assertEquals(List.of(), failures, "new rows after the restore");
    }

    /** Rows shaped like the application's: two WebSocket sources, one HTTP connector, batches, bad frames. */
    private static void populate(TestDatabase db) {
        db.execute("""
                INSERT INTO api_connectors (connector_id, name, api_url, http_method, auth_type, credentials_encrypted,
                        headers_encrypted, status, polling_interval, protocol_type, exchange_name, cron_expression,
                        extract, response_rules, origin)
                VALUES ('okx-spot', 'OKX spot trades', 'wss://ws.okx.com:8443/ws/v5/public', 'GET', 'None', NULL,
                        NULL, 'active', 1000, 'websocket', 'okx', NULL, NULL, NULL, 'route'),
                       ('binance-spot', 'Binance spot trades', 'wss://stream.binance.com:9443/stream', 'GET', 'None',
                        NULL, NULL, 'active', 1000, 'websocket', 'binance', NULL, NULL, NULL, 'route'),
                       ('okx-ticker', 'OKX BTC ticker', 'https://www.okx.com/api/v5/market/ticker?instId=BTC-USDT',
                        'GET', 'HMAC', 'v1:q8Zr1N0x4c2bYk3T9p0wJ5mA7sLdE6fH', 'v1:Hd92kLp0QmZ7xRt1', 'active', 1000,
                        'http', 'okx', '0/5 * * * * ?', '{"price": "$.data[0].last", "instrument": "$.data[0].instId"}',
                        '{"retryOn": [429, 503]}', 'api')
                """);
        db.execute("""
                INSERT INTO connector_status (connector_id, status, last_message_timestamp, message_count, error_log,
                        reconnect_attempts, last_error, performance_metrics, last_message_number)
                VALUES ('okx-spot', 'running', '2026-12-02 21:59:59.123456+00', 3000, NULL, 0, NULL,
                        '{"messagesPerSecond": 412.5}', 3000),
                       ('binance-spot', 'reconnecting', '2026-12-02 21:59:58.5+00', 1500,
                        E'connection reset by peer\\nretry in 2 s', 3, '2026-12-02 21:59:58.9+00', NULL, 1500),
                       ('okx-ticker', 'running', '2026-12-02 21:59:55+00', 200, NULL, 0, NULL, NULL, 200)
                """);
        db.execute("""
                INSERT INTO websocket_messages (timestamp, exchange, instrument, price, data, message_type, latency_ms,
                        message_number, format, extract_time, transform_time, load_time, total_time, connector_id)
                SELECT timestamp '2026-12-02 21:00:00' AT TIME ZONE 'UTC' + n * interval '1.234567 ms',
                       CASE WHEN n % 2 = 0 THEN 'okx' ELSE 'binance' END,
                       CASE WHEN n % 97 = 0 THEN NULL WHEN n % 3 = 0 THEN 'ETH-USDT' ELSE 'BTC-USDT' END,
                       round((97000 + n * 0.01234567)::numeric, 8),
                       jsonb_build_object('arg', jsonb_build_object('channel', 'trades', 'instId', 'BTC-USDT'),
                           'data', jsonb_build_array(jsonb_build_object('px', (97000 + n * 0.01)::text,
                               'sz', '0.0' || (n % 9 + 1), 'side', CASE WHEN n % 5 = 0 THEN 'sell' ELSE 'buy' END,
                               'tradeId', (240000000 + n)::text, 'ts', (1764709200000 + n)::text))),
                       'trade', round((n % 400 * 0.137)::numeric, 3), n / 2 + 1, 'okx-v5',
                       0.000123, 0.000045, 0.001234, 0.001402,
                       CASE WHEN n % 2 = 0 THEN 'okx-spot' ELSE 'binance-spot' END
                FROM generate_series(1, 4500) AS n
                """);
        db.execute("""
                INSERT INTO websocket_batches (timestamp, exchange, total_messages, messages_per_second, instruments,
                        messages, metrics, connector_id)
                SELECT min(m.timestamp), m.exchange, count(*), 412.50, array_agg(DISTINCT m.instrument),
                       jsonb_agg(m.data ORDER BY m.id), jsonb_build_object('loadMs', 12.5, 'first', min(m.message_number)),
                       m.connector_id
                FROM websocket_messages m
                GROUP BY m.exchange, m.connector_id, m.id / 150
                """);
        db.execute("""
                INSERT INTO api_connector_data (connector_id, timestamp, exchange, instrument, price, data,
                        message_type, raw_response, status_code, response_time_ms, source_id, session_id, latency_ms,
                        message_number, extract_time, transform_time, load_time, total_time)
                SELECT 'okx-ticker', timestamp '2026-12-02 21:00:00' AT TIME ZONE 'UTC' + n * interval '5 s', 'okx',
                       'BTC-USDT', 97000 + n * 0.5, jsonb_build_object('last', (97000 + n * 0.5)::text),
                       'api_response', jsonb_build_object('code', '0', 'data', jsonb_build_array(
                           jsonb_build_object('instId', 'BTC-USDT', 'last', (97000 + n * 0.5)::text))),
                       CASE WHEN n % 50 = 0 THEN 429 ELSE 200 END, 85.25, 'okx-ticker', 'session-1', 85.25, n,
                       0.085, 0.000210, 0.001100, 0.086310
                FROM generate_series(1, 200) AS n
                """);
        db.execute("""
                INSERT INTO trade_gaps (connector_id, exchange, instrument, message_type, from_trade_id, to_trade_id,
                        cause, status, attempts, trades_backfilled, trades_missing, last_error, resolved_at)
                VALUES ('okx-spot', 'okx', 'BTC-USDT', 'trade', 240000100, 240000160, 'stream', 'filled', 1, 61, 0,
                        NULL, '2026-12-02 21:05:00+00'),
                       ('binance-spot', 'binance', 'BTC-USDT', 'trade', 5000, 9000, 'restart', 'unfillable', 8, 0,
                        4001, 'the REST history lacks 4001 of the 4001 ids', '2026-12-02 22:00:00+00')
                """);
        db.execute("""
                UPDATE websocket_messages SET backfilled = TRUE WHERE id % 500 = 0
                """);
        db.execute("""
                INSERT INTO malformed_frames (connector_id, received_at, reason, frame)
                SELECT CASE WHEN n % 2 = 0 THEN 'okx-spot' ELSE 'binance-spot' END,
                       timestamp '2026-12-02 21:30:00' AT TIME ZONE 'UTC' + n * interval '1 s',
                       CASE WHEN n % 3 = 0 THEN 'not JSON' ELSE 'no price in trade' END,
                       '{"data":[{"px":"' || n || E'","note":"tab\\there, quote \\", backslash \\\\, ünïcødé €"}]'
                FROM generate_series(1, 25) AS n
                """);
        // (V8: malformed_frames is a view of dead_letters; the rows above went there through it)
        db.execute("""
                INSERT INTO dead_letters (connector_id, received_at, kind, reason, payload)
                SELECT 'binance-spot', timestamp '2026-12-02 21:40:00' AT TIME ZONE 'UTC' + n * interval '1 s',
                       'refused_row', 'sqlstate_22P05: message #' || n, '{"s":"\\ud800"}'
                FROM generate_series(1, 5) AS n
                """);
    }
}
