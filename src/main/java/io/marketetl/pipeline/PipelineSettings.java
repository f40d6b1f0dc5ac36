package io.marketetl.pipeline;

import java.time.Duration;
import java.util.Locale;
import org.apache.camel.CamelContext;

/**
 * The pipeline settings the Java beans need (the routes read theirs as {{market-etl....}} placeholders), resolved
 * from the context's properties, i.e. application.properties and the environment.
 */
public record PipelineSettings(String writer, int maxMessages, Duration loadNetworkTimeout, Duration retryMax) {

    public PipelineSettings {
        writer = writer.trim().toLowerCase(Locale.ROOT);
        if (!writer.equals("copy") && !writer.equals("sql")) {
            throw new IllegalArgumentException("MARKET_ETL_LOAD_WRITER must be copy or sql, got " + writer);
        }
        if (maxMessages < 1) {
            throw new IllegalArgumentException("MARKET_ETL_BATCH_MAX_MESSAGES must be at least 1, got " + maxMessages);
        }
    }

    public static PipelineSettings fromContext(CamelContext context) {
        return new PipelineSettings(
                property(context, "market-etl.load.writer", "copy"),
                Integer.parseInt(property(context, "market-etl.batch.max-messages", "1000")),
                Duration.ofMillis(Long.parseLong(property(context, "market-etl.load.network-timeout-ms", "60000"))),
                Duration.ofMillis(Long.parseLong(property(context, "market-etl.load.retry-max-ms", "5000"))));
    }

    private static String property(CamelContext context, String key, String fallback) {
        return context.getPropertiesComponent().resolveProperty(key).orElse(fallback).trim();
    }
}
