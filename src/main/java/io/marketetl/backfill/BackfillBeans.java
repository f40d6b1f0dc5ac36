package io.marketetl.backfill;

import io.marketetl.connector.ApiClient;
import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.exchanges.ExchangeModules;
import io.marketetl.db.BoundedWaitDataSource;
import io.marketetl.load.BatchSpool;
import io.marketetl.pipeline.PipelineSettings;
import io.marketetl.pipeline.PipelineMetrics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.apache.camel.CamelContext;

/**
 * Binds gap backfill's beans: {@code tradeGaps} ({@link TradeGapDetector}, the step after normalise) and
 * {@code backfill} ({@link Backfiller}, the {@code backfill} route's step). With
 * {@code market-etl.backfill.enabled=false} the detector follows nothing and the step finds nothing to do.
 */
public final class BackfillBeans {

    private BackfillBeans() {
    }

    public static Backfiller bind(CamelContext context, DataSource dataSource, ApiClient client) {
        List<String> exchanges = new ArrayList<>();
        for (ExchangeModule m : ExchangeModules.all()) {
            if (m.tradeHistory("trade") != null) {
                exchanges.add(m.name());
            }
        }
        BackfillSettings settings = BackfillSettings.from(key -> context.getPropertiesComponent().resolveProperty(key)
                .orElseThrow(() -> new IllegalArgumentException("setting " + key + " is missing")), exchanges);
        TradeGapDetector detector = new TradeGapDetector(
                (exchange, type) -> Backfiller.backfillable(settings, exchange, type), Clock.systemUTC());
        BatchSpool spool = context.getRegistry().lookupByNameAndType("batchSpool", BatchSpool.class);
        PipelineMetrics metrics = context.getRegistry().lookupByNameAndType("pipelineMetrics", PipelineMetrics.class);
        // a step waits at most the spool's delay for a pool connection: during an outage it gives up quickly (the
        // gaps stay in memory) and never holds a stop up for the pool's full connection timeout
        PipelineSettings pipeline = PipelineSettings.fromContext(context);
        Backfiller backfiller = new Backfiller(detector,
                new TradeGapStore(BoundedWaitDataSource.of(dataSource, pipeline.spoolAfter())), client, settings,
                new BackfillMetrics(metrics.registry()), spool == null ? () -> 0L : spool::depth, Clock.systemUTC());
        context.getRegistry().bind("tradeGaps", detector);
        context.getRegistry().bind("backfill", backfiller);
        return backfiller;
    }
}
