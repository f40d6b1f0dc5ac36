package io.marketetl.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.index.QueryPlans;
import io.marketetl.index.RealisticData;
import io.marketetl.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every statement of the query API (built by {@link QuerySql} exactly as the API builds it, each filter combination)
 * EXPLAINed on a realistic week of data (200,000 messages, 50,000 batch rows) after VACUUM ANALYZE, with no index
 * added for it. A listing, a price window, a bucket query must use an index in the plan PostgreSQL picks, both as a
 * custom plan (the values known) and as a generic one (what a statement prepared by the JDBC driver may switch to
 * after a few runs). The exact whole-table counts (/api/messages/counts, /api/monitoring's rows) read every row by
 * nature; for them the question is whether an index can serve them (an index-only scan), asked with
 * {@code enable_seqscan = off}, as IndexUsageTest does for the seed's aggregates.
 */
class QueryIndexUsageTest {

    private static final Instant NOW = Instant.now();

    @Test
    void everyQueryOfTheApiIsServedByAnIndex() throws SQLException {
        try (TestDatabase db = TestDatabase.create(); Connection c = db.dataSource().getConnection();
                Statement s = c.createStatement()) {
            RealisticData.fill(s, 200_000);
            fillBatches(s, 50_000);

            Instant hourAgo = NOW.minus(Duration.ofHours(1));
            Cursor cursor = new Cursor(NOW.minus(Duration.ofDays(2)), 123_456);
            Map<String, QuerySql.Statement> selective = new LinkedHashMap<>();
            selective.put("messages", messages(null, null, null, null, null, null));
            selective.put("messages exchange", messages("okx", null, null, null, null, null));
            selective.put("messages rare exchange", messages("custom", null, null, null, null, null));
            selective.put("messages instrument", messages(null, "BTC-USDT", null, null, null, null));
            selective.put("messages exchange+instrument", messages("binance", "I7-USDT", null, null, null, null));
            selective.put("messages message_type", messages(null, null, "trade", null, null, null));
            selective.put("messages last hour", messages(null, null, null, hourAgo, NOW, null));
            selective.put("messages all filters", messages("okx", "BTC-USDT", "trade", hourAgo, NOW, null));
            selective.put("messages page 2", messages(null, null, null, null, null, cursor));
            selective.put("messages exchange page 2", messages("okx", null, null, null, null, cursor));
            selective.put("messages exchange+instrument page 2", messages("okx", "BTC-USDT", null, null, null, cursor));
            selective.put("messages since page 2", messages(null, null, null, NOW.minus(Duration.ofDays(3)), null, cursor));
            selective.put("prices newest", QuerySql.prices(new QuerySql.PriceSeries(null, "BTC-USDT"), null, null, 1001));
            selective.put("prices window", QuerySql.prices(new QuerySql.PriceSeries(null, "BTC-USDT"), NOW.minus(Duration.ofDays(1)), NOW, 10_001));
            selective.put("prices 1m buckets", QuerySql.priceBuckets(new QuerySql.PriceSeries(null, "BTC-USDT"), PriceBucket.M1,
                    NOW.minus(Duration.ofMinutes(1000)), null, 1000));
            selective.put("prices 1h buckets in a window", QuerySql.priceBuckets(new QuerySql.PriceSeries(null, "I3-USDT"), PriceBucket.H1,
                    NOW.minus(Duration.ofDays(3)), NOW.minus(Duration.ofDays(1)), 1000));
            selective.put("prices older row", QuerySql.pricedRowBefore(new QuerySql.PriceSeries(null, "BTC-USDT"), null, NOW.minus(Duration.ofDays(1))));
            selective.put("prices older row in window", QuerySql.pricedRowBefore(new QuerySql.PriceSeries(null, "BTC-USDT"),
                    NOW.minus(Duration.ofDays(5)), NOW.minus(Duration.ofDays(1))));
            selective.put("prices of one exchange", QuerySql.prices(new QuerySql.PriceSeries("okx", "BTC-USDT"),
                    NOW.minus(Duration.ofDays(1)), NOW, 10_001));
            selective.put("prices 1m buckets of one exchange", QuerySql.priceBuckets(
                    new QuerySql.PriceSeries("binance", "BTC-USDT"), PriceBucket.M1,
                    NOW.minus(Duration.ofMinutes(1000)), null, 1000));
            selective.put("prices older row of one exchange", QuerySql.pricedRowBefore(
                    new QuerySql.PriceSeries("okx", "BTC-USDT"), null, NOW.minus(Duration.ofDays(1))));
            selective.put("batches", QuerySql.batches(null, null, false, 101));
            selective.put("batches exchange", QuerySql.batches("okx", null, false, 101));
            selective.put("batches page 2", QuerySql.batches(null, cursor, true, 11));
            selective.put("batches exchange page 2", QuerySql.batches("binance", cursor, false, 101));

            Map<String, QuerySql.Statement> aggregates = new LinkedHashMap<>();
            aggregates.put("counts by exchange", new QuerySql.Statement(QuerySql.COUNTS_BY_EXCHANGE, List.of()));
            for (String table : List.of("websocket_messages", "websocket_batches", "api_connector_data",
                    "api_connectors", "connector_status", "dead_letters")) {
                aggregates.put("rows of " + table, new QuerySql.Statement(QuerySql.countRows(table), List.of()));
            }

            List<String> report = new ArrayList<>();
            List<String> without = new ArrayList<>();
            for (Map.Entry<String, QuerySql.Statement> q : selective.entrySet()) {
                List<String> custom = plan(s, q.getValue(), "force_custom_plan", false);
                List<String> generic = plan(s, q.getValue(), "force_generic_plan", false);
                report.add(String.format("%-40s custom=%s generic=%s", q.getKey(), custom, generic));
                if (custom.isEmpty() || generic.isEmpty()) {
                    without.add(q.getKey() + ": " + q.getValue().sql());
                }
            }
            for (Map.Entry<String, QuerySql.Statement> q : aggregates.entrySet()) {
                List<String> natural = plan(s, q.getValue(), "auto", false);
                List<String> forced = natural.isEmpty() ? plan(s, q.getValue(), "auto", true) : natural;
                report.add(String.format("%-40s natural=%s forced=%s", q.getKey(), natural, forced));
                if (forced.isEmpty()) {
                    without.add(q.getKey() + " (even with enable_seqscan off): " + q.getValue().sql());
                }
            }
            report.forEach(System.out::println);
            assertThat(without).as("queries without an index in their plan").isEmpty();
        }
    }

    private static QuerySql.Statement messages(String exchange, String instrument, String type, Instant since,
            Instant until, Cursor before) {
        return QuerySql.messages(new QuerySql.MessageFilter(exchange, instrument, type, since, until), before, 101);
    }

    /** A week of batch rows (one per ~12 s), 45% okx, 45% binance, 10% custom, each with a small messages array. */
    private static void fillBatches(Statement s, int rows) throws SQLException {
        s.execute("""
                INSERT INTO websocket_batches (timestamp, exchange, connector_id, total_messages, messages_per_second,
                    instruments, messages, metrics)
                SELECT now() - random() * interval '7 days', ex, ex || '-trades', 2, 400.5, ARRAY['BTC-USDT'],
                       jsonb_build_array(jsonb_build_object('px', '108250.1'), jsonb_build_object('px', '108250.2')),
                       jsonb_build_object('first_message_number', g)
                FROM (SELECT g, CASE WHEN g % 20 < 9 THEN 'okx' WHEN g % 20 < 18 THEN 'binance' ELSE 'custom' END AS ex
                      FROM generate_series(1, ROWS) g) x""".replace("ROWS", Integer.toString(rows)));
        s.execute("VACUUM ANALYZE websocket_batches");
    }

    /**
     * The indexes of the statement's plan as a prepared statement with its parameters bound, under the given
     * {@code plan_cache_mode}.
     */
    private static List<String> plan(Statement s, QuerySql.Statement q, String mode, boolean seqscanOff)
            throws SQLException {
        StringBuilder sql = new StringBuilder();
        int n = 0;
        for (char ch : q.sql().toCharArray()) {
            if (ch == '?') {
                sql.append('$').append(++n);
            } else {
                sql.append(ch);
            }
        }
        assertThat(n).as("parameters of %s", q.sql()).isEqualTo(q.params().size());
        s.execute("PREPARE query_api_plan AS " + sql);
        try {
            s.execute("SET plan_cache_mode = " + mode);
            String args = q.params().isEmpty() ? ""
                    : q.params().stream().map(QueryIndexUsageTest::literal).collect(Collectors.joining(", ", "(", ")"));
            return QueryPlans.indexesUsed(s, "EXECUTE query_api_plan" + args, seqscanOff);
        } finally {
            s.execute("RESET plan_cache_mode");
            s.execute("DEALLOCATE query_api_plan");
        }
    }

    private static String literal(Object v) {
        if (v instanceof Number) {
            return v.toString();
        }
        if (v instanceof String || v instanceof OffsetDateTime) {
            return "'" + v.toString().replace("'", "''") + "'";
        }
        throw new IllegalArgumentException("no literal for " + v.getClass());
    }
}
