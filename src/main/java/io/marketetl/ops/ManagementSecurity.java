package io.marketetl.ops;

import io.marketetl.db.StartupFailure;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.AuthenticationHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig.AuthenticationConfigEntry;
import org.apache.camel.component.platform.http.vertx.auth.AuthenticationConfig.AuthenticationHandlerFactory;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security of the management server ({@code /observe/*}), decided once at start-up from
 * {@code market-etl.management.user} / {@code market-etl.management.password}
 * ({@code MARKET_ETL_MANAGEMENT_USER} / {@code MARKET_ETL_MANAGEMENT_PASSWORD}).
 * <ul>
 * <li>Both set: HTTP basic auth on {@code /observe/*} through Camel's own {@code camel.management.authentication-*}
 * settings, with a Vert.x properties file written here into an owner-only temp file; Jolokia uses the full policy
 * ({@code jolokia-access.xml}: exec allowed, JVM diagnostics denied). The liveness and readiness probes stay open.</li>
 * <li>Neither set: no authentication and Jolokia is read-only ({@code jolokia-access-readonly.xml}); one log line
 * says how to enable operations.</li>
 * </ul>
 * Camel's authentication has one path (a Vert.x route path, no exclusions): every request under it must authenticate.
 * To keep the probes open, the authentication handler Camel builds is wrapped so that it lets exactly
 * {@link #OPEN_PATHS} without a query string through (a query such as {@code ?exposureLevel=full} would show every
 * check's details); everything else goes through Camel's unchanged basic-auth handler.
 */
public final class ManagementSecurity extends MainListenerSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ManagementSecurity.class);

    public static final String USER = "market-etl.management.user";
    public static final String PASSWORD = "market-etl.management.password";
    /** Jolokia 2 reads its policy location from this system property when its configuration sets none. */
    public static final String JOLOKIA_POLICY_PROPERTY = "jolokia.policyLocation";
    public static final String FULL_POLICY = "classpath:/jolokia-access.xml";
    public static final String READ_ONLY_POLICY = "classpath:/jolokia-access-readonly.xml";
    /** Probes an orchestrator calls without credentials (the full health, with details, stays protected). */
    static final Set<String> OPEN_PATHS = Set.of("/observe/health/live", "/observe/health/ready");

    private boolean authenticated;

    @Override
    public void beforeConfigure(BaseMainSupport main) {
        PropertiesComponent pc = main.getCamelContext().getPropertiesComponent();
        String user = pc.resolveProperty(USER).orElse("").strip();
        String password = pc.resolveProperty(PASSWORD).orElse("");
        if (user.isEmpty() != password.isEmpty()) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION, "set both MARKET_ETL_MANAGEMENT_USER and"
                    + " MARKET_ETL_MANAGEMENT_PASSWORD (or neither): only " + (user.isEmpty()
                            ? "MARKET_ETL_MANAGEMENT_PASSWORD" : "MARKET_ETL_MANAGEMENT_USER") + " is set", null);
        }
        authenticated = !user.isEmpty();
        // an operator's own -Djolokia.policyLocation wins
        if (System.getProperty(JOLOKIA_POLICY_PROPERTY) == null) {
            System.setProperty(JOLOKIA_POLICY_PROPERTY, authenticated ? FULL_POLICY : READ_ONLY_POLICY);
        }
        if (!authenticated) {
            LOG.info("Management port: no authentication and Jolokia is read-only (no exec, no write); to enable"
                    + " operations (e.g. for Hawtio) set MARKET_ETL_MANAGEMENT_USER and MARKET_ETL_MANAGEMENT_PASSWORD");
            return;
        }
        Path file = writeUsersFile(user, password);
        pc.addOverrideProperty("camel.management.authentication-enabled", "true");
        pc.addOverrideProperty("camel.management.authentication-path", "/observe/*");
        pc.addOverrideProperty("camel.management.basic-properties-file", file.toString());
        LOG.info("Management port: HTTP basic auth for user '{}' on /observe/* except {}; Jolokia allows operations",
                user, String.join(" and ", OPEN_PATHS.stream().sorted().toList()));
    }

    @Override
    public void afterConfigure(BaseMainSupport main) {
        if (authenticated) {
            openProbes(main.getCamelContext());
        }
    }

    /** Lets the probe paths past every authentication handler of the management server. */
    static void openProbes(CamelContext camelContext) {
        ManagementHttpServer server = camelContext.hasService(ManagementHttpServer.class);
        AuthenticationConfig config = server == null ? null : server.getConfiguration().getAuthenticationConfig();
        if (config == null || !config.isEnabled() || config.getEntries().isEmpty()) {
            // fail closed rather than run without the authentication the operator asked for
            throw new IllegalStateException("management authentication was requested but is not configured");
        }
        for (AuthenticationConfigEntry entry : config.getEntries()) {
            AuthenticationHandlerFactory original = entry.getAuthenticationHandlerFactory();
            entry.setAuthenticationHandlerFactory(new AuthenticationHandlerFactory() {
                @Override
                public <T extends io.vertx.ext.auth.authentication.AuthenticationProvider> AuthenticationHandler
                        createAuthenticationHandler(T provider) {
                    AuthenticationHandler handler = original.createAuthenticationHandler(provider);
                    return (RoutingContext ctx) -> {
                        // no query either: ?exposureLevel=full would list every check and its errors
                        if (ctx.request().query() == null && OPEN_PATHS.contains(ctx.normalizedPath())) {
                            ctx.next();
                        } else {
                            handler.handle(ctx);
                        }
                    };
                }
            });
        }
    }

    /**
     * The Vert.x properties-file users file: one line {@code user.<name> = <password>}. Vert.x splits the value on
     * commas (roles follow the password) and trims it, so such passwords are refused rather than silently changed.
     */
    static Path writeUsersFile(String user, String password) {
        if (!user.matches("[^\\s=:,#]+")) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION,
                    "MARKET_ETL_MANAGEMENT_USER must not contain spaces or any of = : , #", null);
        }
        if (password.contains(",") || !password.equals(password.strip()) || password.contains("\n")
                || password.contains("\r")) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION, "MARKET_ETL_MANAGEMENT_PASSWORD must not"
                    + " contain commas or line breaks, nor start or end with spaces", null);
        }
        try {
            Path file;
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                file = Files.createTempFile("market-etl-management-", ".properties",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                file = Files.createTempFile("market-etl-management-", ".properties");
            }
            file.toFile().deleteOnExit();
            Files.write(file, List.of("user." + user + " = " + password), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the management users file", e);
        }
    }
}
