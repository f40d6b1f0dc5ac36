package io.marketetl.load;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Bulk-writes rows into the session's staging table ({@link MessageLoader#STAGING_TABLE}) on the given connection,
 * inside the caller's transaction. Two implementations, measured against each other in bench/: COPY and camel-sql
 * {@code batch=true}.
 */
public interface StagingWriter {

    /** Name used in settings (market-etl.load.writer), logs and batch metrics. */
    String name();

    void stage(Connection connection, List<Row> rows) throws SQLException;

    /** The staging table's columns in the order both writers send them. */
    String COLUMNS = "timestamp, exchange, connector_id, instrument, price, data, message_type, latency_ms,"
            + " message_number, format, extract_time, transform_time";
}
