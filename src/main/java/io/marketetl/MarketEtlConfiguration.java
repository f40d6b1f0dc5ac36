package io.marketetl;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.db.DatabaseBootstrap;
import io.marketetl.db.DatabaseSettings;
import io.marketetl.batch.MalformedCounter;
import io.marketetl.normalise.MalformedFrames;
import io.marketetl.pipeline.PipelineBeans;
import io.marketetl.pipeline.PipelineSettings;
import io.marketetl.ops.DatabaseHealthCheck;
import io.marketetl.status.ConnectorStatusEvents;
import io.marketetl.status.ConnectorStatusStore;
import io.marketetl.status.SourceRegistry;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import java.time.Duration;
import java.util.Properties;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.health.HealthCheckRegistry;
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

    public DatabaseSettings databaseSettings() {
        return new DatabaseSettings(host, port, user, password, database, maintenanceDatabase, jdbcOptions,
                Duration.ofSeconds(startupWaitSeconds), Duration.ofMillis(startupMaxBackoffMs), poolMinIdle,
                poolMaxSize, Duration.ofMillis(poolConnectionTimeoutMs));
    }

    @PropertyInject(value = "market-etl.status.error-log-chars", defaultValue = "16384")
    private int errorLogChars;
    @PropertyInject(value = "market-etl.malformed.max-retry-ms", defaultValue = "5000")
    private long malformedMaxRetryMs;
    @PropertyInject(value = "market-etl.demo", defaultValue = "false")
    private boolean demo;
    @PropertyInject(value = "market-etl.demo.rate", defaultValue = "20")
    private double demoRate;

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        if (demo) {
            startDemoSimulator(camelContext);
        }
        DatabaseSettings settings = databaseSettings();
        HikariDataSource dataSource = DatabaseBootstrap.start(settings);
        camelContext.getRegistry().bind("dataSource", dataSource);
        closeOnStop(camelContext, dataSource);
        ConnectorStatusStore statusStore = new ConnectorStatusStore(dataSource, errorLogChars);
        camelContext.getRegistry().bind("connectorStatus", new ConnectorStatusEvents(statusStore));
        camelContext.getManagementStrategy().addEventNotifier(new SourceRegistry(statusStore));
        PipelineBeans.bind(camelContext, dataSource, PipelineSettings.fromContext(camelContext));
        camelContext.getRegistry().bind("malformedFrames", new MalformedFrames(dataSource,
                Duration.ofMillis(malformedMaxRetryMs), camelContext.getRegistry().lookupByNameAndType(
                        "malformedCounter", MalformedCounter.class)));
        HealthCheckRegistry health = HealthCheckRegistry.get(camelContext);
        if (health != null) {
            health.register(new DatabaseHealthCheck(settings, healthDbTimeoutSeconds));
        }
    }

    /**
     * Offline demo: the exchange simulator runs in this process and the exchange URLs point at it, so the shipped
     * sources produce rows with no network. Overrides win over application.properties and the environment.
     */
    private void startDemoSimulator(CamelContext camelContext) throws Exception {
        ExchangeSimulator simulator = ExchangeSimulator.start(
                SimulatorConfig.builder().port(0).ratePerConnection(demoRate).build());
        Properties urls = new Properties();
        urls.setProperty("market-etl.okx.ws-url", simulator.okxWsUrl());
        urls.setProperty("market-etl.binance.ws-url", simulator.binanceWsUrl());
        urls.setProperty("market-etl.okx.rest-url", simulator.okxRestUrl());
        urls.setProperty("market-etl.binance.rest-url", simulator.binanceRestUrl());
        camelContext.getPropertiesComponent().setOverrideProperties(urls);
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
