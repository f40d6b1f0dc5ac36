package io.marketetl.pipeline;

import java.time.Duration;
import java.util.Locale;
import org.apache.camel.CamelContext;

/**
 * The pipeline settings the Java beans need (the routes read theirs as {{market-etl....}} placeholders), resolved
 * from the context's properties, i.e. application.properties and the environment.
 */
public record PipelineSettings(String writer, int maxMessages, Duration loadNetworkTimeout, Duration retryMax,
        long deadLetterMaxRows, Duration deadLetterMaxRetry, java.nio.file.Path spoolDir, long spoolMaxBytes,
        long spoolSegmentBytes, Duration spoolSyncInterval, Duration spoolAfter, Duration spoolProbe,
        int spoolReplayGroupBatches) {

    public PipelineSettings {
        writer = writer.trim().toLowerCase(Locale.ROOT);
        if (!writer.equals("copy") && !writer.equals("sql")) {
            throw new IllegalArgumentException("MARKET_ETL_LOAD_WRITER must be copy or sql, got " + writer);
        }
        if (maxMessages < 1) {
            throw new IllegalArgumentException("MARKET_ETL_BATCH_MAX_MESSAGES must be at least 1, got " + maxMessages);
        }
        if (spoolMaxBytes < 1) {
            throw new IllegalArgumentException("MARKET_ETL_SPOOL_MAX_BYTES must be at least 1, got " + spoolMaxBytes);
        }
    }

    public static PipelineSettings fromContext(CamelContext context) {
        return new PipelineSettings(
                property(context, "market-etl.load.writer", "copy"),
                Integer.parseInt(property(context, "market-etl.batch.max-messages", "1000")),
                Duration.ofMillis(Long.parseLong(property(context, "market-etl.load.network-timeout-ms", "60000"))),
                Duration.ofMillis(Long.parseLong(property(context, "market-etl.load.retry-max-ms", "5000"))),
                Long.parseLong(required(context, "market-etl.dead-letters.max-rows")),
                Duration.ofMillis(Long.parseLong(required(context, "market-etl.malformed.max-retry-ms"))),
                java.nio.file.Path.of(required(context, "market-etl.spool.dir")),
                Long.parseLong(required(context, "market-etl.spool.max-bytes")),
                Long.parseLong(required(context, "market-etl.spool.segment-bytes")),
                Duration.ofMillis(Long.parseLong(required(context, "market-etl.spool.sync-interval-ms"))),
                Duration.ofMillis(Long.parseLong(required(context, "market-etl.spool.after-ms"))),
                Duration.ofMillis(Long.parseLong(required(context, "market-etl.spool.probe-ms"))),
                Integer.parseInt(required(context, "market-etl.spool.replay-group-batches")));
    }

    private static String required(CamelContext context, String key) {
        return context.getPropertiesComponent().resolveProperty(key)
                .orElseThrow(() -> new IllegalArgumentException("setting " + key + " is missing")).trim();
    }

    private static String property(CamelContext context, String key, String fallback) {
        return context.getPropertiesComponent().resolveProperty(key).orElse(fallback).trim();
    }
}
