package io.marketetl;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.connector.secret.KeyRing;
import io.marketetl.connector.secret.ReencryptCommand;
import io.marketetl.connector.secret.SecretKeys;
import io.marketetl.db.DatabaseBootstrap;
import io.marketetl.db.DatabaseSettings;
import io.marketetl.db.StartupFailure;
import java.io.PrintStream;

/**
 * The jar's secret-key subcommands ({@code docs/secrets-and-auth.md}): {@code generate-key} prints a new key,
 * {@code reencrypt} moves every api_connectors secret under the current key. Neither prints key material (other than
 * the new key on generate-key's stdout) or plaintext.
 *
 * <p>{@code reencrypt} reads the application's own settings ({@link Application#configuration()}: the same
 * application.properties, environment variables and defaults), connects to the existing database without creating
 * or migrating it, and exits with {@link ReencryptCommand}'s code: 0 every value is under the current key, 1 some
 * values were left as they were (listed), 2 stopped on a database error. Before it gets that far: 7 no key configured
 * ({@link StartupFailure.Kind#SECRET_KEY_MISSING}, as for the application), 2 an unusable setting, 3 or 4 the database
 * cannot be reached or refuses the user; each as one line on stderr.
 */
final class SecretCommands {

    static final String GENERATE_KEY = "generate-key";
    static final String REENCRYPT = "reencrypt";

    private SecretCommands() {
    }

    static boolean isCommand(String name) {
        return name.equals(GENERATE_KEY) || name.equals(REENCRYPT);
    }

    /** Runs {@code args[0]} (a name {@link #isCommand} accepts); returns the exit code. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 1) {
            err.println("market-etl: " + args[0] + " takes no arguments (see --help)");
            return StartupFailure.Kind.BAD_CONFIGURATION.exitCode;
        }
        return args[0].equals(GENERATE_KEY) ? generateKey(out, err) : reencrypt(out, err);
    }

    /** Prints one new key, and nothing else, on {@code out}: {@code export MARKET_ETL_SECRET_KEY=$(... generate-key)}. */
    static int generateKey(PrintStream out, PrintStream err) {
        out.println(SecretKeys.generate());
        err.println("market-etl: a new AES-256 key (base64) for " + SecretKeys.KEY_VARIABLE + ". To rotate keys, put it"
                + " first (" + SecretKeys.KEY_VARIABLE + "=<new>,<old>), restart, then run: java -jar market-etl.jar "
                + REENCRYPT);
        return 0;
    }

    /** Re-encrypts with the configured keys; the report on {@code out}, a failure to start as one line on {@code err}. */
    static int reencrypt(PrintStream out, PrintStream err) {
        try {
            MarketEtlConfiguration settings;
            DatabaseSettings database;
            try {
                settings = Application.configuration();
                // one connection is all the command uses
                database = settings.databaseSettings().withPool(0, 1);
            } catch (Exception e) {
                // a value Camel cannot convert (POSTGRES_PORT=abc), or one DatabaseSettings refuses
                throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION, REENCRYPT
                        + ": cannot read the settings: " + firstLine(e), null);
            }
            KeyRing ring = settings.keyRing();
            if (ring.isEmpty()) {
                throw new StartupFailure(StartupFailure.Kind.SECRET_KEY_MISSING, REENCRYPT + ": no secret key is"
                        + " configured: set " + SecretKeys.KEY_VARIABLE + " to the new key followed by the old ones"
                        + " (<new>,<old>), or " + SecretKeys.KEY_FILE_VARIABLE + " to a file of them, new first", null);
            }
            // the pool connects at once: an unreachable server or a wrong password is a StartupFailure here
            try (HikariDataSource dataSource = DatabaseBootstrap.openPool(database)) {
                return ReencryptCommand.run(dataSource, ring, out);
            }
        } catch (StartupFailure f) {
            err.println("market-etl: " + f.getMessage());
            return f.exitCode();
        }
    }

    private static String firstLine(Throwable t) {
        String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int nl = message.indexOf('\n');
        return (nl < 0 ? message : message.substring(0, nl)).strip();
    }
}
