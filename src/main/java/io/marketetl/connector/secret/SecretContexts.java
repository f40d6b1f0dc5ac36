package io.marketetl.connector.secret;

import java.util.List;

/**
 * The contexts (GCM associated data, see {@link SecretCipher}) of the application's encrypted values: one per row and
 * column, so that a value only decrypts where it was written.
 */
public final class SecretContexts {

    public static final String HEADERS = "headers_encrypted";
    public static final String QUERY_PARAMS = "query_params_encrypted";
    public static final String CREDENTIALS = "credentials_encrypted";

    /** The encrypted columns of {@code api_connectors}. */
    public static final List<String> API_CONNECTOR_COLUMNS = List.of(HEADERS, QUERY_PARAMS, CREDENTIALS);

    private SecretContexts() {
    }

    /**
     * The context of one encrypted column of one {@code api_connectors} row: {@code <column>:<connector_id>}, e.g.
     * {@code credentials_encrypted:okx-account} (column names hold no colon, so this is unambiguous).
     */
    public static String apiConnector(String connectorId, String column) {
        if (!API_CONNECTOR_COLUMNS.contains(column)) {
            throw new IllegalArgumentException("not an encrypted column of api_connectors: " + column);
        }
        if (connectorId == null || connectorId.isEmpty()) {
            throw new IllegalArgumentException("connector id is empty");
        }
        return column + ":" + connectorId;
    }
}
