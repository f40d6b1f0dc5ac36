package io.marketetl.db;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The application's pool, for a caller that must not wait the pool-wide connection timeout
 * ({@code MARKET_ETL_POOL_CONNECTION_TIMEOUT_MS}) for a connection: its {@link #getConnection()} waits at most
 * {@code wait}, then fails as the pool would (an {@link SQLException}). When the database is away the pool has no
 * connection to give, and every caller would otherwise block that long per attempt. Used by the load path, whose own
 * deadline ({@code MARKET_ETL_SPOOL_AFTER_MS}: a batch not written by then goes to the spool) is shorter, and by the
 * message numbers' seed, so that a stop is not held up by either.
 * <p>
 * HikariCP offers a per-call wait only on its pool object ({@link HikariPool#getConnection(long)}, public API of the
 * pool class); for any other DataSource, or a pool not started yet, this delegates unchanged.
 */
public final class BoundedWaitDataSource implements DataSource {

    private final DataSource delegate;
    private final long waitMillis;

    private BoundedWaitDataSource(DataSource delegate, Duration wait) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.waitMillis = Math.max(1, wait.toMillis());
    }

    /** {@code dataSource} whose connections are waited for at most {@code wait}. */
    public static DataSource of(DataSource dataSource, Duration wait) {
        return new BoundedWaitDataSource(dataSource, wait);
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (delegate instanceof HikariDataSource hikari) {
            if (hikari.isClosed()) {
                throw new SQLException("HikariDataSource " + hikari + " has been closed.");
            }
            if (hikari.getHikariPoolMXBean() instanceof HikariPool pool
                    && waitMillis < hikari.getConnectionTimeout()) {
                return pool.getConnection(waitMillis);
            }
        }
        return delegate.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return delegate.getConnection(username, password);
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return iface.isInstance(this) ? iface.cast(this) : delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || delegate.isWrapperFor(iface);
    }
}
