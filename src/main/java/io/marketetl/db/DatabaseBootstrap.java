package io.marketetl.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database up to what the application needs before any route starts: waits for the server
 * (capped back-off, so {@code docker compose up} works whatever starts first), creates the database if it is
 * missing, runs the Flyway migrations and opens the HikariCP pool. Every failure a user can fix becomes a
 * {@link StartupFailure} with one line naming the settings to check.
 */
public final class DatabaseBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseBootstrap.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration RETRY_LOG_EVERY = Duration.ofSeconds(10);
    private static final int PROBE_CONNECT_TIMEOUT_SECONDS = 5;

    private DatabaseBootstrap() {
    }

    /** Waits for the server, ensures the database exists, migrates it and returns an open pool. */
    public static HikariDataSource start(DatabaseSettings settings) {
        return start(settings, null);
    }

    /**
     * {@link #start(DatabaseSettings)}, the pool reporting its metrics ({@code hikaricp_*}, label
     * {@code pool="market-etl"}) to {@code metrics} when given (a pool takes its tracker before it opens).
     */
    public static HikariDataSource start(DatabaseSettings settings, MetricsTrackerFactory metrics) {
        awaitServerAndEnsureDatabase(settings);
        HikariDataSource pool = openPool(settings, metrics);
        try {
            migrate(pool, settings);
            return pool;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /** Connects to the configured database, creating it first when the server says it does not exist. */
    public static void awaitServerAndEnsureDatabase(DatabaseSettings settings) {
        long deadline = System.nanoTime() + settings.startupWait().toNanos();
        long lastRetryLog = 0;
        Duration backoff = FIRST_BACKOFF;
        int attempt = 0;
        while (true) {
            attempt++;
            try (Connection ignored = connect(settings, settings.database(), PROBE_CONNECT_TIMEOUT_SECONDS)) {
                if (attempt > 1) {
                    LOG.info("PostgreSQL at {} is reachable after {} attempts", settings.hostAndPort(), attempt);
                }
                return;
            } catch (SQLException e) {
                Problem problem = Problem.of(e);
                switch (problem) {
                    case AUTHENTICATION -> throw authenticationFailure(settings, e);
                    case DATABASE_MISSING -> {
                        createDatabase(settings);
                        return;
                    }
                    case UNREACHABLE -> {
                        long now = System.nanoTime();
                        if (now >= deadline) {
                            throw new StartupFailure(StartupFailure.Kind.DATABASE_UNREACHABLE,
                                    "Cannot reach PostgreSQL at " + settings.hostAndPort() + " (" + reason(e)
                                            + ") after " + settings.startupWait().toSeconds()
                                            + " s; check POSTGRES_HOST and POSTGRES_PORT and that the server is running.",
                                    e);
                        }
                        if (lastRetryLog == 0 || now - lastRetryLog >= RETRY_LOG_EVERY.toNanos()) {
                            lastRetryLog = now;
                            LOG.warn("PostgreSQL at {} is not reachable yet ({}); check POSTGRES_HOST and POSTGRES_PORT."
                                    + " Retrying for up to {} s.", settings.hostAndPort(), reason(e),
                                    settings.startupWait().toSeconds());
                        }
                        sleepWithJitter(backoff, deadline);
                        backoff = min(backoff.multipliedBy(2), settings.startupMaxBackoff());
                    }
                    default -> throw new StartupFailure(StartupFailure.Kind.DATABASE_UNREACHABLE,
                            "PostgreSQL at " + settings.hostAndPort() + " refused the connection: " + e.getMessage()
                                    + " (SQLState " + e.getSQLState() + ")", e);
                }
            }
        }
    }

    private static void createDatabase(DatabaseSettings settings) {
        String db = settings.database();
        String maintenance = settings.maintenanceDatabase();
        try (Connection c = connect(settings, maintenance, PROBE_CONNECT_TIMEOUT_SECONDS)) {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
                exists.setString(1, db);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return; // created by someone else meanwhile
                    }
                }
            }
            try (Statement create = c.createStatement()) {
                create.execute("CREATE DATABASE " + quoteIdentifier(db));
                LOG.info("Created database {} on {}", db, settings.hostAndPort());
            }
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if ("42P04".equals(state)) {
                return; // duplicate_database: a concurrent start created it
            }
            if ("42501".equals(state)) {
                throw new StartupFailure(StartupFailure.Kind.DATABASE_NOT_CREATABLE,
                        "Database '" + db + "' does not exist on " + settings.hostAndPort() + " and user '"
                                + settings.user() + "' may not create it (no CREATEDB privilege); create it as an "
                                + "administrator (createdb -O " + settings.user() + " " + db
                                + ") or set POSTGRES_DB to an existing database.", e);
            }
            if (Problem.of(e) == Problem.AUTHENTICATION) {
                throw authenticationFailure(settings, e);
            }
            if (Problem.of(e) == Problem.DATABASE_MISSING) {
                throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION,
                        "Database '" + db + "' does not exist and the maintenance database '" + maintenance
                                + "' to create it from does not exist either; set POSTGRES_MAINTENANCE_DB.", e);
            }
            throw new StartupFailure(StartupFailure.Kind.DATABASE_NOT_CREATABLE,
                    "Could not create database '" + db + "' on " + settings.hostAndPort() + ": " + e.getMessage(), e);
        }
    }

    /** Runs the Flyway migrations in {@code classpath:db/migration}; a no-op when the schema is current. */
    public static MigrateResult migrate(javax.sql.DataSource dataSource, DatabaseSettings settings) {
        try {
            MigrateResult result = Flyway.configure()
                    .dataSource(dataSource)
                    .locations("classpath:db/migration")
                    .load()
                    .migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("Migrated database {} to version {} ({} migrations)", settings.database(),
                        result.targetSchemaVersion, result.migrationsExecuted);
            } else {
                LOG.info("Database {} schema is current (version {})", settings.database(),
                        result.initialSchemaVersion);
            }
            return result;
        } catch (FlywayException e) {
            throw new StartupFailure(StartupFailure.Kind.MIGRATION_FAILED,
                    "Schema migration of database '" + settings.database() + "' failed: " + firstLine(e.getMessage()),
                    e);
        }
    }

    /** HikariCP pool with the seed document's sizing (5..20, 10 s), exposed over JMX for Hawtio. */
    public static HikariDataSource openPool(DatabaseSettings settings) {
        return openPool(settings, null);
    }

    private static HikariDataSource openPool(DatabaseSettings settings, MetricsTrackerFactory metrics) {
        HikariConfig config = new HikariConfig();
        if (metrics != null) {
            config.setMetricsTrackerFactory(metrics);
        }
        config.setPoolName("market-etl");
        config.setJdbcUrl(settings.jdbcUrl());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMinimumIdle(settings.poolMinIdle());
        config.setMaximumPoolSize(settings.poolMaxSize());
        config.setConnectionTimeout(settings.poolConnectionTimeout().toMillis());
        config.setRegisterMbeans(true);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            SQLException sql = Causes.find(e, SQLException.class);
            if (sql != null && Problem.of(sql) == Problem.AUTHENTICATION) {
                throw authenticationFailure(settings, sql);
            }
            throw new StartupFailure(StartupFailure.Kind.DATABASE_UNREACHABLE,
                    "Could not open the connection pool to PostgreSQL at " + settings.hostAndPort() + ": "
                            + firstLine(e.getMessage()), e);
        }
    }

    /** A plain JDBC connection, outside the pool, with short timeouts: for probes and bootstrap. */
    public static Connection connect(DatabaseSettings settings, String database, int timeoutSeconds)
            throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", settings.user());
        props.setProperty("password", settings.password());
        props.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("socketTimeout", Integer.toString(timeoutSeconds));
        props.setProperty("ApplicationName", "market-etl-bootstrap");
        return DriverManager.getConnection("jdbc:postgresql://" + settings.hostAndPort() + "/" + database, props);
    }

    private static StartupFailure authenticationFailure(DatabaseSettings settings, SQLException e) {
        return new StartupFailure(StartupFailure.Kind.AUTHENTICATION_FAILED,
                "PostgreSQL at " + settings.hostAndPort() + " rejected user '" + settings.user()
                        + "': authentication failed (" + serverMessage(e)
                        + "); check POSTGRES_USER and POSTGRES_PASSWORD.", e);
    }

    /** What went wrong, as far as start-up is concerned. */
    enum Problem {
        UNREACHABLE, AUTHENTICATION, DATABASE_MISSING, OTHER;

        static Problem of(SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("28")) {
                return AUTHENTICATION; // 28000 invalid authorization, 28P01 invalid password
            }
            if (state.equals("3D000")) {
                return DATABASE_MISSING;
            }
            // 08xxx connection exceptions, 57P03 "the database system is starting up", 53300 too many clients
            if (state.startsWith("08") || state.equals("57P03") || state.equals("53300")
                    || Causes.find(e, ConnectException.class) != null
                    || Causes.find(e, UnknownHostException.class) != null) {
                return UNREACHABLE;
            }
            return OTHER;
        }
    }

    private static String reason(SQLException e) {
        if (Causes.find(e, ConnectException.class) != null) {
            return "connection refused";
        }
        if (Causes.find(e, UnknownHostException.class) != null) {
            return "unknown host";
        }
        if (Causes.find(e, NoRouteToHostException.class) != null) {
            return "no route to host";
        }
        if (Causes.find(e, SocketTimeoutException.class) != null) {
            return "connection timed out";
        }
        return firstLine(e.getMessage());
    }

    private static String serverMessage(SQLException e) {
        String msg = firstLine(e.getMessage());
        return msg.startsWith("FATAL: ") ? msg.substring("FATAL: ".length()) : msg;
    }

    static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleepWithJitter(Duration backoff, long deadlineNanos) {
        // full jitter between half and all of the back-off, never past the deadline
        long millis = backoff.toMillis() / 2 + ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
        long remaining = Duration.ofNanos(deadlineNanos - System.nanoTime()).toMillis();
        try {
            Thread.sleep(Math.max(1, Math.min(millis, remaining)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailure(StartupFailure.Kind.DATABASE_UNREACHABLE, "Interrupted while waiting for PostgreSQL", e);
        }
    }
}
