package io.marketetl.e2e;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * The application as shipped (its routes folder copied, so a test may edit it) in its own JVM, pointed at a
 * simulator in the test's JVM and at a throw-away database. Short lifecycle timings keep fault tests quick.
 */
final class RunningApp implements AutoCloseable {

    static final Path SHIPPED_ROUTES = Path.of("routes");
    /** The shipped route files every source and connector sends into. */
    static final Set<String> PIPELINE_FILES = Set.of("normalise.camel.yaml", "pipeline.camel.yaml");

    final TestDatabase db;
    final Path routes;
    final AppProcess process;
    final int managementPort;

    private RunningApp(TestDatabase db, Path routes, AppProcess process, int managementPort) {
        this.db = db;
        this.routes = routes;
        this.process = process;
        this.managementPort = managementPort;
    }

    /** Starts the application against {@code sim}; {@code extraEnv} overrides the defaults below. */
    static RunningApp start(Path workDir, TestDatabase db, ExchangeSimulator sim, Map<String, String> extraEnv) {
        Path routes = workDir.resolve("routes");
        copyRoutes(routes, f -> true);
        return start(workDir, routes, db, sim, extraEnv);
    }

    /**
     * Starts the application with the shipped pipeline (normalise and pipeline route files) and, instead of the
     * shipped sources and connectors, {@code routeFiles} (file name to YAML).
     */
    static RunningApp startWith(Path workDir, TestDatabase db, ExchangeSimulator sim, Map<String, String> routeFiles,
            Map<String, String> extraEnv) {
        Path routes = workDir.resolve("routes");
        copyRoutes(routes, f -> PIPELINE_FILES.contains(f.getFileName().toString()));
        try {
            for (Map.Entry<String, String> e : routeFiles.entrySet()) {
                Files.writeString(routes.resolve(e.getKey()), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return start(workDir, routes, db, sim, extraEnv);
    }

    private static RunningApp start(Path workDir, Path routes, TestDatabase db, ExchangeSimulator sim,
            Map<String, String> extraEnv) {
        int managementPort = AppProcess.freePort();
        Map<String, String> env = new HashMap<>();
        env.put("POSTGRES_HOST", db.settings().host());
        env.put("POSTGRES_PORT", Integer.toString(db.settings().port()));
        env.put("POSTGRES_USER", db.settings().user());
        env.put("POSTGRES_DB", db.name());
        env.put("MARKET_ETL_MANAGEMENT_PORT", Integer.toString(managementPort));
        env.put("MARKET_ETL_ROUTES_DIR", routes.toString());
        env.put("OKX_WS_URL", sim.okxWsUrl());
        env.put("BINANCE_WS_URL", sim.binanceWsUrl());
        env.put("OKX_REST_URL", sim.okxRestUrl());
        env.put("BINANCE_REST_URL", sim.binanceRestUrl());
        env.put("MARKET_ETL_SOURCE_STALE_AFTER_MS", "3000");
        env.put("MARKET_ETL_SOURCE_BACKOFF_INITIAL_MS", "200");
        env.put("MARKET_ETL_SOURCE_BACKOFF_MAX_MS", "2000");
        env.put("MARKET_ETL_SOURCE_MIN_CONNECT_INTERVAL_MS", "100");
        env.put("MARKET_ETL_BATCH_MAX_WAIT_MS", "200");
        env.putAll(extraEnv);
        AppProcess process = AppProcess.start(workDir, env);
        process.awaitOutput("(market-etl) started", Duration.ofSeconds(90));
        return new RunningApp(db, routes, process, managementPort);
    }

    private static void copyRoutes(Path target, Predicate<Path> which) {
        try {
            Files.createDirectories(target);
            try (Stream<Path> files = Files.list(SHIPPED_ROUTES)) {
                for (Path f : (Iterable<Path>) files.filter(which)::iterator) {
                    Files.copy(f, target.resolve(f.getFileName()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long count(String where) {
        return db.queryLong("SELECT count(*) FROM websocket_messages WHERE " + where);
    }

    @Override
    public void close() {
        process.close();
    }
}
