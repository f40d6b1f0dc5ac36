package io.marketetl.testsupport;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.db.DatabaseBootstrap;
import io.marketetl.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A throw-away database on the local PostgreSQL (127.0.0.1:5432, or TEST_POSTGRES_HOST/PORT/USER), migrated by the
 * application's own bootstrap. Never touches {@code etl_tool}; dropped (with its connections) on {@link #close()}.
 */
public final class TestDatabase implements AutoCloseable {

    private final DatabaseSettings settings;
    private HikariDataSource pool;

    private TestDatabase(DatabaseSettings settings) {
        this.settings = settings;
    }

    /** Settings for the local server and a fresh database name, without creating anything. */
    public static DatabaseSettings freshSettings() {
        String name = "met_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return new DatabaseSettings(
                env("TEST_POSTGRES_HOST", "127.0.0.1"),
                Integer.parseInt(env("TEST_POSTGRES_PORT", "5432")),
                env("TEST_POSTGRES_USER", "postgres"),
                env("TEST_POSTGRES_PASSWORD", ""),
                name, "postgres", "reWriteBatchedInserts=true&ApplicationName=market-etl-test",
                Duration.ofSeconds(10), Duration.ofSeconds(1), 2, 20, Duration.ofSeconds(10));
    }

    /** A new, migrated database with an open pool. */
    public static TestDatabase create() {
        TestDatabase db = new TestDatabase(freshSettings());
        db.pool = DatabaseBootstrap.start(db.settings);
        return db;
    }

    /** A new database with no schema at all (created the way the application creates a missing one). */
    public static TestDatabase createEmpty() {
        TestDatabase db = new TestDatabase(freshSettings());
        DatabaseBootstrap.awaitServerAndEnsureDatabase(db.settings);
        return db;
    }

    /** A name reserved for a database the test expects the application to create; dropped on close. */
    public static TestDatabase reserveName() {
        return new TestDatabase(freshSettings());
    }

    public DatabaseSettings settings() {
        return settings;
    }

    public String name() {
        return settings.database();
    }

    public HikariDataSource dataSource() {
        if (pool == null) {
            pool = DatabaseBootstrap.openPool(settings);
        }
        return pool;
    }

    /**
     * A new pool (the caller closes it) that reaches this database through {@code port}, e.g. a {@link TcpProxy} a
     * test cuts: 2 to 10 connections, 2 s connection timeout, so that a cut shows quickly.
     */
    public HikariDataSource poolThrough(int port) {
        DatabaseSettings s = settings;
        return DatabaseBootstrap.openPool(new DatabaseSettings(s.host(), port, s.user(), s.password(), s.database(),
                s.maintenanceDatabase(), s.jdbcOptions(), s.startupWait(), s.startupMaxBackoff(), 2, 10,
                Duration.ofSeconds(2)));
    }

    /** Runs a query returning one number, e.g. {@code SELECT count(*) FROM websocket_messages}. */
    public long queryLong(String sql) {
        return SqlRows.count(dataSource(), sql);
    }

    /** Runs a query returning one value, as text (null for SQL NULL). */
    public String queryString(String sql) {
        Object value = SqlRows.rows(dataSource(), sql).get(0).get(0);
        return value == null ? null : value.toString();
    }

    /** Every row of a query, each as its column values. */
    public List<List<Object>> rows(String sql) {
        return SqlRows.rows(dataSource(), sql);
    }

    public void execute(String sql) {
        SqlRows.execute(dataSource(), sql);
    }

    public boolean exists() {
        try (Connection c = DatabaseBootstrap.connect(settings, "postgres", 5); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name() + "'")) {
            return rs.next();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.close();
        }
        try (Connection c = DatabaseBootstrap.connect(settings, "postgres", 5); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS \"" + name() + "\" WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop " + name(), e);
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
