package io.marketetl.app;

import static io.marketetl.connector.secret.SecretContexts.API_CONNECTOR_COLUMNS;
import static io.marketetl.connector.secret.SecretContexts.CREDENTIALS;
import static io.marketetl.connector.secret.SecretContexts.HEADERS;
import static io.marketetl.connector.secret.SecretContexts.QUERY_PARAMS;
import static io.marketetl.connector.secret.SecretContexts.apiConnector;
import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.connector.secret.KeyRing;
import io.marketetl.connector.secret.SecretCipher;
import io.marketetl.connector.secret.SecretKeys;
import io.marketetl.db.DatabaseSettings;
import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secret-key subcommands and the key settings at start-up, as a user meets them: the jar's main class in its
 * own JVM, configured through environment variables, against the real local PostgreSQL.
 */
class SecretCommandsTest {

    private static final Duration START = Duration.ofSeconds(60);
    private static final String STARTED = "(market-etl) started";

    @TempDir
    Path workDir;

    /** Environment for the child: the test database, a free management port, an empty routes folder. */
    private Map<String, String> env(DatabaseSettings db) throws Exception {
        return AppProcess.environment(db, Files.createDirectories(workDir.resolve("routes")));
    }

    private static SecretCipher cipher(String... base64Keys) {
        return new SecretCipher(SecretKeys.fromSettings(String.join(",", base64Keys), null));
    }

    private static String plain(String id, String column) {
        return "{\"" + column + "\":\"plaintext-of-" + id + "\"}";
    }

    /** A connector row whose given columns hold their plaintext encrypted by {@code cipher} (the others NULL). */
    private static void insert(TestDatabase db, String id, SecretCipher cipher, String... columns) throws Exception {
        List<String> encrypted = List.of(columns);
        try (Connection c = db.dataSource().getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO api_connectors (connector_id, name, api_url, auth_type, headers_encrypted,"
                        + " query_params_encrypted, credentials_encrypted, updated_at)"
                        + " VALUES (?, ?, 'https://example.test/api', 'Bearer', ?, ?, ?, '2026-01-01T00:00:00Z')")) {
            s.setString(1, id);
            s.setString(2, id);
            for (int i = 0; i < API_CONNECTOR_COLUMNS.size(); i++) {
                String column = API_CONNECTOR_COLUMNS.get(i);
                s.setString(3 + i, encrypted.contains(column)
                        ? cipher.encrypt(plain(id, column), apiConnector(id, column)) : null);
            }
            s.executeUpdate();
        }
    }

    /** Every encrypted value: connector id, column, text. */
    private static List<String[]> storedValues(TestDatabase db) {
        List<String[]> values = new ArrayList<>();
        for (List<Object> row : db.rows("SELECT connector_id, " + String.join(", ", API_CONNECTOR_COLUMNS)
                + " FROM api_connectors ORDER BY connector_id")) {
            for (int i = 0; i < API_CONNECTOR_COLUMNS.size(); i++) {
                if (row.get(i + 1) != null) {
                    values.add(new String[] {(String) row.get(0), API_CONNECTOR_COLUMNS.get(i),
                            (String) row.get(i + 1)});
                }
            }
        }
        return values;
    }

    private static String keyId(String base64Key) {
        return KeyRing.keyIdOf(Base64.getDecoder().decode(base64Key));
    }

    @Test
    void generateKeyPrintsOnlyANewBase64KeyOf32BytesEachTime() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try (AppProcess gen = AppProcess.start(workDir, Map.of(), "generate-key")) {
                assertThat(gen.waitForExit(START)).isZero();
                String out = gen.stdout();
                assertThat(out).matches("[A-Za-z0-9+/]{43}=\\R"); // one line, the key, so $(...) is the key
                assertThat(Base64.getDecoder().decode(out.strip())).hasSize(KeyRing.KEY_BYTES);
                assertThat(SecretKeys.fromSettings(out.strip(), null).size()).isEqualTo(1);
                assertThat(gen.stderr()).doesNotContain(out.strip());
                keys.add(out.strip());
            }
        }
        assertThat(keys.get(1)).isNotEqualTo(keys.get(0));
    }

    @Test
    void ciphertextInApiConnectorsAndNoKeyIsOneLineNamingTheKeySettingAndExitCode7() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            insert(db, "with-secret", cipher(SecretKeys.generate()), CREDENTIALS);
            try (AppProcess app = AppProcess.start(workDir, env(db.settings()))) {
                assertThat(app.waitForExit(START)).isEqualTo(7);
                assertThat(app.stderr().strip()).isEqualTo("market-etl: api_connectors holds encrypted headers, query"
                        + " parameters or credentials, but no key is configured: set MARKET_ETL_SECRET_KEY (or"
                        + " MARKET_ETL_SECRET_KEY_FILE) to the key they were stored with");
                assertNoStackTrace(app);
            }
        }
    }

    @Test
    void aMalformedKeySettingIsOneLineNamingTheVariableNotTheValueAndExitCode2() throws Exception {
        String good = SecretKeys.generate();
        String shortKey = Base64.getEncoder().encodeToString("sixteen-byte-key".getBytes()); // valid base64, 16 bytes
        try (TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = env(db.settings());
            env.put("MARKET_ETL_SECRET_KEY", good + "," + shortKey);
            try (AppProcess app = AppProcess.start(workDir, env)) {
                assertThat(app.waitForExit(START)).isEqualTo(2);
                assertThat(app.stderr().strip()).isEqualTo("market-etl: MARKET_ETL_SECRET_KEY: key 2 of 2 is 16 bytes,"
                        + " a key must be exactly 32 (base64 of 32 random bytes)");
                assertNoStackTrace(app);
                assertThat(app.stdout() + app.stderr()).doesNotContain(good).doesNotContain(shortKey)
                        .doesNotContain("sixteen-byte-key");
            }
            env.put("MARKET_ETL_SECRET_KEY", "not*base64!");
            try (AppProcess app = AppProcess.start(workDir, env)) {
                assertThat(app.waitForExit(START)).isEqualTo(2);
                assertThat(app.stderr().strip()).isEqualTo("market-etl: MARKET_ETL_SECRET_KEY: key 1 of 1 is not base64");
                assertThat(app.stdout() + app.stderr()).doesNotContain("not*base64!");
            }
        }
    }

    @Test
    void startsWithRowsUnderTheOldKeyWhileTheNewKeyIsFirst() throws Exception {
        String oldKey = SecretKeys.generate();
        String newKey = SecretKeys.generate();
        try (TestDatabase db = TestDatabase.create()) {
            insert(db, "old-secrets", cipher(oldKey), HEADERS, QUERY_PARAMS, CREDENTIALS);
            Map<String, String> env = env(db.settings());
            env.put("MARKET_ETL_SECRET_KEY", newKey + "," + oldKey);
            try (AppProcess app = AppProcess.start(workDir, env)) {
                app.awaitOutput(STARTED, START);
                assertThat(app.stop(Duration.ofSeconds(30))).isIn(0, 143);
                assertThat(app.stdout() + app.stderr()).doesNotContain(newKey).doesNotContain(oldKey)
                        .doesNotContain("plaintext-of-");
            }
            // starting re-encrypts nothing: that is the reencrypt command's job
            assertThat(storedValues(db)).allSatisfy(v -> assertThat(SecretCipher.keyIdOf(v[2])).isEqualTo(
                    keyId(oldKey)));
        }
    }

    @Test
    void reencryptAfterARotationMovesEveryValueUnderTheNewKeyAndASecondRunChangesNothing() throws Exception {
        String oldKey = SecretKeys.generate();
        String newKey = SecretKeys.generate();
        try (TestDatabase db = TestDatabase.create()) {
            insert(db, "all-old", cipher(oldKey), HEADERS, QUERY_PARAMS, CREDENTIALS);
            insert(db, "mixed", cipher(oldKey), CREDENTIALS);
            db.execute("UPDATE api_connectors SET headers_encrypted = '" + cipher(newKey).encrypt(
                    plain("mixed", HEADERS), apiConnector("mixed", HEADERS)) + "' WHERE connector_id = 'mixed'");
            insert(db, "no-secrets", cipher(oldKey));
            Map<String, String> env = env(db.settings());
            env.put("MARKET_ETL_SECRET_KEY", newKey + "," + oldKey);

            try (AppProcess run = AppProcess.start(workDir, env, "reencrypt")) {
                assertThat(run.waitForExit(START)).as(run.stdout() + run.stderr()).isZero();
                assertThat(run.stdout()).contains("re-encrypt: current key " + keyId(newKey) + ", older keys ["
                        + keyId(oldKey) + "]").contains("re-encrypt: 3 api_connectors rows, re-encrypted 4 values in"
                        + " 2 rows under key " + keyId(newKey) + "; every value is under the current key");
                assertThat(run.stderr()).isEmpty();
                assertNoSecrets(run, newKey, oldKey);
            }
            List<String[]> after = storedValues(db);
            assertThat(after).hasSize(5);
            SecretCipher newOnly = cipher(newKey);
            for (String[] v : after) {
                assertThat(SecretCipher.keyIdOf(v[2])).as(v[1] + " of " + v[0]).isEqualTo(keyId(newKey));
                assertThat(newOnly.decrypt(v[2], apiConnector(v[0], v[1]))).isEqualTo(plain(v[0], v[1]));
            }

            // the second run reads the database name from a settings file in the working directory, as the
            // application does
            env.remove("POSTGRES_DB");
            Files.writeString(workDir.resolve("application.properties"), "market-etl.postgres.db=" + db.name() + "\n");
            try (AppProcess again = AppProcess.start(workDir, env, "reencrypt")) {
                assertThat(again.waitForExit(START)).as(again.stdout() + again.stderr()).isZero();
                assertThat(again.stdout()).contains("re-encrypt: 3 api_connectors rows, re-encrypted 0 values in 0"
                        + " rows under key " + keyId(newKey));
                assertNoSecrets(again, newKey, oldKey);
            }
            List<String[]> twice = storedValues(db);
            for (int i = 0; i < after.size(); i++) {
                assertThat(twice.get(i)).containsExactly(after.get(i));
            }
        }
    }

    @Test
    void reencryptWithoutAKeyIsOneLineNamingTheKeySettingAndExitCode7() throws Exception {
        // no database at all: the key is checked before connecting
        try (AppProcess run = AppProcess.start(workDir, env(TestDatabase.freshSettings()), "reencrypt")) {
            assertThat(run.waitForExit(START)).isEqualTo(7);
            assertThat(run.stderr().strip()).isEqualTo("market-etl: reencrypt: no secret key is configured: set"
                    + " MARKET_ETL_SECRET_KEY to the new key followed by the old ones (<new>,<old>), or"
                    + " MARKET_ETL_SECRET_KEY_FILE to a file of them, new first");
            assertThat(run.stdout()).isEmpty();
        }
    }

    private static void assertNoSecrets(AppProcess app, String... keys) {
        String output = app.stdout() + app.stderr();
        assertThat(output).doesNotContain("plaintext-of-");
        for (String key : keys) {
            assertThat(output).doesNotContain(key);
        }
    }

    private static void assertNoStackTrace(AppProcess app) {
        assertThat(app.stdout() + app.stderr()).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
