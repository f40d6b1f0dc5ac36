package io.marketetl.maintenance;

import java.util.Locale;

/**
 * The tables that retention may trim, each with the time column its age is measured on and the index that column
 * leads (or follows a per-connector column in), so that every chunk is found through an index, oldest first.
 */
public enum RetentionTable {

    /** index idx_websocket_messages_timestamp_exchange (timestamp DESC, exchange). */
    WEBSOCKET_MESSAGES("websocket_messages", "websocket_messages", "timestamp", null),
    /** index idx_websocket_batches_timestamp (timestamp DESC). */
    WEBSOCKET_BATCHES("websocket_batches", "websocket_batches", "timestamp", null),
    /** index idx_api_connector_data_timestamp (timestamp DESC). */
    API_CONNECTOR_DATA("api_connector_data", "api_connector_data", "timestamp", null),
    /**
     * index idx_dead_letters_connector_received (connector_id, received_at DESC): one connector at a time. Since V8
     * malformed_frames is a view of dead_letters, its successor: the setting's age applies to every dead letter.
     */
    MALFORMED_FRAMES("malformed_frames", "dead_letters", "received_at", "connector_id");

    private final String table;
    private final String relation;
    private final String timeColumn;
    private final String keyColumn;

    RetentionTable(String table, String relation, String timeColumn, String keyColumn) {
        this.table = table;
        this.relation = relation;
        this.timeColumn = timeColumn;
        this.keyColumn = keyColumn;
    }

    /** The name in the setting, the metrics and the log. */
    public String table() {
        return table;
    }

    /** The table the rows are deleted from (the same, except malformed_frames: dead_letters since V8). */
    public String relation() {
        return relation;
    }

    /** The setting holding this table's age, e.g. {@code market-etl.retention.websocket-messages}. */
    public String property() {
        return "market-etl.retention." + table.replace('_', '-');
    }

    /** Its environment variable, e.g. {@code MARKET_ETL_RETENTION_WEBSOCKET_MESSAGES}. */
    public String variable() {
        return "MARKET_ETL_RETENTION_" + table.toUpperCase(Locale.ROOT);
    }

    /** True when its time index leads with a connector column, so chunks are deleted per connector. */
    public boolean perConnector() {
        return keyColumn != null;
    }

    /**
     * One chunk: the oldest rows older than the cutoff, at most the limit, found through the time index and deleted
     * through the primary key. Parameters: (the
     * connector, when {@link #perConnector()}), the cutoff, the limit.
     */
    public String deleteChunkSql() {
        String where = (perConnector() ? keyColumn + " = ? AND " : "") + quoted(timeColumn) + " < ?";
        // = ANY(ARRAY(...)), not IN (...): IN may become a hash semi join over a sequential scan of the whole table
        return "DELETE FROM " + relation + " WHERE id = ANY(ARRAY(SELECT id FROM " + relation + " WHERE " + where
                + " ORDER BY " + quoted(timeColumn) + " LIMIT ?))";
    }

    /**
     * The connectors that have rows, each found by one index probe (a loose index scan), not by reading the table.
     * Only for {@link #perConnector()} tables.
     */
    public String connectorsSql() {
        String k = keyColumn;
        return "WITH RECURSIVE k AS ((SELECT " + k + " FROM " + relation + " ORDER BY " + k + " LIMIT 1)"
                + " UNION ALL SELECT (SELECT " + k + " FROM " + relation + " t WHERE t." + k + " > k." + k
                + " ORDER BY t." + k + " LIMIT 1) FROM k WHERE k." + k + " IS NOT NULL)"
                + " SELECT " + k + " FROM k WHERE " + k + " IS NOT NULL";
    }

    private static String quoted(String column) {
        return "\"" + column + "\"";
    }
}
