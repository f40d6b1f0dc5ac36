package io.marketetl.connector;

import io.marketetl.source.SourceMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Prometheus meters of one HTTP API connector, label {@code source} (the connector id): created once per
 * connector and kept across its runs, so that a call costs a few increments and no registry lookup (the status
 * code counters are cached by code).
 * <pre>
 * market_etl_messages_received_total{source}              answers received
 * market_etl_received_bytes_total{source}                 their bodies' length
 * market_etl_http_calls_total{source,status}              calls by status code ("none": no answer)
 * market_etl_http_response_latency_seconds{source}        request sent to answer read (histogram)
 * market_etl_http_rate_limited_total{source}              429s and rate limits reported in a body
 * market_etl_http_banned_total{source}                    418s (IP banned)
 * market_etl_http_weight_used{source}                     the exchange's latest used request weight (Binance)
 * </pre>
 */
public final class ConnectorMeters {

    /** Upper bounds of the response latency histogram. */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30)};

    /** Meters that count nothing anywhere (a test call, a component used without the application's registry). */
    public static final ConnectorMeters NONE = new ConnectorMeters(new CompositeMeterRegistry(), "none");

    private final MeterRegistry registry;
    private final String connectorId;
    private final SourceMeters.Received received;
    private final Timer latency;
    private final Counter rateLimited;
    private final Counter banned;
    private final Map<Integer, Counter> calls = new ConcurrentHashMap<>();
    private final AtomicLong weightUsed = new AtomicLong();
    private volatile boolean weightGauge;

    public ConnectorMeters(MeterRegistry registry, String connectorId) {
        this.registry = registry;
        this.connectorId = connectorId;
        this.received = SourceMeters.Received.register(registry, connectorId);
        this.latency = Timer.builder("market_etl_http_response_latency")
                .description("HTTP connectors: request sent to answer read").tag("source", connectorId)
                .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
        this.rateLimited = Counter.builder("market_etl_http_rate_limited")
                .description("HTTP connectors: answers saying the rate limit was hit (429, or in the body)")
                .tag("source", connectorId).register(registry);
        this.banned = Counter.builder("market_etl_http_banned")
                .description("HTTP connectors: 418 answers (the exchange banned this IP for a while)")
                .tag("source", connectorId).register(registry);
    }

    /** An answer with this status code, body length and response time. */
    public void answered(int status, int bodyLength, double responseTimeMs) {
        call(status);
        received.add(bodyLength);
        latency.record(Math.max(0, Math.round(responseTimeMs * 1000)), TimeUnit.MICROSECONDS);
        if (status == 429) {
            rateLimited.increment();
        } else if (status == 418) {
            banned.increment();
        }
    }

    /** A call that got no answer (timeout, refused connection): status {@code none}. */
    public void noAnswer() {
        call(0);
    }

    /** A rate limit reported in a 2xx body (OKX 50011). */
    public void bodyRateLimited() {
        rateLimited.increment();
    }

    /** The used request weight the exchange reported in its latest answer. */
    public void weightUsed(long weight) {
        weightUsed.set(weight);
        if (!weightGauge) {
            registerWeightGauge();
        }
    }

    private synchronized void registerWeightGauge() {
        if (!weightGauge) {
            Gauge.builder("market_etl_http_weight_used", weightUsed, AtomicLong::get)
                    .description("HTTP connectors: request weight used in the exchange's window, as it last reported")
                    .tag("source", connectorId).strongReference(true).register(registry);
            weightGauge = true;
        }
    }

    private void call(int status) {
        calls.computeIfAbsent(status, s -> Counter.builder("market_etl_http_calls")
                .description("HTTP connectors: calls by answer status code (none: no answer)")
                .tag("source", connectorId).tag("status", s == 0 ? "none" : Integer.toString(s))
                .register(registry)).increment();
    }
}
