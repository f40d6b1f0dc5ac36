package io.marketetl.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.TestDatabase;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Retention on a real database: each table seeded with rows on both sides of its age limit (one second either side
 * of the cutoff included), the job run with chunks smaller than what it must delete. Exactly the rows past their
 * age go, the rest stay; a statement-level trigger records every DELETE's row count and transaction, which shows
 * the chunks are bounded and each commits on its own; the Prometheus text counts what was deleted.
 */
class RetentionJobTest {

    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static final int CHUNK = 4;

    @Test
    void deletesExactlyTheRowsPastTheirAgeInBoundedChunksEachItsOwnTransaction() {
        try (TestDatabase db = TestDatabase.create()) {
            Map<RetentionTable, Duration> ages = sampleAges();
            seed(db, ages, NOW, Duration.ofSeconds(1));
            recordDeleteStatements(db);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

            Map<RetentionTable, Long> deleted = job(db, new RetentionPolicy(ages, CHUNK), registry).run();

            assertThat(deleted).containsExactlyInAnyOrderEntriesOf(Map.of(RetentionTable.WEBSOCKET_MESSAGES, 23L,
                    RetentionTable.WEBSOCKET_BATCHES, 11L, RetentionTable.API_CONNECTOR_DATA, 9L,
                    RetentionTable.MALFORMED_FRAMES, 11L));
            // what is left is exactly the newer rows, the one a second inside the limit included
            for (RetentionTable t : RetentionTable.values()) {
                String column = t == RetentionTable.MALFORMED_FRAMES ? "received_at" : "timestamp";
                String cutoff = "timestamptz '" + NOW.minus(ages.get(t)).atOffset(ZoneOffset.UTC) + "'";
                assertThat(db.queryLong("SELECT count(*) FROM " + t.table() + " WHERE \"" + column + "\" < " + cutoff))
                        .as(t.table() + " rows past the age").isZero();
                assertThat(db.queryLong("SELECT count(*) FROM " + t.table() + " WHERE \"" + column + "\" = " + cutoff
                        + " + interval '1 second'")).as(t.table() + " rows a second inside")
                        .isEqualTo(t == RetentionTable.MALFORMED_FRAMES ? 2 : 1); // two connectors
            }
            assertThat(db.queryLong("SELECT count(*) FROM websocket_messages")).isEqualTo(7);
            assertThat(db.queryLong("SELECT count(*) FROM websocket_batches")).isEqualTo(4);
            assertThat(db.queryLong("SELECT count(*) FROM api_connector_data")).isEqualTo(5);
            assertThat(db.rows("SELECT connector_id, count(*) FROM malformed_frames GROUP BY 1 ORDER BY 1"))
                    .containsExactly(List.of("feed-a", 3L), List.of("feed-b", 2L));

            // 23 rows in chunks of 4: 5 full chunks, then 3; every chunk a transaction of its own
            assertThat(db.rows("SELECT rows FROM delete_log WHERE tbl = 'websocket_messages' ORDER BY seq"))
                    .extracting(r -> ((Number) r.get(0)).intValue()).containsExactly(4, 4, 4, 4, 4, 3);
            assertThat(db.queryLong("SELECT max(rows) FROM delete_log")).isEqualTo(CHUNK);
            assertThat(db.queryLong("SELECT count(DISTINCT txid) FROM delete_log"))
                    .isEqualTo(db.queryLong("SELECT count(*) FROM delete_log"));
            // malformed_frames one connector at a time: feed-a 6 (4 + 2), feed-b 5 (4 + 1)
            assertThat(db.rows("SELECT rows FROM delete_log WHERE tbl = 'dead_letters' ORDER BY seq"))
                    .extracting(r -> ((Number) r.get(0)).intValue()).containsExactly(4, 2, 4, 1);

            String scrape = registry.scrape();
            assertThat(scrape)
                    .contains("market_etl_retention_deleted_rows_total{table=\"websocket_messages\"} 23.0")
                    .contains("market_etl_retention_deleted_rows_total{table=\"websocket_batches\"} 11.0")
                    .contains("market_etl_retention_deleted_rows_total{table=\"api_connector_data\"} 9.0")
                    .contains("market_etl_retention_deleted_rows_total{table=\"malformed_frames\"} 11.0")
                    .contains("market_etl_retention_runs_total{result=\"ok\"} 1.0")
                    .containsPattern("(?m)^market_etl_retention_last_run_duration_seconds [0-9.eE-]+$");

            // a second run finds nothing more to delete
            assertThat(job(db, new RetentionPolicy(ages, CHUNK), registry).run().values()).containsOnly(0L);
            assertThat(registry.scrape()).contains("market_etl_retention_runs_total{result=\"ok\"} 2.0")
                    .contains("market_etl_retention_deleted_rows_total{table=\"websocket_messages\"} 23.0");
        }
    }

    @Test
    void offByDefaultDeletesNothing() {
        try (TestDatabase db = TestDatabase.create()) {
            Map<RetentionTable, Duration> ages = new EnumMap<>(RetentionTable.class);
            for (RetentionTable t : RetentionTable.values()) {
                ages.put(t, Duration.ofMinutes(1));
            }
            seed(db, ages, NOW, Duration.ofSeconds(1));
            long before = totalRows(db);
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            // the shipped settings: every age empty
            RetentionPolicy defaults = RetentionPolicy.fromSettings(key -> "", 5000);

            assertThat(job(db, defaults, registry).run()).isEmpty();

            assertThat(totalRows(db)).isEqualTo(before).isEqualTo(30 + 15 + 14 + 16);
            assertThat(registry.scrape()).doesNotContain("market_etl_retention_deleted_rows_total")
                    .doesNotContain("market_etl_retention_runs_total");
        }
    }

    @Test
    void stopsBetweenChunksWhenTheApplicationStops() {
        try (TestDatabase db = TestDatabase.create()) {
            Map<RetentionTable, Duration> ages = Map.of(RetentionTable.WEBSOCKET_MESSAGES, Duration.ofDays(30));
            seed(db, ages, NOW, Duration.ofSeconds(1));
            int[] chunksAllowed = {2};
            RetentionJob job = new RetentionJob(db.dataSource(), new RetentionPolicy(ages, CHUNK),
                    new MaintenanceMetrics(() -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)),
                    Clock.fixed(NOW, ZoneOffset.UTC), () -> chunksAllowed[0]-- > 0);

            assertThat(job.run()).containsEntry(RetentionTable.WEBSOCKET_MESSAGES, 2L * CHUNK);
            assertThat(db.queryLong("SELECT count(*) FROM websocket_messages")).isEqualTo(30 - 2 * CHUNK);
        }
    }

    /** messages 30 days, batches 7 days, API data 1 day, malformed frames 12 hours. */
    static Map<RetentionTable, Duration> sampleAges() {
        Map<RetentionTable, Duration> ages = new EnumMap<>(RetentionTable.class);
        ages.put(RetentionTable.WEBSOCKET_MESSAGES, Duration.ofDays(30));
        ages.put(RetentionTable.WEBSOCKET_BATCHES, Duration.ofDays(7));
        ages.put(RetentionTable.API_CONNECTOR_DATA, Duration.ofDays(1));
        ages.put(RetentionTable.MALFORMED_FRAMES, Duration.ofHours(12));
        return ages;
    }

    private static RetentionJob job(TestDatabase db, RetentionPolicy policy, PrometheusMeterRegistry registry) {
        return new RetentionJob(db.dataSource(), policy, new MaintenanceMetrics(() -> registry),
                Clock.fixed(NOW, ZoneOffset.UTC), () -> true);
    }

    private static long totalRows(TestDatabase db) {
        return db.queryLong("SELECT (SELECT count(*) FROM websocket_messages) + (SELECT count(*) FROM"
                + " websocket_batches) + (SELECT count(*) FROM api_connector_data) + (SELECT count(*) FROM"
                + " malformed_frames)");
    }

    /**
     * Per table, with cutoff = now - its age, rows at cutoff - margin, then a minute older each (old), and at cutoff +
     * margin, then a minute newer each (new): messages 23 old and 7 new, batches 11 and 4, API data 9 and 5, malformed
     * frames 6 + 5 old and 3 + 2 new for two connectors. Inserted newest first: physical order is not time order.
     */
    static void seed(TestDatabase db, Map<RetentionTable, Duration> ages, Instant now, Duration margin) {
        db.execute("INSERT INTO api_connectors (connector_id, name, api_url) VALUES ('rest-a', 'rest a', 'http://x')");
        BiFunction<Duration, Boolean, String> at = (age, old) -> "timestamptz '"
                + now.minus(age).plus(old ? margin.negated() : margin).atOffset(ZoneOffset.UTC) + "'";
        insert(db, at, ages.get(RetentionTable.WEBSOCKET_MESSAGES), 23, 7, ts ->
                "INSERT INTO websocket_messages (timestamp, exchange, data, connector_id) VALUES (" + ts
                        + ", 'okx', '{}', 'okx-spot')");
        insert(db, at, ages.get(RetentionTable.WEBSOCKET_BATCHES), 11, 4, ts ->
                "INSERT INTO websocket_batches (timestamp, exchange, total_messages, messages_per_second, messages,"
                        + " connector_id) VALUES (" + ts + ", 'okx', 1, 1, '[]', 'okx-spot')");
        insert(db, at, ages.get(RetentionTable.API_CONNECTOR_DATA), 9, 5, ts ->
                "INSERT INTO api_connector_data (connector_id, timestamp, data) VALUES ('rest-a', " + ts + ", '{}')");
        Duration malformed = ages.get(RetentionTable.MALFORMED_FRAMES);
        insert(db, at, malformed, 6, 3, ts -> "INSERT INTO malformed_frames (connector_id, received_at, reason, frame)"
                + " VALUES ('feed-a', " + ts + ", 'not JSON', 'x')");
        insert(db, at, malformed, 5, 2, ts -> "INSERT INTO malformed_frames (connector_id, received_at, reason, frame)"
                + " VALUES ('feed-b', " + ts + ", 'not JSON', 'x')");
    }

    private static void insert(TestDatabase db, BiFunction<Duration, Boolean, String> at,
            Duration age, int old, int young, Function<String, String> sql) {
        if (age == null) {
            return;
        }
        for (int i = young - 1; i >= 0; i--) {
            db.execute(sql.apply(at.apply(age, false) + " + interval '" + i + " minutes'"));
        }
        for (int i = 0; i < old; i++) {
            db.execute(sql.apply(at.apply(age, true) + " - interval '" + i + " minutes'"));
        }
    }

    /** Every DELETE statement on the four tables: its table, rows and transaction id. */
    private static void recordDeleteStatements(TestDatabase db) {
        db.execute("CREATE TABLE delete_log (seq BIGSERIAL, tbl TEXT, rows BIGINT, txid BIGINT)");
        db.execute("CREATE FUNCTION log_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " INSERT INTO delete_log (tbl, rows, txid) SELECT TG_TABLE_NAME, count(*), txid_current() FROM gone;"
                + " RETURN NULL; END $$");
        for (RetentionTable t : RetentionTable.values()) {
            db.execute("CREATE TRIGGER log_delete AFTER DELETE ON " + t.relation()
                    + " REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION log_delete()");
        }
    }
}
