package io.marketetl.load;

import io.marketetl.normalise.MarketMessage;

/**
 * The two tables the load stage writes, each through its own session staging table: WebSocket messages and the rows
 * of HTTP API connectors. A batch holds messages of one source, so of one target ({@link #of(MarketMessage)}).
 * Only WebSocket batches get a {@code websocket_batches} row.
 */
public enum LoadTarget {

    WEBSOCKET_MESSAGES("websocket_messages", "market_etl_staging",
            "timestamp, exchange, connector_id, instrument, price, data, message_type, latency_ms,"
                    + " message_number, format, extract_time, transform_time, trade_id, flags",
            "timestamp TIMESTAMP WITH TIME ZONE NOT NULL, exchange VARCHAR(50) NOT NULL,"
                    + " connector_id VARCHAR(100), instrument VARCHAR(100), price DECIMAL(20, 8), data JSONB NOT NULL,"
                    + " message_type VARCHAR(50), latency_ms DECIMAL(10, 3), message_number BIGINT, format VARCHAR(50),"
                    + " extract_time DECIMAL(10, 6), transform_time DECIMAL(10, 6), trade_id VARCHAR(100), flags TEXT[]"),

    API_CONNECTOR_DATA("api_connector_data", "market_etl_api_staging",
            "timestamp, exchange, connector_id, instrument, price, data, message_type, latency_ms,"
                    + " message_number, raw_response, status_code, response_time_ms, source_id, session_id,"
                    + " extract_time, transform_time, trade_id, flags",
            "timestamp TIMESTAMP WITH TIME ZONE NOT NULL, exchange VARCHAR(50),"
                    + " connector_id VARCHAR(100) NOT NULL, instrument VARCHAR(100), price DECIMAL(20, 8),"
                    + " data JSONB NOT NULL, message_type VARCHAR(50), latency_ms DECIMAL(10, 3), message_number BIGINT,"
                    + " raw_response JSONB, status_code INTEGER, response_time_ms DECIMAL(10, 3),"
                    + " source_id VARCHAR(50), session_id VARCHAR(100),"
                    + " extract_time DECIMAL(10, 6), transform_time DECIMAL(10, 6), trade_id VARCHAR(100), flags TEXT[]");

    private final String table;
    private final String stagingTable;
    private final String columns;
    private final String createStaging;
    private final String insertSql;
    private final String plainInsertSql;
    private final String copySql;
    private final String insertReturningSql;

    LoadTarget(String table, String stagingTable, String columns, String columnDefinitions) {
        this.table = table;
        this.stagingTable = stagingTable;
        this.columns = columns;
        this.createStaging = "CREATE TEMPORARY TABLE IF NOT EXISTS " + stagingTable + " (" + columnDefinitions
                + ") ON COMMIT DELETE ROWS";
        this.insertSql = "INSERT INTO " + table + " (" + columns + ", load_time, total_time) SELECT " + columns
                + ", CAST(? AS DECIMAL(10, 6)), extract_time + transform_time + CAST(? AS DECIMAL(10, 6)) FROM "
                + stagingTable + " ON CONFLICT " + NATURAL_KEY + " DO NOTHING";
        this.plainInsertSql = insertSql.substring(0, insertSql.indexOf(" ON CONFLICT "));
        this.insertReturningSql = insertSql + " RETURNING connector_id, message_number";
        this.copySql = "COPY " + stagingTable + " (" + columns + ") FROM STDIN";
    }

    /**
     * The natural key of both tables (V8's partial unique indexes): a trade is stored once, whichever source or
     * instance received it, however often it is replayed.
     */
    public static final String NATURAL_KEY = "(trade_id, instrument, exchange, message_type) WHERE trade_id IS NOT NULL";

    public static LoadTarget of(MarketMessage m) {
        return m.call() == null ? WEBSOCKET_MESSAGES : API_CONNECTOR_DATA;
    }

    /** The table the rows end in. */
    public String table() { return table; }
    /** The session's temporary staging table (ON COMMIT DELETE ROWS). */
    public String stagingTable() { return stagingTable; }
    /** The staging table's columns in the order both writers send them. */
    public String columns() { return columns; }
    public String createStaging() { return createStaging; }
    /**
     * Staging into the table, with the measured load_time as both parameters (load_time, and in total_time); a row
     * whose natural key is already stored (or earlier in the same batch) is skipped, not an error.
     */
    public String insertSql() { return insertSql; }
    /**
     * {@link #insertSql()} without its ON CONFLICT clause: what the loader tries first, inside a savepoint (a stored
     * trade then fails it with 23505 and {@link #insertSql()} runs instead); and, with the natural-key index dropped,
     * the benchmark's load path as it was before natural keys (V8).
     */
    public String plainInsertSql() { return plainInsertSql; }
    public String copySql() { return copySql; }
    /**
     * {@link #insertSql()} returning the source and message number of each row it stored: the staged rows it does not
     * return are the duplicates it skipped.
     */
    public String insertReturningSql() { return insertReturningSql; }
    /** Whether a batch of this target gets its websocket_batches row. */
    public boolean hasBatchRow() { return this == WEBSOCKET_MESSAGES; }
}
