package io.marketetl.query;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of the query API, one builder per question, each with only the conditions the request has (so that every
 * plan is a custom one that can use an index: no {@code ? IS NULL OR ...}). Parameters are always bound, never
 * written into the text. QueryIndexUsageTest EXPLAINs exactly these statements on realistic data.
 *
 * <p>Indexes they rely on (V1/V4, none added): websocket_messages (timestamp DESC, exchange), (instrument,
 * timestamp DESC), (exchange, instrument, timestamp DESC); websocket_batches (timestamp DESC),
 * (timestamp DESC, exchange), (exchange).
 */
final class QuerySql {

    /** A statement and its parameters in order. */
    record Statement(String sql, List<Object> params) {
    }

    /** Whose prices: an instrument, on one exchange or (exchange null) on every exchange that trades it. */
    record PriceSeries(String exchange, String instrument) {
        Where where() {
            return new Where().addIf(exchange, "exchange = ?").add("instrument = ?", instrument)
                    .add("price IS NOT NULL");
        }
    }

    /** Filters of a newest-first listing of websocket_messages. */
    record MessageFilter(String exchange, String instrument, String messageType, Instant since, Instant until) {
    }

    static final String MESSAGE_COLUMNS = "id, timestamp, exchange, instrument, price, message_type, format,"
            + " connector_id, message_number, latency_ms, extract_time, transform_time, load_time, total_time, data";
    static final String BATCH_COLUMNS = "id, timestamp, exchange, connector_id, total_messages, messages_per_second,"
            + " instruments, metrics";

    /** The seed's "Messages by exchange" and the Monitoring section's "Recent activity": exact, per exchange. */
    static final String COUNTS_BY_EXCHANGE = "SELECT exchange, count(*) AS count, max(timestamp) AS last_message"
            + " FROM websocket_messages GROUP BY exchange ORDER BY exchange";

    static final String DATABASE_SIZE = "SELECT pg_database_size(current_database()) AS database_size_bytes";

    /** The schema's tables, largest first (the seed's "Database Size" query, in bytes). */
    static final String TABLE_SIZES = "SELECT c.relname AS table, pg_total_relation_size(c.oid) AS size_bytes"
            + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            + " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
            + " ORDER BY size_bytes DESC, c.relname";

    private QuerySql() {
    }

    private static final class Where {
        final List<String> conditions = new ArrayList<>();
        final List<Object> params = new ArrayList<>();

        Where add(String condition, Object... values) {
            conditions.add(condition);
            params.addAll(List.of(values));
            return this;
        }

        Where addIf(Object value, String condition) {
            return value == null ? this : add(condition, value instanceof Instant t ? sql(t) : value);
        }

        Where before(Cursor c) {
            return c == null ? this
                    : add("timestamp <= ? AND (timestamp < ? OR id < ?)", c.sqlTimestamp(), c.sqlTimestamp(), c.id());
        }

        String text() {
            return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
        }
    }

    static OffsetDateTime sql(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

    /** A page of messages after {@code before}, newest first; {@code rows} rows at most. */
    static Statement messages(MessageFilter f, Cursor before, int rows) {
        Where w = new Where().addIf(f.exchange(), "exchange = ?").addIf(f.instrument(), "instrument = ?")
                .addIf(f.messageType(), "message_type = ?").addIf(f.since(), "timestamp >= ?")
                .addIf(f.until(), "timestamp < ?").before(before);
        w.params.add(rows);
        return new Statement("SELECT " + MESSAGE_COLUMNS + " FROM websocket_messages" + w.text()
                + " ORDER BY timestamp DESC, id DESC LIMIT ?", w.params);
    }

    /** A page of batch rows after {@code before}, newest first, with or without the messages array. */
    static Statement batches(String exchange, Cursor before, boolean withMessages, int rows) {
        Where w = new Where().addIf(exchange, "exchange = ?").before(before);
        w.params.add(rows);
        return new Statement("SELECT " + BATCH_COLUMNS + (withMessages ? ", messages" : "") + " FROM websocket_batches"
                + w.text() + " ORDER BY timestamp DESC, id DESC LIMIT ?", w.params);
    }

    /** The newest {@code rows} priced points of an instrument in the window, oldest first. */
    static Statement prices(PriceSeries series, Instant since, Instant until, int rows) {
        Where w = series.where().addIf(since, "timestamp >= ?").addIf(until, "timestamp < ?");
        w.params.add(rows);
        return new Statement("SELECT timestamp, price FROM (SELECT timestamp, id, price FROM websocket_messages"
                + w.text() + " ORDER BY timestamp DESC, id DESC LIMIT ?) p ORDER BY timestamp, id", w.params);
    }

    /**
     * One row per bucket of an instrument's prices from {@code since} (required: it bounds the work), newest
     * {@code rows} buckets, newest first. first/last are the prices of the earliest/latest row (by time, then id),
     * taken with min/max over (epoch, id, price) arrays, so no bucket's rows are held in memory.
     */
    static Statement priceBuckets(PriceSeries series, PriceBucket bucket, Instant since, Instant until, int rows) {
        Where w = series.where().add("timestamp >= ?", sql(since)).addIf(until, "timestamp < ?");
        w.params.add(rows);
        String point = "ARRAY[extract(epoch FROM timestamp), id, price]";
        return new Statement("SELECT date_bin(" + bucket.sqlInterval() + ", timestamp,"
                + " TIMESTAMPTZ '1970-01-01 00:00:00+00') AS bucket, (min(" + point + "))[3] AS first, (max("
                + point + "))[3] AS last, min(price) AS min, max(price) AS max, round(avg(price), 8) AS avg,"
                + " count(*) AS count FROM websocket_messages" + w.text() + " GROUP BY 1 ORDER BY 1 DESC LIMIT ?",
                w.params);
    }

    /**
     * The newest priced row of the instrument in [since, before) ({@code since} null: any time before), if any: tells
     * whether older buckets were left out. Ordered like (instrument, timestamp DESC), so that the index answers it
     * with one probe even where no such row exists (an EXISTS may be planned as a sequential scan).
     */
    static Statement pricedRowBefore(PriceSeries series, Instant since, Instant before) {
        Where w = series.where().addIf(since, "timestamp >= ?").add("timestamp < ?", sql(before));
        return new Statement("SELECT timestamp FROM websocket_messages" + w.text() + " ORDER BY timestamp DESC LIMIT 1",
                w.params);
    }

    /** An exact row count of one table (its name from the catalog, quoted as an identifier). */
    static String countRows(String table) {
        return "SELECT count(*) FROM \"" + table.replace("\"", "\"\"") + "\"";
    }
}
