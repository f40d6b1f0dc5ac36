package io.marketetl.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.connector.secret.KeyRing;
import io.marketetl.connector.secret.SecretCipher;
import io.marketetl.connector.secret.SecretException;
import io.marketetl.testsupport.TestDatabase;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** api_connectors rows of the REST API's connectors, on a real PostgreSQL: ciphertext only, tampering refused. */
class ConnectorStoreTest {

    private static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    private static ConnectorDefinition connector(String id) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("instId", "BTC-USDT");
        query.put("apiKey", "query-secret-1");
        return new ConnectorDefinition(id, "A connector", "https://api.example.com/v1/t", "GET",
                Map.of("X-Secret", "header-secret-2"), query, "Bearer", Map.of("token", "token-secret-3"), 1000, null,
                "okx", new Extract("/data", "/instId", "/last", "/ts", "ms", "ticker"), null, List.of(),
                ConnectorDefinition.ORIGIN_API, "inactive");
    }

    @Test
    void secretsAreStoredOnlyAsCiphertextAndReadBackUnderARotatedKeyRing() throws Exception {
        byte[] old = key();
        byte[] fresh = key();
        try (TestDatabase db = TestDatabase.create()) {
            ConnectorStore store = new ConnectorStore(db.dataSource(), new SecretCipher(KeyRing.of(List.of(old))));
            store.insert(connector("c1"));
            String row = db.queryString("SELECT t::text FROM api_connectors t WHERE connector_id = 'c1'");
            assertThat(row).doesNotContain("query-secret-1", "header-secret-2", "token-secret-3", "BTC-USDT")
                    .contains("v1:");
            assertThat(store.find("c1")).get().isEqualTo(connector("c1"));
            assertThat(db.queryString("SELECT status FROM connector_status WHERE connector_id = 'c1'")).isEqualTo("inactive");

            // a new key first: the old values still decrypt
            ConnectorStore rotated = new ConnectorStore(db.dataSource(),
                    new SecretCipher(KeyRing.of(List.of(fresh, old))));
            assertThat(rotated.find("c1")).get().isEqualTo(connector("c1"));
            // without the old key they do not
            ConnectorStore newOnly = new ConnectorStore(db.dataSource(), new SecretCipher(KeyRing.of(List.of(fresh))));
            assertThatThrownBy(() -> newOnly.find("c1")).isInstanceOf(SecretException.class);

            // a ciphertext moved to another row, or altered, is refused
            store.insert(connector("c2"));
            db.execute("UPDATE api_connectors SET credentials_encrypted = (SELECT credentials_encrypted FROM"
                    + " api_connectors WHERE connector_id = 'c1') WHERE connector_id = 'c2'");
            assertThatThrownBy(() -> store.find("c2")).isInstanceOf(SecretException.class)
                    .hasMessageNotContaining("token-secret-3");
            db.execute("UPDATE api_connectors SET headers_encrypted = overlay(headers_encrypted PLACING"
                    + " CASE WHEN substr(headers_encrypted, 20, 1) = 'A' THEN 'B' ELSE 'A' END FROM 20 FOR 1)"
                    + " WHERE connector_id = 'c1'");
            assertThatThrownBy(() -> store.find("c1")).isInstanceOf(SecretException.class);
        }
    }

    @Test
    void withoutAKeySecretsAreRefusedAndNothingIsWritten() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            ConnectorStore store = new ConnectorStore(db.dataSource(), new SecretCipher(KeyRing.empty()));
            assertThat(store.canStoreSecrets()).isFalse();
            assertThatThrownBy(() -> store.insert(connector("c1"))).isInstanceOf(ConnectorStore.NoSecretKey.class)
                    .hasMessageContaining("MARKET_ETL_SECRET_KEY");
            assertThat(db.queryLong("SELECT count(*) FROM api_connectors")).isZero();
            assertThat(store.anySecretsStored()).isFalse();
            // a connector without secrets needs no key
            ConnectorDefinition plain = new ConnectorDefinition("p", "Plain", "https://api.example.com/x", "GET", null,
                    null, "None", null, 500, null, null, null, null, null, ConnectorDefinition.ORIGIN_API, "inactive");
            store.insert(plain);
            assertThat(store.find("p")).get().isEqualTo(plain);
            assertThatThrownBy(() -> store.insert(plain)).isInstanceOf(ConnectorStore.ConnectorExists.class);
        }
    }
}
