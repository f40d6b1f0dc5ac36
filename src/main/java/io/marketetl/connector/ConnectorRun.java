package io.marketetl.connector;

import io.marketetl.connector.auth.ApiRequest;
import io.marketetl.connector.auth.AuthType;
import io.marketetl.connector.auth.AuthTypes;
import io.marketetl.connector.limit.Classification;
import io.marketetl.connector.limit.ResponseClassifier;
import io.marketetl.connector.limit.ResponseOutcome;
import io.marketetl.connector.limit.ResponseRules;
import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.exchanges.ExchangeModules;
import io.marketetl.normalise.Instruments;
import io.marketetl.source.Backoff;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of one connector (from its route's start to its stop): a session id, one call at a time, the calls of a
 * tick (one, or one per instrument), the answer's classification, back-off after failures, and what the connector's
 * status row says. Ticks come from the Quartz trigger's threads ({@link ApiConsumer}); answers go to the route through
 * {@code deliver}.
 * <ul>
 * <li>A tick that arrives while the previous call is still running is skipped and counted ({@code busy}); so is one
 * inside a back-off ({@code backoff}) or refused by the host's budget ({@code rate}, {@code weight},
 * {@code retry-after}, {@code banned}).</li>
 * <li>Every answer is delivered, error answers too (stored with their status code).</li>
 * <li>Timeouts, 5xx, client errors and errors in the body back off exponentially with full jitter, capped, forever;
 * a good answer resets it. 429s and body-level rate limits are the host budget's to honour (no request to the host
 * until the Retry-After has passed); a 418 is recorded with its end time.</li>
 * </ul>
 */
final class ConnectorRun {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorRun.class);

    private final ConnectorDefinition definition;
    private final ConnectorServices services;
    private final Consumer<ApiResponse> deliver;
    private final String sessionId;
    private final ConnectorStats stats = new ConnectorStats();
    private final ConnectorMeters meters;
    private final AuthType auth;
    private final ExchangeModule module;
    private final ResponseClassifier rules;
    private final Extract extract;
    private final URI baseUri;
    private final Map<String, String> urlQuery;
    private final Backoff backoff;
    /** Held by the tick that is calling: one call at a time, and a stop waits for it. */
    private final ReentrantLock inFlight = new ReentrantLock();
    private volatile boolean stopped;
    private final AtomicLong callSeq = new AtomicLong();
    private volatile long notBeforeMillis;
    private volatile long lastStatusWriteMillis;
    private volatile String lastStatus = "";

    ConnectorRun(ConnectorDefinition definition, ConnectorServices services, ConnectorMeters meters,
            Consumer<ApiResponse> deliver) {
        this.meters = meters;
        this.definition = definition;
        this.services = services;
        this.deliver = deliver;
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        this.sessionId = "sess_" + HexFormat.of().formatHex(random);
        this.auth = AuthTypes.find(definition.authType());
        this.module = ExchangeModules.find(definition.exchangeName());
        ResponseRules defaults = module != null ? module.responseRules() : ResponseRules.NONE;
        this.rules = new ResponseClassifier(definition.responseRules() != null
                ? ResponseRules.fromMap(definition.responseRules(), defaults) : defaults);
        URI uri = URI.create(definition.apiUrl());
        this.baseUri = uri;
        this.urlQuery = parseQuery(uri.getRawQuery());
        this.extract = definition.extract().orElse(module == null ? null : module.restExtract(uri.getPath()));
        this.backoff = new Backoff(services.settings().backoffInitialMs(), services.settings().backoffMaxMs());
    }

    String sessionId() { return sessionId; }
    ConnectorStats stats() { return stats; }
    ConnectorDefinition definition() { return definition; }
    Extract extract() { return extract; }

    /** One Quartz tick. {@code scheduledMillis}: when the trigger was due (for the lag), or 0. */
    void tick(long scheduledMillis) {
        long now = services.clock().millis();
        if (scheduledMillis > 0) {
            stats.lag(Math.max(0, now - scheduledMillis));
        }
        if (!inFlight.tryLock()) {
            stats.skipped("busy");
            return;
        }
        try {
            if (stopped) {
                return;
            }
            if (now < notBeforeMillis) {
                stats.skipped("backoff");
            } else {
                for (String instrument : instrumentsOfTick()) {
                    if (!call(instrument, true)) {
                        break;
                    }
                }
            }
            writePerformanceIfDue(); // also while backing off or refused: the status keeps saying why
        } finally {
            inFlight.unlock();
        }
    }

    /**
     * Ends the run: no tick calls after this returns, and a call under way is waited for (up to {@code timeoutMs}),
     * so that a restarted connector (an edited route file, an update through the API) never overlaps its calls with
     * the old run's. False when the call did not end in time.
     */
    boolean stop(long timeoutMs) throws InterruptedException {
        stopped = true;
        if (inFlight.tryLock(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            inFlight.unlock();
            return true;
        }
        return false;
    }

    private List<String> instrumentsOfTick() {
        if (definition.instruments().isEmpty() || !mentionsInstrument()) {
            return Collections.singletonList(null);
        }
        return definition.instruments();
    }

    private boolean mentionsInstrument() {
        if (definition.apiUrl().contains("{instrument}")) {
            return true;
        }
        return definition.queryParams().values().stream().anyMatch(v -> v.contains("{instrument}"));
    }

    /** Builds the request of one call, credentials applied: the URL's own query, then the connector's parameters. */
    ApiRequest request(String instrument) {
        String symbol = instrument == null ? null : restSymbol(instrument);
        String base = baseUri.getScheme() + "://" + baseUri.getRawAuthority()
                + (baseUri.getRawPath() == null ? "" : baseUri.getRawPath());
        ApiRequest r = new ApiRequest(definition.httpMethod(), substitute(base, symbol));
        urlQuery.forEach((k, v) -> r.queryParam(k, substitute(v, symbol)));
        definition.queryParams().forEach((k, v) -> r.queryParam(k, substitute(v, symbol)));
        r.header("User-Agent", "market-etl/" + definition.connectorId());
        r.header("Accept", "application/json");
        definition.headers().forEach(r::header);
        auth.apply(r, definition.credentials(), services.clock());
        return r;
    }

    private String restSymbol(String instrument) {
        return module != null ? module.restSymbol(instrument) : Instruments.normalise(instrument);
    }

    private static String substitute(String s, String symbol) {
        return symbol == null || s == null ? s : s.replace("{instrument}", symbol);
    }

    /** One call; false when the rest of the tick must be skipped (refused by the budget, or failed). */
    private boolean call(String instrument, boolean store) {
        ApiRequest request = request(instrument);
        int weight = module == null ? 1 : module.requestWeight(request.path(), request.queryParams());
        ApiClient.Result r = services.client().send(request, definition.exchangeName(), weight, 1.0, rules);
        long now = services.clock().millis();
        switch (r.kind()) {
            case REFUSED -> {
                stats.skipped(r.refusedBecause());
                return false;
            }
            case NO_ANSWER -> {
                stats.noAnswer();
                meters.noAnswer();
                failed(now, "no answer: " + r.error());
                return false;
            }
            default -> {
            }
        }
        stats.answered(r.status(), r.responseTimeMs());
        meters.answered(r.status(), r.body() == null ? 0 : r.body().length(), r.responseTimeMs());
        Classification c = r.classification();
        String used = module == null ? null : module.usedWeight(r.headers());
        if (used != null) {
            try {
                long usedWeight = Long.parseLong(used.strip());
                stats.weightUsed(usedWeight);
                meters.weightUsed(usedWeight);
            } catch (NumberFormatException ignored) {
                // not a number: not reported
            }
        }
        String callId = sessionId + "-" + callSeq.incrementAndGet();
        if (store) {
            deliver.accept(new ApiResponse(definition.connectorId(), definition.exchangeName(), r.status(),
                    r.responseTimeMs(), r.body(), r.receivedAt(), r.receivedNanos(), callId, sessionId, extract,
                    instrument == null ? null : Instruments.normalise(instrument), c.ok()));
        }
        if (c.ok()) {
            succeeded();
            return true;
        }
        if (c.outcome() == ResponseOutcome.RATE_LIMITED) {
            if (r.status() != 429) {
                stats.bodyRateLimited();
                meters.bodyRateLimited();
            }
            status("rate_limited", "rate limited by " + describe(c) + "; next call to the host not before "
                    + Instant.ofEpochMilli(services.client().budgets().forUrl(request.baseUrl(),
                            definition.exchangeName()).snapshot(now).blockedUntilMillis()));
            return false;
        }
        if (c.outcome() == ResponseOutcome.BANNED) {
            long until = services.client().budgets().forUrl(request.baseUrl(), definition.exchangeName())
                    .snapshot(now).blockedUntilMillis();
            status("banned", "HTTP 418: the exchange banned this IP until " + Instant.ofEpochMilli(until)
                    + "; polling resumes then");
            return false;
        }
        failed(now, describe(c));
        return false;
    }

    private static String describe(Classification c) {
        return "HTTP " + c.status() + (c.code() == null ? "" : " code " + c.code())
                + (c.message() == null || c.message().isEmpty() ? "" : ": " + c.message());
    }

    private void succeeded() {
        stats.succeeded();
        if (backoff.failures() > 0) {
            backoff.reset();
            notBeforeMillis = 0;
            services.status().failures(definition.connectorId(), 0);
        }
        if (!"running".equals(lastStatus)) {
            status("running", null);
        }
    }

    private void failed(long now, String line) {
        long n = stats.failed();
        long delay = backoff.nextDelayMs();
        notBeforeMillis = now + delay;
        services.status().failures(definition.connectorId(), (int) Math.min(Integer.MAX_VALUE, n));
        status("error", line + " (failure " + n + " in a row; next call in " + delay + " ms)");
        if (n == 1 || Long.bitCount(n) == 1) {
            LOG.warn("Connector {}: {} (failure {} in a row; next call in {} ms)", definition.connectorId(), line, n,
                    delay);
        }
    }

    private void status(String status, String errorLine) {
        lastStatus = status;
        services.status().status(definition.connectorId(), status, errorLine);
    }

    private void writePerformanceIfDue() {
        long now = services.clock().millis();
        if (now - lastStatusWriteMillis < services.settings().statusIntervalMs()) {
            return;
        }
        lastStatusWriteMillis = now;
        services.status().performance(definition.connectorId(), performance(now));
    }

    /** connector_status.performance_metrics of this run. */
    Map<String, Object> performance(long now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session_id", sessionId);
        m.put("calls", stats.calls());
        Map<String, Long> byStatus = new LinkedHashMap<>();
        stats.callsByStatus().forEach((k, v) -> byStatus.put(String.valueOf(k), v));
        m.put("calls_by_status", byStatus);
        m.put("response_time_p50_ms", finite(stats.responseTimePercentile(50)));
        m.put("response_time_p99_ms", finite(stats.responseTimePercentile(99)));
        m.put("rate_limited", stats.rateLimited());
        m.put("banned", stats.banned());
        m.put("no_answer", stats.noAnswers());
        m.put("skipped_ticks", stats.skippedByReason());
        m.put("schedule_lag_p50_ms", finite(stats.lagPercentile(50)));
        m.put("schedule_lag_p99_ms", finite(stats.lagPercentile(99)));
        m.put("schedule_lag_histogram_ms", stats.lagHistogram());
        m.put("weight_used", stats.lastWeightUsed() < 0 ? null : stats.lastWeightUsed());
        long budgetUntil = services.client().budgets().forUrl(definition.apiUrl(), definition.exchangeName())
                .snapshot(now).blockedUntilMillis();
        long next = Math.max(Math.max(notBeforeMillis, budgetUntil), now);
        m.put("next_allowed_call", Instant.ofEpochMilli(next).toString());
        return m;
    }

    private static Double finite(double v) {
        return Double.isNaN(v) ? null : Math.round(v * 1000.0) / 1000.0;
    }

    /** The call of {@code POST /api/connectors/{id}/test}: now, outside the schedule, nothing stored. */
    TestCall testCall() {
        List<String> instruments = instrumentsOfTick();
        ApiRequest request = request(instruments.get(0));
        int weight = module == null ? 1 : module.requestWeight(request.path(), request.queryParams());
        ApiClient.Result r = services.client().send(request, definition.exchangeName(), weight, 1.0, rules);
        return new TestCall(r, r.kind() == ApiClient.Kind.ANSWERED ? new ApiResponse(definition.connectorId(),
                definition.exchangeName(), r.status(), r.responseTimeMs(), r.body(), r.receivedAt(), r.receivedNanos(),
                sessionId + "-test", sessionId, extract, instruments.get(0) == null ? null
                        : Instruments.normalise(instruments.get(0)), r.classification().ok()) : null);
    }

    record TestCall(ApiClient.Result result, ApiResponse response) {
    }

    /** The URL's own query string, decoded, in order. */
    static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            String v = eq < 0 ? "" : part.substring(eq + 1);
            out.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
        return out;
    }

}
