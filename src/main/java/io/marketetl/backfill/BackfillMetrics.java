package io.marketetl.backfill;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gap backfill's Prometheus families:
 * <ul>
 * <li>{@code market_etl_trade_gaps_total{source,cause}}: gaps recorded (cause stream or restart);</li>
 * <li>{@code market_etl_backfilled_trades_total{source}}: trades stored from REST history;</li>
 * <li>{@code market_etl_trade_gaps_unfillable_total{source}}: gaps given up (or too large to try);</li>
 * <li>{@code market_etl_trade_gaps_open}: gaps waiting to be filled, as of the backfill's last step;</li>
 * <li>{@code market_etl_backfill_requests_total{exchange,outcome}}: history requests: ok, refused (by the host's
 * budget, not sent), rate_limited (429, 418, OKX 50011), failed (no answer or another error answer).</li>
 * </ul>
 */
public final class BackfillMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicLong open = new AtomicLong();

    public BackfillMetrics(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder("market_etl_trade_gaps_open", open, AtomicLong::get)
                .description("Trade-id gaps waiting to be filled from REST history").register(registry);
    }

    public void gap(String source, String cause) {
        gaps(source, cause).increment();
    }

    public void backfilled(String source, long trades) {
        backfilledCounter(source).increment(trades);
    }

    public void unfillable(String source) {
        unfillableCounter(source).increment();
    }

    public void request(String exchange, String outcome) {
        counter("market_etl_backfill_requests", "REST trade-history requests of gap backfill", "exchange", exchange,
                "outcome", outcome).increment();
    }

    /** Shows a source's gap counters at 0 before its first gap. */
    public void registerSource(String source) {
        gaps(source, "stream");
        gaps(source, "restart");
        backfilledCounter(source);
        unfillableCounter(source);
    }

    private Counter gaps(String source, String cause) {
        return counter("market_etl_trade_gaps", "Trade-id gaps found in a stream or across a restart", "source",
                source, "cause", cause);
    }

    private Counter backfilledCounter(String source) {
        return counter("market_etl_backfilled_trades", "Trades stored from the exchange's REST trade history",
                "source", source, null, null);
    }

    private Counter unfillableCounter(String source) {
        return counter("market_etl_trade_gaps_unfillable",
                "Trade-id gaps given up: the history lacks them, or too large to try", "source", source, null, null);
    }

    public void open(long n) {
        open.set(n);
    }

    private Counter counter(String name, String description, String k1, String v1, String k2, String v2) {
        String key = name + '|' + v1 + '|' + v2;
        return counters.computeIfAbsent(key, k -> {
            Counter.Builder b = Counter.builder(name).description(description).tag(k1, String.valueOf(v1));
            if (k2 != null) {
                b.tag(k2, String.valueOf(v2));
            }
            return b.register(registry);
        });
    }
}
