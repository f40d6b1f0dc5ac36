package io.marketetl.connector.secret;

import static io.marketetl.connector.secret.SecretContexts.CREDENTIALS;
import static io.marketetl.connector.secret.SecretContexts.HEADERS;
import static io.marketetl.connector.secret.SecretContexts.QUERY_PARAMS;
import static io.marketetl.connector.secret.SecretContexts.apiConnector;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.testsupport.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class ReencryptCommandTest {

    private static final byte[] OLD = key(1);
    private static final byte[] NEW = key(2);
    private static final byte[] LOST = key(3);

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) (seed * 17));
        k[0] = (byte) seed;
        return k;
    }

    private static SecretCipher cipher(byte[]... keys) {
        return new SecretCipher(KeyRing.of(List.of(keys)));
    }

    private static void insert(DataSource ds, String id, String headers, String params, String credentials)
            throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement s = c.prepareStatement(
                "INSERT INTO api_connectors (connector_id, name, api_url, auth_type, headers_encrypted,"
                        + " query_params_encrypted, credentials_encrypted, updated_at)"
                        + " VALUES (?, ?, 'https://example.test/api', 'Bearer', ?, ?, ?, '2026-01-01T00:00:00Z')")) {
            s.setString(1, id);
            s.setString(2, id);
            s.setString(3, headers);
            s.setString(4, params);
            s.setString(5, credentials);
            s.executeUpdate();
        }
    }

    private static String plain(String id, String column) {
        return "{\"" + column + "\":\"plaintext-of-" + id + "\"}";
    }

    private static String enc(SecretCipher c, String id, String column) {
        return c.encrypt(plain(id, column), apiConnector(id, column));
    }

    private static String column(TestDatabase db, String id, String column) {
        return db.queryString("SELECT " + column + " FROM api_connectors WHERE connector_id = '" + id + "'");
    }

    @Test
    void reencryptsEveryValueNotUnderTheCurrentKeyAndReportsWhatItLeft() throws Exception {
        SecretCipher old = cipher(OLD);
        SecretCipher current = cipher(NEW);
        try (TestDatabase db = TestDatabase.create()) {
            DataSource ds = db.dataSource();
            insert(ds, "all-old", enc(old, "all-old", HEADERS), enc(old, "all-old", QUERY_PARAMS),
                    enc(old, "all-old", CREDENTIALS));
            insert(ds, "mixed", enc(current, "mixed", HEADERS), null, enc(old, "mixed", CREDENTIALS));
            String alreadyCurrent = enc(current, "current", CREDENTIALS);
            insert(ds, "current", null, null, alreadyCurrent);
            insert(ds, "none", null, null, null);
            String lost = enc(cipher(LOST), "lost", CREDENTIALS);
            insert(ds, "lost", enc(old, "lost", HEADERS), null, lost);
            String plaintext = "{\"token\":\"plaintext-never-printed\"}";
            insert(ds, "plain", null, plaintext, null);
            // a value copied from another row: its context does not match this row
            String swapped = enc(old, "all-old", CREDENTIALS);
            insert(ds, "swapped", null, null, swapped);

            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int exit = ReencryptCommand.run(ds, KeyRing.of(List.of(NEW, OLD)),
                    new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String out = bytes.toString(StandardCharsets.UTF_8);

            assertThat(exit).isEqualTo(ReencryptCommand.SOME_VALUES_LEFT);
            assertThat(out)
                    .contains("7 api_connectors rows, re-encrypted 5 values in 3 rows under key "
                            + KeyRing.keyIdOf(NEW))
                    .contains("credentials_encrypted:lost: it was encrypted under key " + KeyRing.keyIdOf(LOST))
                    .contains("query_params_encrypted:plain: not an encrypted value")
                    .contains("credentials_encrypted:swapped: authentication failed")
                    .doesNotContain("plaintext");

            // every value that could be is now under the new key alone, each in its own row and column
            for (String id : List.of("all-old", "mixed", "current", "lost")) {
                for (String col : SecretContexts.API_CONNECTOR_COLUMNS) {
                    String text = column(db, id, col);
                    if (text == null || text.equals(lost)) {
                        continue;
                    }
                    assertThat(SecretCipher.keyIdOf(text)).as(id + " " + col).isEqualTo(KeyRing.keyIdOf(NEW));
                    assertThat(current.decrypt(text, apiConnector(id, col))).isEqualTo(plain(id, col));
                }
            }
            assertThat(column(db, "mixed", QUERY_PARAMS)).isNull();
            assertThat(column(db, "current", CREDENTIALS)).isEqualTo(alreadyCurrent);
            assertThat(column(db, "lost", CREDENTIALS)).isEqualTo(lost);
            assertThat(column(db, "plain", QUERY_PARAMS)).isEqualTo(plaintext);
            assertThat(column(db, "swapped", CREDENTIALS)).isEqualTo(swapped);
            assertThat(db.queryLong("SELECT count(*) FROM api_connectors WHERE updated_at <> '2026-01-01T00:00:00Z'"))
                    .isZero();

            // a second run has nothing left to do but the same problems
            ReencryptCommand.Result again = ReencryptCommand.reencrypt(ds, cipher(NEW, OLD));
            assertThat(again.rows()).isEqualTo(7);
            assertThat(again.valuesChanged()).isZero();
            assertThat(again.rowsChanged()).isZero();
            assertThat(again.problems()).hasSize(3);
        }
    }

    @Test
    void aClearRunExitsZeroAndNoKeyExitsTwo() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            insert(db.dataSource(), "a", null, null, enc(cipher(OLD), "a", CREDENTIALS));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

            assertThat(ReencryptCommand.run(db.dataSource(), KeyRing.empty(), out)).isEqualTo(ReencryptCommand.FAILED);
            assertThat(ReencryptCommand.run(db.dataSource(), KeyRing.of(List.of(NEW, OLD)), out))
                    .isEqualTo(ReencryptCommand.OK);
            assertThat(bytes.toString(StandardCharsets.UTF_8))
                    .contains("no secret key configured")
                    .contains("1 api_connectors rows, re-encrypted 1 values in 1 rows")
                    .contains("every value is under the current key");
            assertThat(cipher(NEW).decrypt(column(db, "a", CREDENTIALS), apiConnector("a", CREDENTIALS)))
                    .isEqualTo(plain("a", CREDENTIALS));
        }
    }

    @Test
    void aRowLockedByAConcurrentEditIsReencryptedAfterThatEditCommits() throws Exception {
        SecretCipher old = cipher(OLD);
        try (TestDatabase db = TestDatabase.create()) {
            DataSource ds = db.dataSource();
            insert(ds, "busy", null, null, enc(old, "busy", CREDENTIALS));
            String edited = old.encrypt("{\"token\":\"edited\"}", apiConnector("busy", CREDENTIALS));
            try (Connection editor = ds.getConnection()) {
                editor.setAutoCommit(false);
                try (PreparedStatement s = editor.prepareStatement(
                        "UPDATE api_connectors SET credentials_encrypted = ? WHERE connector_id = 'busy'")) {
                    s.setString(1, edited);
                    s.executeUpdate();
                }
                CompletableFuture<ReencryptCommand.Result> run = CompletableFuture.supplyAsync(() -> {
                    try {
                        return ReencryptCommand.reencrypt(ds, cipher(NEW, OLD));
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                // the command waits for the row lock
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> !run.isDone());
                editor.commit();
                ReencryptCommand.Result r = run.get(10, TimeUnit.SECONDS);
                assertThat(r.valuesChanged()).isEqualTo(1);
            }
            // the edit is not lost: the committed value is what got re-encrypted
            String text = column(db, "busy", CREDENTIALS);
            assertThat(SecretCipher.keyIdOf(text)).isEqualTo(KeyRing.keyIdOf(NEW));
            assertThat(cipher(NEW).decrypt(text, apiConnector("busy", CREDENTIALS))).isEqualTo("{\"token\":\"edited\"}");
        }
    }
}
