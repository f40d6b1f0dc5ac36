package io.marketetl.maintenance;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The maintenance jobs' meters, in Prometheus form: {@code market_etl_retention_deleted_rows_total{table}},
 * {@code market_etl_retention_runs_total{result}}, {@code market_etl_retention_last_run_duration_seconds},
 * {@code market_etl_analyze_runs_total{result}} and {@code market_etl_analyze_last_run_duration_seconds}. The
 * registry is looked up on first use (camel-main creates the one behind /observe/metrics after the beans).
 */
public final class MaintenanceMetrics {

    private final Supplier<MeterRegistry> registry;
    private final AtomicLong retentionNanos = new AtomicLong();
    private final AtomicLong analyzeNanos = new AtomicLong();
    private volatile boolean gaugesRegistered;

    public MaintenanceMetrics(Supplier<MeterRegistry> registry) {
        this.registry = registry;
    }

    void deleted(RetentionTable table, long rows) {
        Counter.builder("market_etl_retention_deleted_rows")
                .description("Rows deleted by retention because they were older than their table's age limit")
                .tag("table", table.table())
                .register(registry()).increment(rows);
    }

    void retentionRun(boolean ok, Duration took) {
        run("market_etl_retention_runs", "Retention runs (result ok or failed)", ok);
        retentionNanos.set(took.toNanos());
    }

    void analyzeRun(boolean ok, Duration took) {
        run("market_etl_analyze_runs", "Periodic ANALYZE runs of the busy tables (result ok or failed)", ok);
        analyzeNanos.set(took.toNanos());
    }

    private void run(String name, String description, boolean ok) {
        Counter.builder(name).description(description).tag("result", ok ? "ok" : "failed")
                .register(registry()).increment();
    }

    private MeterRegistry registry() {
        MeterRegistry r = registry.get();
        if (!gaugesRegistered) {
            synchronized (this) {
                if (!gaugesRegistered) {
                    gauge(r, "market_etl_retention_last_run_duration", "How long the last retention run took",
                            retentionNanos);
                    gauge(r, "market_etl_analyze_last_run_duration", "How long the last ANALYZE run took",
                            analyzeNanos);
                    gaugesRegistered = true;
                }
            }
        }
        return r;
    }

    private static void gauge(MeterRegistry r, String name, String description, AtomicLong nanos) {
        // strongly referenced: Micrometer holds a gauge's object weakly, and after a GC it would read NaN
        Gauge.builder(name, nanos, n -> n.get() / 1e9).description(description).baseUnit("seconds")
                .strongReference(true).register(r);
    }
}
