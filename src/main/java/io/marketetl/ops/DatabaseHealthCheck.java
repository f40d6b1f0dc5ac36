package io.marketetl.ops;

import io.marketetl.db.DatabaseBootstrap;
import io.marketetl.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: DOWN while PostgreSQL cannot be reached. Probes with its own short-lived connection rather than
 * the pool, so that a dead server answers within the probe timeout instead of the pool's 10 s wait.
 * Liveness is not affected: a database outage is no reason to restart the process.
 */
public class DatabaseHealthCheck extends AbstractHealthCheck {

    private final DatabaseSettings settings;
    private final int timeoutSeconds;

    public DatabaseHealthCheck(DatabaseSettings settings, int timeoutSeconds) {
        super("market-etl", "database");
        this.settings = settings;
        this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("database.host", settings.hostAndPort());
        builder.detail("database.name", settings.database());
        try (Connection c = DatabaseBootstrap.connect(settings, settings.database(), timeoutSeconds);
                Statement s = c.createStatement()) {
            s.setQueryTimeout(timeoutSeconds);
            s.execute("SELECT 1");
            builder.up();
        } catch (SQLException e) {
            builder.message("PostgreSQL at " + settings.hostAndPort() + " unreachable: " + e.getMessage());
            builder.down();
        }
    }
}
