package io.marketetl.connector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.marketetl.connector.secret.SecretCipher;
import io.marketetl.connector.secret.SecretContexts;
import io.marketetl.exchanges.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The {@code api_connectors} rows of HTTP connectors (the one writer of their definitions): headers, query parameters
 * and credentials are stored only as AES-256-GCM ciphertext ({@link SecretCipher}, bound to the row and column), and
 * each connector has its {@code connector_status} row. Connectors of route files are recorded too (origin
 * {@code yaml}) so that operators see them, but their secrets are not stored: the route file and its environment are
 * their source.
 */
public class ConnectorStore {

    private static final TypeReference<LinkedHashMap<String, String>> STRINGS = new TypeReference<>() {
    };
    private static final TypeReference<LinkedHashMap<String, Object>> OBJECTS = new TypeReference<>() {
    };
    private static final String COLUMNS = "connector_id, name, api_url, http_method, headers_encrypted,"
            + " query_params_encrypted, auth_type, credentials_encrypted, status, polling_interval, protocol_type,"
            + " exchange_name, cron_expression, extract, response_rules, origin";

    /** The id is taken. */
    public static final class ConnectorExists extends RuntimeException {
        public ConnectorExists(String id) {
            super("connector " + id + " exists");
        }
    }

    /** Secrets to store, but no key to encrypt them with. */
    public static final class NoSecretKey extends RuntimeException {
        public NoSecretKey() {
            super("no secret key is configured (MARKET_ETL_SECRET_KEY or MARKET_ETL_SECRET_KEY_FILE):"
                    + " headers, query parameters and credentials cannot be stored");
        }
    }

    private final DataSource dataSource;
    private final SecretCipher cipher;

    public ConnectorStore(DataSource dataSource, SecretCipher cipher) {
        this.dataSource = dataSource;
        this.cipher = cipher;
    }

    public boolean canStoreSecrets() {
        return cipher != null && !cipher.keyRing().isEmpty();
    }

    /** Whether any row holds ciphertext (then a key is needed to run). */
    public boolean anySecretsStored() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM api_connectors WHERE headers_encrypted IS NOT NULL"
                        + " OR query_params_encrypted IS NOT NULL OR credentials_encrypted IS NOT NULL)");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    public Optional<ConnectorDefinition> find(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM api_connectors WHERE connector_id = ? AND protocol_type = 'REST'")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Every HTTP connector, by id. */
    public List<ConnectorDefinition> list() throws SQLException {
        List<ConnectorDefinition> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM api_connectors WHERE protocol_type = 'REST' ORDER BY connector_id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(read(rs));
            }
        }
        return out;
    }

    /** REST-API connectors whose desired status is running: started at start-up. */
    public List<String> toResume() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT connector_id FROM api_connectors WHERE protocol_type = 'REST' AND origin = 'api'"
                        + " AND status = 'running' ORDER BY connector_id");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** A new REST-API connector (with its status row), in one transaction. */
    public void insert(ConnectorDefinition d) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_connectors (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb), ?)"
                    + " ON CONFLICT (connector_id) DO NOTHING")) {
                bind(ps, d, true);
                if (ps.executeUpdate() == 0) {
                    c.rollback();
                    throw new ConnectorExists(d.connectorId());
                }
            }
            statusRow(c, d.connectorId(), "inactive");
            c.commit();
        }
    }

    /** Replaces a REST-API connector's definition; false when there is none. */
    public boolean update(ConnectorDefinition d) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE api_connectors SET (" + COLUMNS + ", updated_at) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
                        + " CAST(? AS jsonb), CAST(? AS jsonb), ?, NOW()) WHERE connector_id = ?"
                        + " AND protocol_type = 'REST'")) {
            bind(ps, d, true);
            ps.setString(17, d.connectorId());
            return ps.executeUpdate() > 0;
        }
    }

    /** Records a route file's connector (no secret stored) and marks it starting. */
    public void registerFromRoute(ConnectorDefinition d) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO api_connectors (" + COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb), ?)"
                    + " ON CONFLICT (connector_id) DO UPDATE SET (" + COLUMNS + ", updated_at) = (EXCLUDED."
                    + COLUMNS.replace(", ", ", EXCLUDED.") + ", NOW())")) {
                bind(ps, d, false);
                ps.executeUpdate();
            }
            statusRow(c, d.connectorId(), "starting");
            c.commit();
        }
    }

    public boolean delete(String id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM api_connectors WHERE connector_id = ? AND protocol_type = 'REST'")) {
            ps.setString(1, id);
            return ps.executeUpdate() > 0;
        }
    }

    /** The desired status (api_connectors.status): running, stopped, inactive, error. */
    public void desiredStatus(String id, String status) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE api_connectors SET status = ?, updated_at = NOW() WHERE connector_id = ?")) {
            ps.setString(1, status);
            ps.setString(2, id);
            ps.executeUpdate();
        }
    }

    private static void statusRow(Connection c, String id, String status) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO connector_status (connector_id, status)"
                + " VALUES (?, ?) ON CONFLICT (connector_id) DO UPDATE SET status = EXCLUDED.status, updated_at = NOW()")) {
            ps.setString(1, id);
            ps.setString(2, status);
            ps.executeUpdate();
        }
    }

    private void bind(PreparedStatement ps, ConnectorDefinition d, boolean withSecrets) throws SQLException {
        ps.setString(1, d.connectorId());
        ps.setString(2, d.name());
        ps.setString(3, d.apiUrl());
        ps.setString(4, d.httpMethod());
        ps.setString(5, withSecrets ? seal(d.connectorId(), SecretContexts.HEADERS, d.headers()) : null);
        ps.setString(6, withSecrets ? seal(d.connectorId(), SecretContexts.QUERY_PARAMS, d.queryParams()) : null);
        ps.setString(7, d.authType());
        ps.setString(8, withSecrets ? seal(d.connectorId(), SecretContexts.CREDENTIALS, d.credentials()) : null);
        ps.setString(9, d.status() == null ? "inactive" : d.status());
        if (d.pollingInterval() == null) {
            ps.setNull(10, Types.INTEGER);
        } else {
            ps.setInt(10, d.pollingInterval());
        }
        ps.setString(11, ConnectorDefinition.PROTOCOL);
        ps.setString(12, d.exchangeName());
        ps.setString(13, d.cron());
        ps.setString(14, json(d.extract().toMap()));
        ps.setString(15, d.responseRules() == null ? null : json(d.responseRules()));
        ps.setString(16, d.origin());
    }

    private String seal(String id, String column, Map<String, String> values) {
        if (values.isEmpty()) {
            return null;
        }
        if (!canStoreSecrets()) {
            throw new NoSecretKey();
        }
        return cipher.encrypt(json(values), SecretContexts.apiConnector(id, column));
    }

    private Map<String, String> open(String id, String column, String text) {
        if (text == null) {
            return Map.of();
        }
        if (cipher == null || cipher.keyRing().isEmpty()) {
            throw new NoSecretKey();
        }
        try {
            return Json.MAPPER.readValue(cipher.decrypt(text, SecretContexts.apiConnector(id, column)), STRINGS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("connector " + id + ": " + column + " does not hold a JSON object");
        }
    }

    private ConnectorDefinition read(ResultSet rs) throws SQLException {
        String id = rs.getString("connector_id");
        Integer interval = (Integer) rs.getObject("polling_interval");
        String extract = rs.getString("extract");
        String rules = rs.getString("response_rules");
        try {
            return new ConnectorDefinition(id, rs.getString("name"), rs.getString("api_url"),
                    rs.getString("http_method"), open(id, SecretContexts.HEADERS, rs.getString("headers_encrypted")),
                    open(id, SecretContexts.QUERY_PARAMS, rs.getString("query_params_encrypted")),
                    rs.getString("auth_type"), open(id, SecretContexts.CREDENTIALS, rs.getString("credentials_encrypted")),
                    rs.getString("cron_expression") != null ? null : interval, rs.getString("cron_expression"),
                    rs.getString("exchange_name"),
                    extract == null ? Extract.NONE : Extract.fromMap(Json.MAPPER.readValue(extract, OBJECTS)),
                    rules == null ? null : Json.MAPPER.readValue(rules, OBJECTS), List.of(), rs.getString("origin"),
                    rs.getString("status"));
        } catch (JsonProcessingException e) {
            throw new SQLException("connector " + id + ": bad JSON in extract or response_rules", "22000", e);
        }
    }

    private static String json(Object o) {
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
