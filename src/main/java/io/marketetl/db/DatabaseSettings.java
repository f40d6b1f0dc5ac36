package io.marketetl.db;

import java.time.Duration;
import java.util.Objects;

/**
 * Where the database is and how to pool connections to it. Built from the {@code market-etl.postgres.*}
 * and {@code market-etl.pool.*} settings; the password is never part of {@link #toString()}.
 */
public record DatabaseSettings(
        String host,
        int port,
        String user,
        String password,
        String database,
        String maintenanceDatabase,
        String jdbcOptions,
        Duration startupWait,
        Duration startupMaxBackoff,
        int poolMinIdle,
        int poolMaxSize,
        Duration poolConnectionTimeout) {

    public DatabaseSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(database, "database");
        password = password == null ? "" : password;
        jdbcOptions = jdbcOptions == null ? "" : jdbcOptions;
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("POSTGRES_PORT must be 1..65535, got " + port);
        }
        if (database.isBlank()) {
            throw new IllegalArgumentException("POSTGRES_DB must not be empty");
        }
        if (poolMinIdle < 0 || poolMaxSize < 1 || poolMinIdle > poolMaxSize) {
            throw new IllegalArgumentException("pool sizes must satisfy 0 <= min-idle <= max-size, max-size >= 1; got "
                    + poolMinIdle + ".." + poolMaxSize);
        }
    }

    /** Local defaults from the seed document: pool 5..20, 10 s connection timeout, 60 s start-up wait. */
    public static DatabaseSettings localDefaults(String database) {
        return new DatabaseSettings("localhost", 5432, "postgres", "", database, "postgres",
                "reWriteBatchedInserts=true&ApplicationName=market-etl",
                Duration.ofSeconds(60), Duration.ofSeconds(5), 5, 20, Duration.ofSeconds(10));
    }

    public DatabaseSettings withDatabase(String otherDatabase) {
        return new DatabaseSettings(host, port, user, password, otherDatabase, maintenanceDatabase, jdbcOptions,
                startupWait, startupMaxBackoff, poolMinIdle, poolMaxSize, poolConnectionTimeout);
    }

    public DatabaseSettings withStartupWait(Duration wait) {
        return new DatabaseSettings(host, port, user, password, database, maintenanceDatabase, jdbcOptions,
                wait, startupMaxBackoff, poolMinIdle, poolMaxSize, poolConnectionTimeout);
    }

    public DatabaseSettings withPool(int minIdle, int maxSize) {
        return new DatabaseSettings(host, port, user, password, database, maintenanceDatabase, jdbcOptions,
                startupWait, startupMaxBackoff, minIdle, maxSize, poolConnectionTimeout);
    }

    public String jdbcUrl() {
        return jdbcUrl(database);
    }

    public String jdbcUrl(String db) {
        String url = "jdbc:postgresql://" + host + ":" + port + "/" + db;
        return jdbcOptions.isBlank() ? url : url + "?" + jdbcOptions;
    }

    public String hostAndPort() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + user + "@" + hostAndPort() + "/" + database + ", pool " + poolMinIdle + ".."
                + poolMaxSize + "]";
    }
}
