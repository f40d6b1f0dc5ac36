package io.marketetl.connector.secret;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The re-encryption command, run after a new key was put first in {@code MARKET_ETL_SECRET_KEY} (or the key file)
 * with the old keys after it: every encrypted value of {@code api_connectors} ({@code headers_encrypted},
 * {@code query_params_encrypted}, {@code credentials_encrypted}) that is not under the current key is decrypted with
 * its old key and encrypted under the current one, in its own context ({@link SecretContexts#apiConnector}). Once it
 * reports no problem, the old keys can be removed from the settings.
 *
 * <p>One transaction per row: the row is locked ({@code SELECT ... FOR UPDATE}) so that a concurrent edit of the same
 * connector either happens before (and is re-encrypted) or waits; the command can run while the application runs and
 * can be run again (values already under the current key are left alone). {@code updated_at} is not changed: the
 * connector's configuration is the same.
 *
 * <p>A value that cannot be re-encrypted (not in the {@code v1} format, key id not in the ring, authentication
 * failure) is left as it is and reported; the row's other values are still re-encrypted. Reports never contain
 * plaintext or key material.
 */
public final class ReencryptCommand {

    /** Exit code: every encrypted value is now under the current key. */
    public static final int OK = 0;
    /** Exit code: some values could not be re-encrypted (reported, left as they were). */
    public static final int SOME_VALUES_LEFT = 1;
    /** Exit code: nothing was done (no key configured, or the database failed). */
    public static final int FAILED = 2;

    private static final String LIST = "SELECT connector_id FROM api_connectors ORDER BY id";
    private static final String LOCK = "SELECT " + String.join(", ", SecretContexts.API_CONNECTOR_COLUMNS)
            + " FROM api_connectors WHERE connector_id = ? FOR UPDATE";
    private static final String UPDATE = "UPDATE api_connectors SET "
            + String.join(" = ?, ", SecretContexts.API_CONNECTOR_COLUMNS) + " = ? WHERE connector_id = ?";

    /**
     * What one run did.
     *
     * @param rows rows of api_connectors looked at
     * @param rowsChanged rows with at least one value re-encrypted
     * @param valuesChanged values re-encrypted
     * @param problems one line per value left as it was (context and reason, no secret)
     */
    public record Result(int rows, int rowsChanged, int valuesChanged, List<String> problems) {
    }

    private ReencryptCommand() {
    }

    /**
     * Runs the command and prints what it did to {@code out}.
     *
     * @return {@link #OK}, {@link #SOME_VALUES_LEFT} or {@link #FAILED}
     */
    public static int run(DataSource dataSource, KeyRing ring, PrintStream out) {
        if (ring.isEmpty()) {
            out.println("re-encrypt: no secret key configured (set " + SecretKeys.KEY_VARIABLE + " or "
                    + SecretKeys.KEY_FILE_VARIABLE + ", the new key first)");
            return FAILED;
        }
        out.println("re-encrypt: current key " + ring.currentKeyId() + ", older keys " + ring.keyIds().subList(1,
                ring.size()));
        Result r;
        try {
            r = reencrypt(dataSource, new SecretCipher(ring));
        } catch (SQLException e) {
            out.println("re-encrypt: database error, stopped (rows done so far stay done): " + e.getMessage());
            return FAILED;
        }
        for (String p : r.problems()) {
            out.println("re-encrypt: left as it was: " + p);
        }
        out.println("re-encrypt: " + r.rows() + " api_connectors rows, re-encrypted " + r.valuesChanged()
                + " values in " + r.rowsChanged() + " rows under key " + ring.currentKeyId()
                + (r.problems().isEmpty() ? "; every value is under the current key"
                        : "; " + r.problems().size() + " values left as they were (above)"));
        return r.problems().isEmpty() ? OK : SOME_VALUES_LEFT;
    }

    /** Re-encrypts every row (see the class comment) and says what it did. */
    public static Result reencrypt(DataSource dataSource, SecretCipher cipher) throws SQLException {
        if (cipher.keyRing().isEmpty()) {
            throw new SecretException(SecretException.Reason.NO_KEY, "cannot re-encrypt: no secret key configured");
        }
        List<String> problems = new ArrayList<>();
        int rows = 0;
        int rowsChanged = 0;
        int valuesChanged = 0;
        try (Connection c = dataSource.getConnection()) {
            List<String> ids = connectorIds(c);
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                for (String id : ids) {
                    int changed = reencryptRow(c, cipher, id, problems);
                    c.commit();
                    if (changed >= 0) {
                        rows++;
                    }
                    if (changed > 0) {
                        rowsChanged++;
                        valuesChanged += changed;
                    }
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
        return new Result(rows, rowsChanged, valuesChanged, List.copyOf(problems));
    }

    private static List<String> connectorIds(Connection c) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(LIST); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** Values re-encrypted in that row (in the open transaction); -1 when the row has gone meanwhile. */
    private static int reencryptRow(Connection c, SecretCipher cipher, String connectorId, List<String> problems)
            throws SQLException {
        List<String> columns = SecretContexts.API_CONNECTOR_COLUMNS;
        String[] values = new String[columns.size()];
        try (PreparedStatement s = c.prepareStatement(LOCK)) {
            s.setString(1, connectorId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return -1;
                }
                for (int i = 0; i < values.length; i++) {
                    values[i] = rs.getString(i + 1);
                }
            }
        }
        int changed = 0;
        for (int i = 0; i < values.length; i++) {
            String text = values[i];
            if (text == null) {
                continue;
            }
            String context = SecretContexts.apiConnector(connectorId, columns.get(i));
            if (!SecretCipher.isEncryptedText(text)) {
                problems.add(context + ": not an encrypted value (" + SecretCipher.VERSION
                        + ":<key id>:<base64>); encrypt it through the application");
                continue;
            }
            if (!cipher.needsReencryption(text)) {
                continue;
            }
            try {
                values[i] = cipher.reencrypt(text, context);
                changed++;
            } catch (SecretException e) {
                problems.add(e.getMessage());
            }
        }
        if (changed > 0) {
            try (PreparedStatement u = c.prepareStatement(UPDATE)) {
                for (int i = 0; i < values.length; i++) {
                    u.setString(i + 1, values[i]);
                }
                u.setString(values.length + 1, connectorId);
                u.executeUpdate();
            }
        }
        return changed;
    }
}
