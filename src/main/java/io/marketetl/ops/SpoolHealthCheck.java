package io.marketetl.ops;

import io.marketetl.load.BatchSpool;
import java.util.Map;
import java.util.Objects;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness: DOWN while the load spool is full (its disk budget used up: the sources are being made to wait).
 * Liveness is not affected: the process is working, the database is behind.
 */
public class SpoolHealthCheck extends AbstractHealthCheck {

    private final BatchSpool spool;

    public SpoolHealthCheck(BatchSpool spool) {
        super("market-etl", "spool");
        this.spool = Objects.requireNonNull(spool, "spool");
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        builder.detail("spool.batches", spool.depth());
        builder.detail("spool.bytes", spool.bytes());
        builder.detail("spool.max.bytes", spool.maxBytes());
        if (spool.full()) {
            builder.message("load spool full: " + spool.bytes() + " of " + spool.maxBytes() + " bytes");
            builder.down();
        } else {
            builder.up();
        }
    }
}
