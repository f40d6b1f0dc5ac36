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
 * Status writes are best effort by design (the status describes the data, it is not the data): callers run them
 * off the I/O threads and a failed write is retried by the next event.
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

    /** Creates or refreshes the source's connector definition and marks it starting. */
    public void register(String connectorId, String name, String url, String protocolType, String exchangeName)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
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
            c.commit();
        }
    }

    /** The connector definition's own status (running, stopped, error), as the seed's api_connectors.status. */
    public void connectorStatus(String connectorId, String status) throws SQLException {
        update("UPDATE api_connectors SET status = ?, updated_at = NOW() WHERE connector_id = ?", status, connectorId);
    }

    /** The runtime status: starting, connecting, connected, reconnecting, stale, stopped. */
    public void status(String connectorId, String status) throws SQLException {
        update("UPDATE connector_status SET status = ?, updated_at = NOW() WHERE connector_id = ?", status,
                connectorId);
    }

    public void reconnectAttempt(String connectorId) throws SQLException {
        update("UPDATE connector_status SET reconnect_attempts = reconnect_attempts + 1, status = 'reconnecting',"
                + " updated_at = NOW() WHERE connector_id = ?", connectorId);
    }

    /** Sets reconnect_attempts (an HTTP connector's consecutive failed calls). */
    public void reconnectAttempts(String connectorId, int n) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE connector_status SET reconnect_attempts = ?, updated_at = NOW() WHERE connector_id = ?")) {
            ps.setInt(1, n);
            ps.setString(2, connectorId);
            ps.executeUpdate();
        }
    }

    /** Replaces performance_metrics with this JSON object. */
    public void performance(String connectorId, java.util.Map<String, Object> metrics) throws SQLException {
        String json;
        try {
            json = io.marketetl.exchanges.Json.MAPPER.writeValueAsString(metrics);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
        update("UPDATE connector_status SET performance_metrics = CAST(? AS jsonb), updated_at = NOW()"
                + " WHERE connector_id = ?", json, connectorId);
    }

    /**
     * Appends one line to the bounded error log and stamps last_error. When the log outgrows its bound the oldest
     * lines go, cut at a line boundary.
     */
    public void error(String connectorId, Instant at, String message) throws SQLException {
        String line = at + " " + message.replace('\n', ' ');
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE connector_status SET last_error = ?, updated_at = NOW(),
                    error_log = CASE WHEN length(concat_ws(E'\\n', error_log, ?)) <= ?
                        THEN concat_ws(E'\\n', error_log, ?)
                        ELSE substring(right(concat_ws(E'\\n', error_log, ?), ?)
                             FROM position(E'\\n' IN right(concat_ws(E'\\n', error_log, ?), ?)) + 1) END
                WHERE connector_id = ?""")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.setString(2, line);
            ps.setInt(3, errorLogChars);
            ps.setString(4, line);
            ps.setString(5, line);
            ps.setInt(6, errorLogChars);
            ps.setString(7, line);
            ps.setInt(8, errorLogChars);
            ps.setString(9, connectorId);
            ps.executeUpdate();
        }
    }

    private void update(String sql, String... params) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setString(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }
}
