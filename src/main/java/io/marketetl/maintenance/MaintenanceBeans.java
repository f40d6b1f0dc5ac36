package io.marketetl.maintenance;

import java.text.ParseException;
import java.time.Clock;
import java.util.function.Function;
import java.util.function.Supplier;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;
import org.quartz.CronExpression;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds the beans market-etl/maintenance.camel.yaml calls: {@code retention} ({@link RetentionJob}) and
 * {@code analyze} ({@link AnalyzeJob}), after checking their settings (one line naming the variable when one is
 * malformed), and says once at start-up what retention will delete.
 */
public final class MaintenanceBeans {

    private static final Logger LOG = LoggerFactory.getLogger(MaintenanceBeans.class);

    private MaintenanceBeans() {
    }

    /**
     * @param setting the resolved value of a {@code market-etl.*} setting (empty when unset)
     * @throws IllegalArgumentException one line naming the malformed variable
     */
    public static RetentionJob bind(CamelContext context, DataSource dataSource, Function<String, String> setting,
            Supplier<MeterRegistry> registry) {
        cron("MARKET_ETL_RETENTION_CRON", setting.apply("market-etl.retention.cron"));
        cron("MARKET_ETL_ANALYZE_CRON", setting.apply("market-etl.analyze.cron"));
        String chunk = setting.apply("market-etl.retention.chunk-rows").strip();
        if (!chunk.matches("\\d{1,9}")) {
            throw new IllegalArgumentException("MARKET_ETL_RETENTION_CHUNK_ROWS: '" + chunk + "' is not a number of rows");
        }
        RetentionPolicy policy = RetentionPolicy.fromSettings(setting, Integer.parseInt(chunk));
        MaintenanceMetrics metrics = new MaintenanceMetrics(registry);
        RetentionJob retention = new RetentionJob(dataSource, policy, metrics, Clock.systemUTC(),
                () -> !context.isStopping() && !context.isStopped());
        context.getRegistry().bind("retention", retention);
        context.getRegistry().bind("analyze", new AnalyzeJob(dataSource, metrics));
        if (policy.off()) {
            LOG.info("Retention: off, every table keeps its rows (set MARKET_ETL_RETENTION_<TABLE>, e.g. 30d)");
        } else {
            LOG.info("Retention: deletes {} on '{}', {} rows per transaction", policy.describe(),
                    setting.apply("market-etl.retention.cron").strip(), policy.chunkRows());
        }
        return retention;
    }

    private static void cron(String variable, String value) {
        try {
            CronExpression.validateExpression(value == null ? "" : value.strip());
        } catch (ParseException | RuntimeException e) {
            throw new IllegalArgumentException(variable + ": '" + value + "' is not a Quartz cron expression ("
                    + e.getMessage() + "); e.g. '0 17 * * * ?' is every hour at minute 17");
        }
    }
}
