package io.marketetl;

import io.marketetl.db.Causes;
import io.marketetl.db.StartupFailure;
import io.marketetl.ops.ManagementSecurity;
import io.marketetl.simulator.SimulatorMain;
import java.util.Arrays;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.apache.camel.spi.CamelBeanPostProcessor;
import org.apache.camel.support.PluginHelper;

/**
 * Entry point: {@code java -jar market-etl.jar} runs the ETL application; {@code --help} lists every setting and
 * the subcommands ({@code simulator}, and {@code generate-key} and {@code reencrypt}: {@link SecretCommands}).
 */
public final class Application {

    /**
     * The settings file in the working directory overrides the copy packaged in the jar: for Camel the first
     * location that defines a key wins, and keys missing there come from the later locations.
     */
    static final String PROPERTY_LOCATIONS =
            "file:application.properties;optional=true,classpath:application.properties;optional=true";

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help"))) {
            System.out.println(usage());
            return;
        }
        if (args.length > 0 && args[0].equals("simulator")) {
            SimulatorMain.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && SecretCommands.isCommand(args[0])) {
            System.exit(SecretCommands.run(args, System.out, System.err));
        }
        System.exit(run(args));
    }

    /** Runs the application until it is stopped; returns the process exit code. */
    static int run(String[] args) {
        Main main = newMain();
        try {
            return main.run(args);
        } catch (Throwable t) {
            StartupFailure failure = Causes.find(t, StartupFailure.class);
            if (failure != null) {
                System.err.println("market-etl: " + failure.getMessage());
                return failure.exitCode();
            }
            System.err.println("market-etl: failed to start: " + t);
            t.printStackTrace();
            return 1;
        }
    }

    /** The application, configured and not started: settings, database bootstrap, pipeline beans. */
    static Main newMain() {
        Main main = new Main();
        main.setPropertyPlaceholderLocations(PROPERTY_LOCATIONS);
        main.configure().addConfiguration(MarketEtlConfiguration.class);
        main.addMainListener(new ManagementSecurity());
        return main;
    }

    /**
     * The application's settings without running it, for the subcommands: a {@link MarketEtlConfiguration} whose
     * {@code @PropertyInject} fields Camel's properties component fills from {@link #PROPERTY_LOCATIONS}, as
     * {@link #newMain()} does: same files, {@code {{env:NAME:default}}} placeholders and overrides. Starts nothing.
     */
    static MarketEtlConfiguration configuration() throws Exception {
        // never started, so not stopped either: stopping would only log a shutdown on stdout
        DefaultCamelContext context = new DefaultCamelContext();
        context.getPropertiesComponent().addLocation(PROPERTY_LOCATIONS);
        MarketEtlConfiguration configuration = new MarketEtlConfiguration();
        CamelBeanPostProcessor injector = PluginHelper.getBeanPostProcessor(context);
        injector.postProcessBeforeInitialization(configuration, MarketEtlConfiguration.class.getName());
        injector.postProcessAfterInitialization(configuration, MarketEtlConfiguration.class.getName());
        return configuration;
    }

    static String usage() throws IOException {
        return """
                market-etl: captures exchange WebSocket feeds and HTTP APIs into PostgreSQL.

                Usage:
                  java -jar market-etl.jar              run the application (routes from the routes folder)
                  java -jar market-etl.jar --help       this text
                  java -jar market-etl.jar simulator [--port 8765 --rate 2000 ...]
                                                        the offline exchange simulator (simulator --help)
                  java -jar market-etl.jar generate-key
                                                        print a new secret key (base64) for MARKET_ETL_SECRET_KEY
                  java -jar market-etl.jar reencrypt    after a key rotation (MARKET_ETL_SECRET_KEY=<new>,<old>):
                                                        re-encrypt every api_connectors secret under the new key
                                                        (docs/secrets-and-auth.md)

                Settings (application.properties; each overridable by the environment variable shown):
                """ + SettingsTable.fromProperties(applicationProperties()).toText();
    }

    /** The settings text in force: the working directory's file if present, else the packaged copy. */
    static String applicationProperties() throws IOException {
        Path local = Path.of("application.properties");
        if (Files.isRegularFile(local)) {
            return Files.readString(local, StandardCharsets.UTF_8);
        }
        try (InputStream in = Application.class.getResourceAsStream("/application.properties")) {
            return in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
