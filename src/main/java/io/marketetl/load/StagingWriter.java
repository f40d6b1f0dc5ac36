package io.marketetl.load;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Bulk-writes rows into the session's staging table ({@link LoadTarget#stagingTable()}) on the given connection,
 * inside the caller's transaction. Two implementations, measured against each other in bench/: COPY and camel-sql
 * {@code batch=true}.
 */
public interface StagingWriter {

    /** Name used in settings (market-etl.load.writer), logs and batch metrics. */
    String name();

    /** Writes rows, all of the given target, into that target's staging table. */
    void stage(Connection connection, LoadTarget target, List<Row> rows) throws SQLException;
}
