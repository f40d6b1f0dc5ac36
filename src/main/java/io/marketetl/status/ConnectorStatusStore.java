package io.marketetl.status;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * Keeps the seed's {@code api_connectors} and {@code connector_status} rows of each source current: one
 * connector row per source, one status row per connector (unique since V2), updated with atomic upserts.
 * Status writes are best effort by design (the status describes the data, it is not the data): in the application
 * they all go through {@link ConnectorStatusWriter}, which coalesces them and writes them on its own thread, so that
 * no source, connector or stop ever waits for the database because of its status.
 */
public class ConnectorStatusStore {

    /** How much of the error log is kept, in characters: the newest lines survive. */
    public static final int DEFAULT_ERROR_LOG_CHARS = 16 * 1024;

    private final DataSource dataSource;
    private final int errorLogChars;

    public ConnectorStatusStore(DataSource dataSource, int errorLogChars) {
        this.dataSource = dataSource;
        this.errorLogChars = errorLogChars;
    }

    /** Characters of error_log kept (the newest lines). */
    public int errorLogChars() {
        return errorLogChars;
    }

    /** Creates or refreshes the source's connector definition and marks it starting. */
    public void register(String connectorId, String name, String url, String protocolType, String exchangeName)
            throws SQLException {
        write(connectorId, StatusChange.registered(new StatusChange.Registration(name, url, protocolType,
                exchangeName)));
    }

    private static void register(Connection c, String connectorId, String name, String url, String protocolType,
            String exchangeName) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO api_connectors (connector_id, name, api_url, protocol_type, exchange_name, status)
                VALUES (?, ?, ?, ?, ?, 'running')
                ON CONFLICT (connector_id) DO UPDATE SET name = EXCLUDED.name, api_url = EXCLUDED.api_url,
                    protocol_type = EXCLUDED.protocol_type, exchange_name = EXCLUDED.exchange_name,
                    status = 'running', updated_at = NOW()""")) {
            ps.setString(1, connectorId);
            ps.setString(2, name);
            ps.setString(3, url);
            ps.setString(4, protocolType);
            ps.setString(5, exchangeName);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO connector_status (connector_id, status) VALUES (?, 'starting')
                ON CONFLICT (connector_id) DO UPDATE SET status = 'starting', updated_at = NOW()""")) {
            ps.setString(1, connectorId);
            ps.executeUpdate();
        }
    }

    /** The connector definition's own status (running, stopped, error), as the seed's api_connectors.status. */
    public void connectorStatus(String connectorId, String status) throws SQLException {
        write(connectorId, new StatusChange(null, status, null, null, 0, java.util.List.of(), 0, null, null));
    }

    /** The runtime status: starting, connecting, connected, reconnecting, stale, stopped. */
    public void status(String connectorId, String status) throws SQLException {
        write(connectorId, StatusChange.status(status));
    }

    public void reconnectAttempt(String connectorId) throws SQLException {
        write(connectorId, StatusChange.reconnectAttempt());
    }

    /** Sets reconnect_attempts (an HTTP connector's consecutive failed calls). */
    public void reconnectAttempts(String connectorId, int n) throws SQLException {
        write(connectorId, StatusChange.reconnectAttempts(n));
    }

    /** Replaces performance_metrics with this JSON object. */
    public void performance(String connectorId, java.util.Map<String, Object> metrics) throws SQLException {
        write(connectorId, StatusChange.performance(metrics));
    }

    /**
     * Appends one line to the bounded error log and stamps last_error. When the log outgrows its bound the oldest
     * lines go, cut at a line boundary.
     */
    public void error(String connectorId, Instant at, String message) throws SQLException {
        write(connectorId, StatusChange.error(at, message));
    }

    /**
     * Writes one connector's (coalesced) change in one transaction: its registration first if it has one, then
     * api_connectors.status, then the connector_status columns it sets, then its error lines (appended to the
     * bounded error log: when it outgrows its bound the oldest lines go, cut at a line boundary). Every status
     * write goes through here; {@link ConnectorStatusWriter} is its one caller in the application.
     */
    public void write(String connectorId, StatusChange change) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                if (change.registration() != null) {
                    StatusChange.Registration r = change.registration();
                    register(c, connectorId, r.name(), r.url(), r.protocolType(), r.exchangeName());
                }
                if (change.connectorStatus() != null) {
                    update(c, "UPDATE api_connectors SET status = ?, updated_at = NOW() WHERE connector_id = ?",
                            change.connectorStatus(), connectorId);
                }
                if (change.changesStatusRow()) {
                    try (PreparedStatement ps = c.prepareStatement("""
                            UPDATE connector_status SET status = COALESCE(?, status),
                                reconnect_attempts = COALESCE(?, reconnect_attempts) + ?,
                                performance_metrics = COALESCE(CAST(? AS jsonb), performance_metrics),
                                updated_at = NOW()
                            WHERE connector_id = ?""")) {
                        ps.setString(1, change.status());
                        if (change.reconnectAttempts() == null) {
                            ps.setNull(2, java.sql.Types.INTEGER);
                        } else {
                            ps.setInt(2, change.reconnectAttempts());
                        }
                        ps.setInt(3, change.reconnectIncrement());
                        ps.setString(4, change.performance() == null ? null : json(change.performance()));
                        ps.setString(5, connectorId);
                        ps.executeUpdate();
                    }
                }
                if (!change.errorLines().isEmpty()) {
                    appendErrors(c, connectorId, change.lastError(), String.join("\n", change.errorLines()));
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    private static String json(java.util.Map<String, Object> metrics) {
        try {
            return io.marketetl.exchanges.Json.MAPPER.writeValueAsString(metrics);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private void appendErrors(Connection c, String connectorId, Instant at, String lines) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE connector_status SET last_error = COALESCE(?, last_error), updated_at = NOW(),
                    error_log = CASE WHEN length(concat_ws(E'\\n', error_log, ?)) <= ?
                        THEN concat_ws(E'\\n', error_log, ?)
                        ELSE substring(right(concat_ws(E'\\n', error_log, ?), ?)
                             FROM position(E'\\n' IN right(concat_ws(E'\\n', error_log, ?), ?)) + 1) END
                WHERE connector_id = ?""")) {
            ps.setTimestamp(1, at == null ? null : Timestamp.from(at));
            ps.setString(2, lines);
            ps.setInt(3, errorLogChars);
            ps.setString(4, lines);
            ps.setString(5, lines);
            ps.setInt(6, errorLogChars);
            ps.setString(7, lines);
            ps.setInt(8, errorLogChars);
            ps.setString(9, connectorId);
            ps.executeUpdate();
        }
    }

    private static void update(Connection c, String sql, String... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }

}
