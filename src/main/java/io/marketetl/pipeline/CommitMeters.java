package io.marketetl.pipeline;

import io.marketetl.batch.Batch;
import io.marketetl.load.BatchCommitListener;
import io.marketetl.normalise.MarketMessage;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Meters of what a commit completes, per source (label {@code source}), told by the loader after each batch commits:
 * <pre>
 * market_etl_send_to_commit_latency_seconds{source}   exchange event time to commit, per stored message (histogram)
 * market_etl_stage_duration_seconds{source,stage}     extract, transform, load, total as stamped on each stored row
 * market_etl_batch_size_messages{source}              messages per committed batch (histogram)
 * </pre>
 * Messages without an event time (a book ticker, most HTTP answers) have no send-to-commit latency; messages the
 * database refused are not timed. Meters are made once per source and cached here.
 */
public final class CommitMeters implements BatchCommitListener {

    static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
            Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
            Duration.ofSeconds(30), Duration.ofSeconds(60)};
    static final Duration[] STAGE_BUCKETS = {Duration.ofNanos(100_000), Duration.ofNanos(250_000),
            Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(5), Duration.ofSeconds(30)};
    static final double[] BATCH_BUCKETS = {1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000};

    private final PipelineMetrics metrics;
    private final Map<String, SourceCommitMeters> bySource = new ConcurrentHashMap<>();

    public CommitMeters(PipelineMetrics metrics) {
        this.metrics = metrics;
    }

    private record SourceCommitMeters(Timer sendToCommit, Timer extract, Timer transform, Timer load, Timer total,
            DistributionSummary batchSize) {

        static SourceCommitMeters create(MeterRegistry registry, String source) {
            return new SourceCommitMeters(Timer.builder("market_etl_send_to_commit_latency")
                    .description("Exchange event time to the commit of the message's row")
                    .tag("source", source).serviceLevelObjectives(LATENCY_BUCKETS).register(registry),
                    stage(registry, source, "extract"), stage(registry, source, "transform"),
                    stage(registry, source, "load"), stage(registry, source, "total"),
                    DistributionSummary.builder("market_etl_batch_size").baseUnit("messages")
                            .description("Messages per committed batch").tag("source", source)
                            .serviceLevelObjectives(BATCH_BUCKETS).register(registry));
        }

        private static Timer stage(MeterRegistry registry, String source, String stage) {
            return Timer.builder("market_etl_stage_duration")
                    .description("Stage durations stamped on each stored row (extract_time, transform_time,"
                            + " load_time, total_time)")
                    .tag("source", source).tag("stage", stage).serviceLevelObjectives(STAGE_BUCKETS)
                    .register(registry);
        }
    }

    @Override
    public void committed(Batch batch, Instant committedAt) {
        SourceCommitMeters m = bySource.computeIfAbsent(batch.sourceId(), s -> {
            metrics.registerSource(s);
            return SourceCommitMeters.create(metrics.registry(), s);
        });
        m.batchSize().record(batch.size());
        long commitMicros = committedAt.getEpochSecond() * 1_000_000L + committedAt.getNano() / 1000;
        for (MarketMessage msg : batch.messages()) {
            if (msg.loadSeconds() <= 0) {
                continue; // refused by the database: not stored
            }
            Instant event = msg.eventTime();
            if (event != null) {
                long eventMicros = event.getEpochSecond() * 1_000_000L + event.getNano() / 1000;
                m.sendToCommit().record(Math.max(0, commitMicros - eventMicros), TimeUnit.MICROSECONDS);
            }
            record(m.extract(), msg.extractSeconds());
            record(m.transform(), msg.transformSeconds());
            record(m.load(), msg.loadSeconds());
            record(m.total(), msg.totalSeconds());
        }
    }

    private static void record(Timer timer, double seconds) {
        timer.record(Math.round(seconds * 1e9), TimeUnit.NANOSECONDS);
    }
}
