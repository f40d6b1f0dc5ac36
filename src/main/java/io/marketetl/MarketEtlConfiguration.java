package io.marketetl;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.db.DatabaseBootstrap;
import io.marketetl.db.DatabaseSettings;
import io.marketetl.batch.MalformedCounter;
import io.marketetl.deadletter.DeadLetters;
import io.marketetl.normalise.MalformedFrames;
import io.marketetl.backfill.BackfillBeans;
import io.marketetl.maintenance.MaintenanceBeans;
import io.marketetl.pipeline.PipelineBeans;
import io.marketetl.pipeline.PipelineMetrics;
import io.marketetl.pipeline.PipelineSettings;
import io.marketetl.load.BatchSpool;
import io.marketetl.ops.DatabaseHealthCheck;
import io.marketetl.ops.ListenPorts;
import io.marketetl.ops.SourceHealthChecks;
import io.marketetl.ops.SpoolHealthCheck;
import io.marketetl.pipeline.PipelineMetrics;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.marketetl.status.ConnectorStatusEvents;
import io.marketetl.status.ConnectorStatusStore;
import io.marketetl.status.ConnectorStatusWriter;
import io.marketetl.status.ConnectorRegistry;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.connector.ApiClient;
import io.marketetl.connector.ConnectorServices;
import io.marketetl.connector.ConnectorSettings;
import io.marketetl.connector.ConnectorStore;
import io.marketetl.connector.api.ConnectorApi;
import io.marketetl.console.Console;
import io.marketetl.connector.api.ConnectorManager;
import io.marketetl.query.QueryApi;
import io.marketetl.rest.ApiToken;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.PlatformHttpComponent;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import io.marketetl.connector.PlaceholderGuard;
import io.marketetl.connector.limit.HostBudget;
import io.marketetl.connector.limit.HostBudgets;
import io.marketetl.connector.secret.KeyRing;
import io.marketetl.connector.secret.SecretCipher;
import io.marketetl.connector.secret.SecretKeys;
import io.marketetl.db.StartupFailure;
import io.marketetl.exchanges.ExchangeModules;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.camel.component.quartz.QuartzComponent;
import java.util.Properties;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one configuration class: turns the {@code market-etl.*} settings into the beans the routes use. The
 * database is brought up (waited for, created, migrated) here, before any route starts.
 */
public class MarketEtlConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MarketEtlConfiguration.class);

    @PropertyInject("market-etl.postgres.host")
    private String host;
    @PropertyInject("market-etl.postgres.port")
    private int port;
    @PropertyInject("market-etl.postgres.user")
    private String user;
    @PropertyInject(value = "market-etl.postgres.password", defaultValue = "")
    private String password;
    @PropertyInject("market-etl.postgres.db")
    private String database;
    @PropertyInject(value = "market-etl.postgres.maintenance-db", defaultValue = "postgres")
    private String maintenanceDatabase;
    @PropertyInject(value = "market-etl.postgres.jdbc-options", defaultValue = "")
    private String jdbcOptions;
    @PropertyInject(value = "market-etl.postgres.startup-wait-seconds", defaultValue = "60")
    private int startupWaitSeconds;
    @PropertyInject(value = "market-etl.postgres.startup-max-backoff-ms", defaultValue = "5000")
    private long startupMaxBackoffMs;
    @PropertyInject(value = "market-etl.pool.min-idle", defaultValue = "5")
    private int poolMinIdle;
    @PropertyInject(value = "market-etl.pool.max-size", defaultValue = "20")
    private int poolMaxSize;
    @PropertyInject(value = "market-etl.pool.connection-timeout-ms", defaultValue = "10000")
    private long poolConnectionTimeoutMs;
    @PropertyInject(value = "market-etl.health.db-timeout-seconds", defaultValue = "2")
    private int healthDbTimeoutSeconds;
    @PropertyInject("market-etl.health.source-startup-grace-ms")
    private long healthSourceStartupGraceMs;

    public DatabaseSettings databaseSettings() {
        return new DatabaseSettings(host, port, user, password, database, maintenanceDatabase, jdbcOptions,
                Duration.ofSeconds(startupWaitSeconds), Duration.ofMillis(startupMaxBackoffMs), poolMinIdle,
                poolMaxSize, Duration.ofMillis(poolConnectionTimeoutMs));
    }

    @PropertyInject(value = "market-etl.status.error-log-chars", defaultValue = "16384")
    private int errorLogChars;
    @PropertyInject("market-etl.status.write-wait-ms")
    private long statusWriteWaitMs;
    @PropertyInject("market-etl.status.retry-ms")
    private long statusRetryMs;
    @PropertyInject(value = "market-etl.demo", defaultValue = "false")
    private boolean demo;
    @PropertyInject(value = "market-etl.demo.rate", defaultValue = "20")
    private double demoRate;

    @PropertyInject("market-etl.connector.min-interval-ms")
    private long connectorMinIntervalMs;
    @PropertyInject(value = "market-etl.connector.hosts", defaultValue = "")
    private String connectorHosts;
    @PropertyInject("market-etl.connector.backoff-initial-ms")
    private long connectorBackoffInitialMs;
    @PropertyInject("market-etl.connector.backoff-max-ms")
    private long connectorBackoffMaxMs;
    @PropertyInject("market-etl.connector.status-interval-ms")
    private long connectorStatusIntervalMs;
    @PropertyInject("market-etl.connector.response-timeout-ms")
    private long connectorResponseTimeoutMs;
    @PropertyInject("market-etl.connector.threads")
    private int connectorThreads;
    @PropertyInject(value = "market-etl.connector.host-limits", defaultValue = "")
    private String hostLimits;
    @PropertyInject("market-etl.api.port")
    private int apiPort;
    @PropertyInject("market-etl.api.host")
    private String apiHost;
    @PropertyInject("market-etl.management.port")
    private int managementPort;
    @PropertyInject("market-etl.management.host")
    private String managementHost;
    @PropertyInject(value = "market-etl.api.token", defaultValue = "")
    private String apiToken;
    @PropertyInject("market-etl.api.reads-need-token")
    private boolean apiReadsNeedToken;
    @PropertyInject("market-etl.console.rate-window-ms")
    private long consoleRateWindowMs;
    @PropertyInject("market-etl.console.refresh-ms")
    private long consoleRefreshMs;
    @PropertyInject("market-etl.api.query-timeout-ms")
    private long apiQueryTimeoutMs;
    @PropertyInject(value = "market-etl.secret-key", defaultValue = "")
    private String secretKey;
    @PropertyInject(value = "market-etl.secret-key-file", defaultValue = "")
    private String secretKeyFile;

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        // settings that need nothing else are checked before the database is waited for
        if (consoleRateWindowMs <= 0) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION,
                    "MARKET_ETL_CONSOLE_RATE_WINDOW_MS must be a positive number of milliseconds", null);
        }
        if (apiQueryTimeoutMs <= 0) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION,
                    "MARKET_ETL_API_QUERY_TIMEOUT_MS must be a positive number of milliseconds", null);
        }
        if (consoleRefreshMs < 500) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION,
                    "MARKET_ETL_CONSOLE_REFRESH_MS must be at least 500 (milliseconds)", null);
        }
        if (demo) {
            startDemoSimulator(camelContext);
        }
        ListenPorts.requireFree("MARKET_ETL_API_PORT", apiHost, apiPort);
        ListenPorts.requireFree("MARKET_ETL_MANAGEMENT_PORT", managementHost, managementPort);
        DatabaseSettings settings = databaseSettings();
        // the registry behind /observe/metrics exists from here on: the pool reports to it from its start
        MeterRegistry meters = PipelineMetrics.bindApplicationRegistry(camelContext);
        HikariDataSource dataSource = DatabaseBootstrap.start(settings, new MicrometerMetricsTrackerFactory(meters));
        camelContext.getRegistry().bind("dataSource", dataSource);
        closeOnStop(camelContext, dataSource);
        ConnectorStatusStore statusStore = new ConnectorStatusStore(dataSource, errorLogChars);
        // added after the pool's closer, so stopped before it: its stop writes the routes' last events first
        ConnectorStatusWriter statusWriter = new ConnectorStatusWriter(statusStore, Duration.ofMillis(statusRetryMs),
                Duration.ofMillis(statusWriteWaitMs));
        camelContext.addService(statusWriter, true, true);
        ConnectorStatusEvents statusEvents = new ConnectorStatusEvents(statusWriter);
        camelContext.getRegistry().bind("connectorStatus", statusEvents);
        camelContext.getManagementStrategy().addEventNotifier(new ConnectorRegistry(statusWriter,
                Duration.ofMillis(statusWriteWaitMs)));
        PipelineBeans.bind(camelContext, dataSource, PipelineSettings.fromContext(camelContext), statusEvents);
        camelContext.getRegistry().bind("malformedFrames", new MalformedFrames(
                camelContext.getRegistry().lookupByNameAndType("deadLetters", DeadLetters.class),
                camelContext.getRegistry().lookupByNameAndType("malformedCounter", MalformedCounter.class)));
        ApiToken token = apiToken();
        bindConnectorServices(camelContext, dataSource, statusEvents, token);
        bindBackfill(camelContext, dataSource);
        camelContext.getRegistry().bind("queryApi", new QueryApi(dataSource, token, apiQueryTimeoutMs));
        bindMaintenance(camelContext, dataSource);
        useApiServerForRest(camelContext);
        camelContext.getRegistry().bind("console", new Console(dataSource, token, consoleRateWindowMs,
                consoleRefreshMs));
        HealthCheckRegistry health = HealthCheckRegistry.get(camelContext);
        if (health != null) {
            health.register(new DatabaseHealthCheck(settings, healthDbTimeoutSeconds));
            health.register(new SourceHealthChecks(camelContext, healthSourceStartupGraceMs));
            health.register(new SpoolHealthCheck(camelContext.getRegistry().lookupByNameAndType("batchSpool",
                    BatchSpool.class)));
        }
    }

    /** Gap backfill (market-etl/backfill.camel.yaml) through the connectors' HTTP client; bad settings: one line. */
    private static void bindBackfill(CamelContext camelContext, HikariDataSource dataSource) {
        ConnectorServices services = camelContext.getRegistry().lookupByNameAndType(ConnectorServices.BEAN,
                ConnectorServices.class);
        try {
            BackfillBeans.bind(camelContext, dataSource, services.client());
        } catch (IllegalArgumentException e) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION, e.getMessage(), null);
        }
    }

    /** Retention and ANALYZE (market-etl/maintenance.camel.yaml); a malformed setting is one line at start-up. */
    private static void bindMaintenance(CamelContext camelContext, HikariDataSource dataSource) {
        PropertiesComponent pc = camelContext.getPropertiesComponent();
        PipelineMetrics metrics = camelContext.getRegistry().lookupByNameAndType("pipelineMetrics",
                PipelineMetrics.class);
        try {
            MaintenanceBeans.bind(camelContext, dataSource, key -> pc.resolveProperty(key).orElse(""),
                    metrics::registry);
        } catch (IllegalArgumentException e) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION, e.getMessage(), null);
        }
    }

    /**
     * The REST DSL's routes go on the API server (camel.server.*), not the management one. Camel 4.17's Vert.x engine
     * finds "the" server by type and, with two of them (this and the management server), falls back to port 8080:
     * tell it the API port.
     */
    private void useApiServerForRest(CamelContext camelContext) {
        int port = apiPort;
        VertxPlatformHttpEngine engine = new VertxPlatformHttpEngine() {
            @Override
            public int getServerPort() {
                return port;
            }
        };
        engine.setCamelContext(camelContext);
        camelContext.getComponent("platform-http", PlatformHttpComponent.class).setEngine(engine);
    }

    /**
     * The REST API's credentials ({@code MARKET_ETL_API_TOKEN}, {@code MARKET_ETL_API_READS_NEED_TOKEN}).
     *
     * @throws StartupFailure BAD_CONFIGURATION, one line, when reads need a token and none is set
     */
    private ApiToken apiToken() {
        try {
            return new ApiToken(apiToken, apiReadsNeedToken);
        } catch (IllegalArgumentException e) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION, e.getMessage(), null);
        }
    }

    /**
     * The secret keys of {@code market-etl.secret-key} / {@code market-etl.secret-key-file}
     * ({@code MARKET_ETL_SECRET_KEY} / {@code MARKET_ETL_SECRET_KEY_FILE}); empty when neither is set.
     *
     * @throws StartupFailure BAD_CONFIGURATION, one line naming the variable (never the key), for an unusable setting
     */
    public KeyRing keyRing() {
        try {
            return SecretKeys.fromSettings(secretKey, secretKeyFile);
        } catch (RuntimeException e) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION, e.getMessage(), null);
        }
    }

    /**
     * HTTP API connectors: the secret key ring, the connector store, the HTTP client with its per-host budgets, and
     * Quartz's worker threads. Ciphertext in api_connectors without a key to read it is a start-up failure.
     */
    private void bindConnectorServices(CamelContext camelContext, HikariDataSource dataSource,
            ConnectorStatusEvents statusEvents, ApiToken token) throws Exception {
        // before the route files load: their connectors' placeholders stay out of route dumps
        PlaceholderGuard.install(camelContext);
        KeyRing ring = keyRing();
        ConnectorStore store = new ConnectorStore(dataSource, new SecretCipher(ring));
        if (ring.isEmpty() && store.anySecretsStored()) {
            throw new StartupFailure(StartupFailure.Kind.SECRET_KEY_MISSING, "api_connectors holds encrypted headers,"
                    + " query parameters or credentials, but no key is configured: set MARKET_ETL_SECRET_KEY (or"
                    + " MARKET_ETL_SECRET_KEY_FILE) to the key they were stored with", null);
        }
        HostBudgets budgets;
        try {
            budgets = new HostBudgets(HostBudgets.parseRules(hostLimits), ExchangeModules.all(),
                    HostBudget.Settings.DEFAULTS);
        } catch (IllegalArgumentException e) {
            throw new StartupFailure(StartupFailure.Kind.BAD_CONFIGURATION, "MARKET_ETL_HOST_LIMITS: " + e.getMessage(),
                    null);
        }
        ApiClient client = new ApiClient(camelContext, budgets, Clock.systemUTC());
        closeOnStop(camelContext, client::close);
        List<String> hosts = Arrays.stream(connectorHosts.split(",")).map(h -> h.strip().toLowerCase(Locale.ROOT))
                .filter(h -> !h.isEmpty()).toList();
        ConnectorSettings settings = new ConnectorSettings(connectorMinIntervalMs, hosts, connectorBackoffInitialMs,
                connectorBackoffMaxMs, connectorStatusIntervalMs, connectorResponseTimeoutMs);
        ConnectorServices services = new ConnectorServices(client, statusEvents, store, settings, Clock.systemUTC());
        camelContext.getRegistry().bind(ConnectorServices.BEAN, services);
        ConnectorManager manager = new ConnectorManager(camelContext, store);
        camelContext.getRegistry().bind("connectorApi", new ConnectorApi(services, manager, dataSource, token));
        // the REST API's connectors that were running before the stop run again once every route is there
        camelContext.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
                manager.resumeAll();
            }
        });
        if (!token.writesEnabled()) {
            LOG.info("REST API: reads are open, writes are refused until MARKET_ETL_API_TOKEN is set");
        } else if (token.readsNeedToken()) {
            LOG.info("REST API: reads and writes need the token (MARKET_ETL_API_READS_NEED_TOKEN)");
        }
        Properties quartz = new Properties();
        quartz.setProperty("org.quartz.scheduler.instanceName", "market-etl-connectors");
        quartz.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
        quartz.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
        quartz.setProperty("org.quartz.threadPool.threadCount", Integer.toString(connectorThreads));
        quartz.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
        quartz.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
        camelContext.getComponent("quartz", QuartzComponent.class).setProperties(new java.util.HashMap<>(quartz));
    }

    /**
     * Offline demo: the exchange simulator runs in this process and the exchange URLs point at it, so the shipped
     * sources produce rows with no network. Overrides win over application.properties and the environment.
     */
    private void startDemoSimulator(CamelContext camelContext) throws Exception {
        ExchangeSimulator simulator = ExchangeSimulator.start(
                SimulatorConfig.builder().port(0).ratePerConnection(demoRate).build());
        // added to the overrides already set (ManagementSecurity's), not in their place
        PropertiesComponent pc = camelContext.getPropertiesComponent();
        pc.addOverrideProperty("market-etl.okx.ws-url", simulator.okxWsUrl());
        pc.addOverrideProperty("market-etl.binance.ws-url", simulator.binanceWsUrl());
        pc.addOverrideProperty("market-etl.okx.rest-url", simulator.okxRestUrl());
        pc.addOverrideProperty("market-etl.binance.rest-url", simulator.binanceRestUrl());
        closeOnStop(camelContext, simulator);
        LOG.info("Demo mode: exchange simulator on port {} ({} frames/s per connection); sources point at it",
                simulator.port(), demoRate);
    }

    /** Closes the resource when Camel stops, after the routes (Camel stops services in reverse order of addition). */
    private static void closeOnStop(CamelContext camelContext, AutoCloseable resource) throws Exception {
        camelContext.addService(new ServiceSupport() {
            @Override
            protected void doStop() throws Exception {
                resource.close();
            }
        });
    }
}
