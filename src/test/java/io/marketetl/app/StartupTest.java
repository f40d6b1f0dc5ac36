package io.marketetl.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.db.DatabaseSettings;
import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Start-up as a user meets it: the application in its own JVM, configured only through environment variables,
 * against the real local PostgreSQL. Failures must be one readable line and a non-zero exit, never a stack trace.
 */
class StartupTest {

    private static final Duration START = Duration.ofSeconds(60);
    private static final String STARTED = "(market-etl) started";

    @TempDir
    Path workDir;

    /** Environment for the child: the test database, a free management port, an empty routes folder. */
    private Map<String, String> env(DatabaseSettings db) throws Exception {
        return AppProcess.environment(db, Files.createDirectories(workDir.resolve("routes")));
    }

    @Test
    void createsTheDatabaseAndSchemaOnAnEmptyServerAndASecondStartChangesNothing() throws Exception {
        try (TestDatabase db = TestDatabase.reserveName()) {
            assertThat(db.exists()).isFalse();
            Map<String, String> env = env(db.settings());
            try (AppProcess app = AppProcess.start(workDir, env)) {
                app.awaitOutput(STARTED, START);
                assertThat(app.stdout()).contains("Created database " + db.name());
                assertThat(app.stop(Duration.ofSeconds(30))).isIn(0, 143); // 143: stopped by SIGTERM, as docker stop does
                assertThat(app.stdout()).contains("(market-etl) shutdown");
            }
            assertThat(db.exists()).isTrue();
            String history = "SELECT string_agg(version || ':' || checksum || ':' || installed_on, ',' ORDER BY installed_rank)"
                    + " FROM flyway_schema_history";
            String before = db.queryString(history);
            long tables = db.queryLong("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'");
            // the seed's five tables, V8's dead_letters and the malformed_frames view over it (V3's table), V9's
            // trade_gaps, Flyway's history
            assertThat(tables).isEqualTo(9);

            try (AppProcess again = AppProcess.start(workDir, env)) {
                again.awaitOutput(STARTED, START);
                assertThat(again.stdout()).doesNotContain("Created database").contains("schema is current");
                again.stop(Duration.ofSeconds(30));
            }
            assertThat(db.queryString(history)).isEqualTo(before);
        }
    }

    @Test
    void anApplicationPropertiesFileInTheWorkingDirectoryOverridesThePackagedSettings() throws Exception {
        try (TestDatabase db = TestDatabase.reserveName()) {
            Map<String, String> env = env(db.settings());
            env.remove("POSTGRES_DB"); // must come from the local file, not the packaged default etl_tool
            Files.writeString(workDir.resolve("application.properties"), "market-etl.postgres.db=" + db.name() + "\n");
            try (AppProcess app = AppProcess.start(workDir, env)) {
                app.awaitOutput(STARTED, START);
                assertThat(app.stdout()).contains("Created database " + db.name());
                app.stop(Duration.ofSeconds(30));
            }
            assertThat(db.exists()).isTrue();
        }
    }

    @Test
    void theJarRunsTheSimulatorAsASubcommand() throws Exception {
        int port = AppProcess.freePort();
        try (AppProcess sim = AppProcess.start(workDir, Map.of(), "simulator", "--port", Integer.toString(port))) {
            sim.awaitOutput("okx-ws=ws://127.0.0.1:" + port + "/ws/v5/public", START);
        }
        try (AppProcess bad = AppProcess.start(workDir, Map.of(), "simulator", "--rate", "fast")) {
            assertThat(bad.waitForExit(START)).isEqualTo(2);
            assertThat(bad.stderr()).startsWith("simulator: ");
        }
    }

    @Test
    void unreachableServerIsOneLineNamingHostPortAndSettingsThenExitsNonZero() throws Exception {
        int closedPort = AppProcess.freePort();
        DatabaseSettings nowhere = new DatabaseSettings("127.0.0.1", closedPort, "postgres", "", "etl_unused",
                "postgres", "", Duration.ofSeconds(2), Duration.ofMillis(500), 1, 2, Duration.ofSeconds(1));
        Map<String, String> env = env(nowhere);
        env.put("POSTGRES_STARTUP_WAIT_SECONDS", "2");
        try (AppProcess app = AppProcess.start(workDir, env)) {
            assertThat(app.waitForExit(Duration.ofSeconds(60))).isEqualTo(3);
            assertThat(app.stderr().strip()).isEqualTo("market-etl: Cannot reach PostgreSQL at 127.0.0.1:" + closedPort
                    + " (connection refused) after 2 s; check POSTGRES_HOST and POSTGRES_PORT and that the server is running.");
            assertNoStackTrace(app);
            assertThat(app.stdout()).contains("not reachable yet (connection refused)");
        }
    }

    @Test
    void waitsForAServerThatComesUpAfterTheApplication() throws Exception {
        try (TestDatabase db = TestDatabase.reserveName(); TcpProxy proxy = new TcpProxy("127.0.0.1", 5432)) {
            proxy.cut(); // the database "container" is not up yet
            DatabaseSettings viaProxy = new DatabaseSettings("127.0.0.1", proxy.port(), db.settings().user(), "",
                    db.name(), "postgres", "", Duration.ofSeconds(60), Duration.ofSeconds(1), 1, 5,
                    Duration.ofSeconds(10));
            try (AppProcess app = AppProcess.start(workDir, env(viaProxy))) {
                app.awaitOutput("not reachable yet", START);
                proxy.restore();
                app.awaitOutput(STARTED, START);
                assertThat(db.exists()).isTrue();
                app.stop(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void authenticationFailureIsOneLineNamingUserAndPasswordSettingsAndExitsAtOnce() throws Exception {
        DatabaseSettings stranger = TestDatabase.freshSettings();
        Map<String, String> env = env(stranger);
        env.put("POSTGRES_USER", "met_no_such_role");
        try (AppProcess app = AppProcess.start(workDir, env)) {
            assertThat(app.waitForExit(Duration.ofSeconds(60))).isEqualTo(4);
            assertThat(app.stderr().strip()).startsWith("market-etl: PostgreSQL at 127.0.0.1:5432 rejected user "
                    + "'met_no_such_role': authentication failed (").endsWith(
                    "); check POSTGRES_USER and POSTGRES_PASSWORD.");
            assertThat(app.stdout()).doesNotContain("not reachable yet"); // no retrying a wrong password
            assertNoStackTrace(app);
        }
    }

    @Test
    void missingDatabaseWithoutCreatedbIsOneLineSayingSo() throws Exception {
        String role = "met_nocreatedb_" + Long.toHexString(System.nanoTime());
        try (TestDatabase admin = TestDatabase.create(); TestDatabase missing = TestDatabase.reserveName()) {
            admin.execute("CREATE ROLE " + role + " LOGIN NOCREATEDB");
            try {
                Map<String, String> env = env(missing.settings());
                env.put("POSTGRES_USER", role);
                try (AppProcess app = AppProcess.start(workDir, env)) {
                    assertThat(app.waitForExit(Duration.ofSeconds(60))).isEqualTo(5);
                    assertThat(app.stderr().strip()).isEqualTo("market-etl: Database '" + missing.name()
                            + "' does not exist on 127.0.0.1:5432 and user '" + role + "' may not create it (no "
                            + "CREATEDB privilege); create it as an administrator (createdb -O " + role + " "
                            + missing.name() + ") or set POSTGRES_DB to an existing database.");
                    assertNoStackTrace(app);
                }
                assertThat(missing.exists()).isFalse();
            } finally {
                admin.execute("DROP ROLE " + role);
            }
        }
    }

    @Test
    void aTakenApiPortIsOneLineNamingItsSettingAndExitsNonZero() throws Exception {
        try (TestDatabase db = TestDatabase.create(); java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            Map<String, String> env = env(db.settings());
            env.put("MARKET_ETL_API_PORT", Integer.toString(taken.getLocalPort()));
            try (AppProcess app = AppProcess.start(workDir, env)) {
                assertThat(app.waitForExit(START)).isEqualTo(2);
                assertThat(app.stderr().strip()).startsWith("market-etl: cannot listen on 0.0.0.0:"
                        + taken.getLocalPort() + " (").endsWith("set MARKET_ETL_API_PORT to a free port.");
                assertThat(app.stdout()).doesNotContain(STARTED);
                assertNoStackTrace(app);
            }
        }
    }

    private static void assertNoStackTrace(AppProcess app) {
        assertThat(app.stdout() + app.stderr()).doesNotContain("\tat ").doesNotContain("Exception");
    }
}
