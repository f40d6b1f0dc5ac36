package io.marketetl.backfill;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Gap backfill's settings (application.properties, "## Gap backfill"), resolved once at start. The route's timer
 * period is read by the route itself ({@code market-etl/backfill.camel.yaml}).
 *
 * @param restUrls the REST base URL per exchange, from {@code market-etl.<exchange>.rest-url}
 */
public record BackfillSettings(boolean enabled, double budgetShare, long graceMs, int maxAttempts, long retryInitialMs,
        long retryMaxMs, long maxGapTrades, int restartScanTrades, int pagesPerStep, int gapsPerStep,
        Map<String, String> restUrls) {

    public BackfillSettings {
        if (!(budgetShare > 0 && budgetShare <= 0.5)) {
            throw new IllegalArgumentException("MARKET_ETL_BACKFILL_BUDGET_SHARE must be above 0 and at most 0.5 (half of"
                    + " a host's request budget is kept for the connectors), got " + budgetShare);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("MARKET_ETL_BACKFILL_MAX_ATTEMPTS must be at least 1, got " + maxAttempts);
        }
        if (retryInitialMs < 1 || retryMaxMs < retryInitialMs) {
            throw new IllegalArgumentException("MARKET_ETL_BACKFILL_RETRY_INITIAL_MS must be at least 1 and at most"
                    + " MARKET_ETL_BACKFILL_RETRY_MAX_MS");
        }
        if (graceMs < 0 || maxGapTrades < 1 || restartScanTrades < 1 || pagesPerStep < 1 || gapsPerStep < 1) {
            throw new IllegalArgumentException("MARKET_ETL_BACKFILL_GRACE_MS must be >= 0, and MAX_GAP_TRADES,"
                    + " RESTART_SCAN_TRADES, PAGES_PER_STEP and GAPS_PER_STEP at least 1");
        }
        restUrls = Map.copyOf(restUrls);
    }

    /**
     * @param property a setting's value by its key; throws for a missing one
     * @param exchanges the names of the exchanges with a trade history
     */
    public static BackfillSettings from(Function<String, String> property, Iterable<String> exchanges) {
        Map<String, String> urls = new TreeMap<>();
        for (String e : exchanges) {
            String url = property.apply("market-etl." + e + ".rest-url");
            if (url != null && !url.isBlank()) {
                urls.put(e, url.strip().replaceAll("/+$", ""));
            }
        }
        try {
            return new BackfillSettings(
                    Boolean.parseBoolean(property.apply("market-etl.backfill.enabled").strip()),
                    Double.parseDouble(property.apply("market-etl.backfill.budget-share").strip()),
                    Long.parseLong(property.apply("market-etl.backfill.grace-ms").strip()),
                    Integer.parseInt(property.apply("market-etl.backfill.max-attempts").strip()),
                    Long.parseLong(property.apply("market-etl.backfill.retry-initial-ms").strip()),
                    Long.parseLong(property.apply("market-etl.backfill.retry-max-ms").strip()),
                    Long.parseLong(property.apply("market-etl.backfill.max-gap-trades").strip()),
                    Integer.parseInt(property.apply("market-etl.backfill.restart-scan-trades").strip()),
                    Integer.parseInt(property.apply("market-etl.backfill.pages-per-step").strip()),
                    Integer.parseInt(property.apply("market-etl.backfill.gaps-per-step").strip()),
                    urls);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a MARKET_ETL_BACKFILL_* setting is not a number: " + e.getMessage());
        }
    }
}
