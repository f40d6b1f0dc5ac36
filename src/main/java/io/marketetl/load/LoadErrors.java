package io.marketetl.load;

import io.marketetl.db.Causes;
import java.sql.SQLException;

/**
 * Which failures of a batch write are worth retrying. Everything is, except PostgreSQL refusing the data itself:
 * SQLSTATE class 22 (data exception: bad JSON, a value out of range), 23 (integrity constraint) and 54 (program
 * limit, e.g. a row too large). Retrying those can never succeed, so the loader isolates the offending rows instead.
 * Connection failures, pool timeouts, a server shutting down, serialization failures, a missing table or column
 * (a deployment problem that an operator fixes): retried, with back-off, forever.
 */
public final class LoadErrors {

    private LoadErrors() {
    }

    public static boolean isDataError(Throwable t) {
        SQLException sql = findSqlException(t);
        if (sql == null) {
            return false;
        }
        String state = sql.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23") || state.startsWith("54"));
    }

    public static SQLException findSqlException(Throwable t) {
        return Causes.find(t, SQLException.class);
    }
}
