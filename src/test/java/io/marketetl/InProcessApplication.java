package io.marketetl;

import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.camel.main.Main;

/**
 * The application as {@code Application} wires it (camel-main, application.properties, the jar's route files, the
 * configuration class), started in the test's JVM on a throw-away database, with free API and management ports and
 * an empty routes folder: no sources or connectors, so nothing writes but the test. The quickest way to reach the
 * REST API through real HTTP.
 */
public final class InProcessApplication implements AutoCloseable {

    private final Main main;
    private final int apiPort;

    private InProcessApplication(Main main, int apiPort) {
        this.main = main;
        this.apiPort = apiPort;
    }

    /** Starts it; {@code overrides} are property overrides (e.g. {@code market-etl.api.token}). */
    public static InProcessApplication start(TestDatabase db, Path workDir, Map<String, String> overrides) {
        Path routes = workDir.resolve("routes");
        try {
            Files.createDirectories(routes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int apiPort = AppProcess.freePort();
        Main main = Application.newMain();
        main.addOverrideProperty("market-etl.postgres.host", db.settings().host());
        main.addOverrideProperty("market-etl.postgres.port", Integer.toString(db.settings().port()));
        main.addOverrideProperty("market-etl.postgres.user", db.settings().user());
        main.addOverrideProperty("market-etl.postgres.db", db.name());
        main.addOverrideProperty("market-etl.management.port", Integer.toString(AppProcess.freePort()));
        main.addOverrideProperty("market-etl.api.port", Integer.toString(apiPort));
        main.addOverrideProperty("market-etl.api.host", "127.0.0.1");
        main.addOverrideProperty("market-etl.routes-dir", routes.toString());
        main.addOverrideProperty("market-etl.routes-reload", "false");
        main.addOverrideProperty("market-etl.spool.dir", workDir.resolve("spool").toString());
        overrides.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception e) {
            throw new IllegalStateException("the application did not start", e);
        }
        return new InProcessApplication(main, apiPort);
    }

    /** The application's pool (bean {@code dataSource}). */
    public javax.sql.DataSource dataSource() {
        return main.getCamelContext().getRegistry().lookupByNameAndType("dataSource", javax.sql.DataSource.class);
    }

    /** {@code http://127.0.0.1:<api port>}. */
    public String apiBase() {
        return "http://127.0.0.1:" + apiPort;
    }

    @Override
    public void close() {
        main.stop();
    }
}
