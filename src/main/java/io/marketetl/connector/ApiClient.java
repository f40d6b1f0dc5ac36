package io.marketetl.connector;

import io.marketetl.connector.auth.ApiRequest;
import io.marketetl.connector.limit.Classification;
import io.marketetl.connector.limit.HostBudget;
import io.marketetl.connector.limit.HostBudgets;
import io.marketetl.connector.limit.ResponseClassifier;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Producer;
import org.apache.camel.component.http.HttpMethods;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.service.ServiceHelper;

/**
 * The HTTP client of every connector (and of gap backfill): one call at a time through camel-http, under the
 * per-host budget ({@link HostBudgets}) that every caller of a host shares. It never waits for a budget: a call the
 * budget refuses is not sent, and the caller is told until when.
 * <p>
 * camel-http is configured (application.properties) with {@code automaticRetriesDisabled=true}: HttpClient 5 would
 * otherwise retry a 429/503 once and sleep for the whole {@code Retry-After} inside this thread. One producer per
 * scheme, host and port, created on first use; the path, query string and headers of each call are passed as
 * exchange headers at call time ({@code CamelHttpPath}, {@code CamelHttpQuery}), never in an endpoint URI, so that
 * signatures and credentials in a query appear in no URI.
 */
public final class ApiClient {

    /** What became of one call. */
    public enum Kind { REFUSED, ANSWERED, NO_ANSWER }

    /**
     * @param kind           refused by the budget (not sent), answered, or no answer (timeout, I/O error)
     * @param waitUntilMillis when refused: the earliest time to try again
     * @param refusedBecause when refused: the budget's reason (rate, weight, retry-after, banned)
     * @param status         the HTTP status when answered
     * @param headers        the answer's headers (case-insensitive names)
     * @param body           the answer's body ("" for none)
     * @param responseTimeMs sent to read, ms
     * @param error          when no answer: what happened (one line)
     * @param classification what the answer means by the caller's response rules (also for no answer)
     */
    public record Result(Kind kind, long waitUntilMillis, String refusedBecause, int status, Map<String, String> headers,
            String body, double responseTimeMs, Instant receivedAt, long receivedNanos, String error,
            Classification classification) {

        public String header(String name) {
            return headers == null ? null : headers.get(name);
        }
    }

    private final CamelContext camelContext;
    private final HostBudgets budgets;
    private final Clock clock;
    private final Map<String, Producer> producers = new ConcurrentHashMap<>();

    public ApiClient(CamelContext camelContext, HostBudgets budgets, Clock clock) {
        this.camelContext = camelContext;
        this.budgets = budgets;
        this.clock = clock;
    }

    public HostBudgets budgets() {
        return budgets;
    }

    /**
     * Sends the request now if the host's budget allows it ({@code share}: the fraction of the budget this caller may
     * use, 1.0 for connectors, 0.5 for backfill).
     */
    public Result send(ApiRequest request, String exchangeName, int weight, double share, ResponseClassifier rules) {
        URI uri = URI.create(request.baseUrl());
        HostBudget budget = budgets.forUrl(request.baseUrl(), exchangeName);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        HostBudget.Permit permit = budget.tryAcquire(path, weight, clock.millis(), share);
        if (!permit.granted()) {
            return new Result(Kind.REFUSED, permit.waitUntilMillis(), permit.reason().label(), 0, null, null, 0, null,
                    0, null, null);
        }
        Exchange exchange = new DefaultExchange(camelContext);
        var in = exchange.getIn();
        request.headers().forEach(in::setHeader);
        in.setHeader(Exchange.HTTP_METHOD, method(request.method()));
        in.setHeader(Exchange.HTTP_PATH, path);
        String query = request.queryString();
        if (!query.isEmpty()) {
            in.setHeader(Exchange.HTTP_QUERY, query);
        }
        if (request.body() != null) {
            in.setBody(request.body());
        }
        long start = System.nanoTime();
        try {
            producer(uri).process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        long end = System.nanoTime();
        double ms = (end - start) / 1e6;
        Instant receivedAt = clock.instant();
        if (exchange.getException() != null) {
            String error = oneLine(exchange.getException());
            Classification c = ResponseClassifier.ioError(error);
            budget.onResponse(permit, c, name -> null, clock.millis());
            return new Result(Kind.NO_ANSWER, 0, null, 0, null, null, ms, receivedAt, end, error, c);
        }
        var out = exchange.getMessage();
        Integer status = out.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        out.getHeaders().forEach((k, v) -> {
            if (!k.startsWith("Camel") && v != null) {
                headers.put(k, String.valueOf(v));
            }
        });
        String body = out.getBody(String.class);
        int code = status == null ? 0 : status;
        String text = body == null ? "" : body;
        Classification c = rules.classify(code, text);
        budget.onResponse(permit, c, headers::get, clock.millis());
        return new Result(Kind.ANSWERED, 0, null, code, headers, text, ms, receivedAt, end, null, c);
    }

    /**
     * The method as camel-http's enum: camel-http reads the header as {@link HttpMethods}, and converting a String to
     * it goes through a type-converter lookup that was a fifth of the application's CPU with 500 connectors polling
     * every second (bench/run --connectors 500). Any other method (validation allows none) stays a String.
     */
    static Object method(String name) {
        return switch (name) {
            case "GET" -> HttpMethods.GET;
            case "POST" -> HttpMethods.POST;
            case "PUT" -> HttpMethods.PUT;
            case "PATCH" -> HttpMethods.PATCH;
            case "DELETE" -> HttpMethods.DELETE;
            case "HEAD" -> HttpMethods.HEAD;
            default -> name;
        };
    }

    private Producer producer(URI uri) throws Exception {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        String base = scheme + "://" + uri.getHost() + ":" + port;
        Producer p = producers.get(base);
        if (p != null) {
            return p;
        }
        synchronized (producers) {
            p = producers.get(base);
            if (p == null) {
                // no query and no credential in this URI: a call's path and query come as headers
                Endpoint endpoint = camelContext.getEndpoint(base + "?throwExceptionOnFailure=false");
                p = endpoint.createProducer();
                ServiceHelper.startService(p);
                producers.put(base, p);
            }
            return p;
        }
    }

    /** Stops the producers (on shutdown). */
    public void close() {
        producers.values().forEach(ServiceHelper::stopAndShutdownService);
        producers.clear();
    }

    static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}
