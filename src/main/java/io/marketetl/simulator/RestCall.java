package io.marketetl.simulator;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One REST request being served: the request with its whole body, its request-log entry and the response headers
 * collected on the way (the Binance weight header). Every answer goes through {@link #send}, which applies the
 * restDelay fault with a Vert.x timer and records the status. Event loop only.
 */
final class RestCall {

    /** Which family of endpoints a path belongs to. */
    enum Api { OKX, BINANCE, PRIVATE, GENERIC, OTHER }

    static final String JSON_TYPE = "application/json;charset=UTF-8";

    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
            "set-cookie", "x-mbx-apikey", "ok-access-key", "ok-access-sign", "ok-access-passphrase", "x-api-key");
    private static final String[] SECRET_PARTS = {"key", "token", "secret", "sign", "pass", "auth", "session", "cookie",
            "credential"};

    final ExchangeSimulator sim;
    final HttpServerRequest req;
    final Api api;
    final String body;
    final long arrivedMs;
    final RequestLog.Entry log;
    private final long delayMs;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private boolean answered;

    RestCall(ExchangeSimulator sim, HttpServerRequest req, Api api, String body, long arrivedMs, RequestLog.Entry log,
             long delayMs) {
        this.sim = sim;
        this.req = req;
        this.api = api;
        this.body = body;
        this.arrivedMs = arrivedMs;
        this.log = log;
        this.delayMs = delayMs;
    }

    static Api api(String path) {
        if (path.startsWith("/api/v5/")) {
            return Api.OKX;
        }
        if (path.startsWith("/api/v3/")) {
            return Api.BINANCE;
        }
        if (path.startsWith("/private/")) {
            return Api.PRIVATE;
        }
        if (path.startsWith("/generic/")) {
            return Api.GENERIC;
        }
        return Api.OTHER;
    }

    String path() {
        return req.path();
    }

    /** The raw query string as sent, "" when there is none. */
    String rawQuery() {
        String q = req.query();
        return q == null ? "" : q;
    }

    String header(String name) {
        return req.getHeader(name);
    }

    String param(String name) {
        return req.getParam(name);
    }

    /** The client's IP (the remote address of the connection), the key of the rate limits. */
    String clientIp() {
        return clientIp(req);
    }

    static String clientIp(HttpServerRequest req) {
        SocketAddress a = req.remoteAddress();
        String h = a == null ? null : a.hostAddress();
        return h == null ? "unknown" : h;
    }

    /** Adds a response header to whatever answer this request gets. */
    RestCall header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    void json(int status, String json) {
        send(status, JSON_TYPE, json);
    }

    /** Answers once (later calls are ignored), after the restDelay that was in force when the request arrived. */
    void send(int status, String contentType, String text) {
        if (answered) {
            return;
        }
        answered = true;
        if (delayMs > 0) {
            sim.vertx().setTimer(delayMs, t -> write(status, contentType, text));
        } else {
            write(status, contentType, text);
        }
    }

    private void write(int status, String contentType, String text) {
        HttpServerResponse r = req.response();
        if (r.ended() || r.closed()) {
            return; // the client gave up first: the log keeps status 0
        }
        log.answered(status, System.currentTimeMillis(), headers.get("Retry-After"));
        sim.stats().restAnswered(status);
        r.setStatusCode(status);
        headers.forEach(r::putHeader);
        r.putHeader("Content-Type", contentType).end(text);
    }

    // ------------------------------------------------------------------ what may be shown of a request

    /** Authorization, cookies, exchange key/sign/passphrase headers, the configured API-key header, *key*, *token*... */
    static boolean secretHeader(String name, String apiKeyHeader) {
        String n = name.toLowerCase(Locale.ROOT);
        return SECRET_HEADERS.contains(n) || n.equals(apiKeyHeader.toLowerCase(Locale.ROOT)) || secretName(n);
    }

    /** Query parameters like api_key, signature, token, password. */
    static boolean secretParam(String name) {
        return secretName(name.toLowerCase(Locale.ROOT));
    }

    private static boolean secretName(String lower) {
        for (String p : SECRET_PARTS) {
            if (lower.contains(p)) {
                return true;
            }
        }
        return false;
    }

    List<String> headerNames() {
        return headerNames(req);
    }

    Map<String, String> visibleHeaders() {
        return visibleHeaders(req, sim.config().credentials().apiKeyHeader());
    }

    /** Header names in arrival order (repeated names once). */
    static List<String> headerNames(HttpServerRequest req) {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, String> e : req.headers()) {
            if (names.stream().noneMatch(n -> n.equalsIgnoreCase(e.getKey()))) {
                names.add(e.getKey());
            }
        }
        return names;
    }

    /** Values of the non-secret headers; repeated headers are joined with ", ". */
    static Map<String, String> visibleHeaders(HttpServerRequest req, String apiKeyHeader) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : headerNames(req)) {
            if (!secretHeader(name, apiKeyHeader)) {
                m.put(name, String.join(", ", req.headers().getAll(name)));
            }
        }
        return m;
    }

    /** The raw query with the values of secret parameters replaced by {@code ***}. */
    static String redactedQuery(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        for (String part : raw.split("&", -1)) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            int eq = part.indexOf('=');
            String name = decode(eq < 0 ? part : part.substring(0, eq));
            sb.append(eq >= 0 && secretParam(name) ? part.substring(0, eq + 1) + "***" : part);
        }
        return sb.toString();
    }

    /** Decoded query parameters in order; a name sent once maps to a string, a repeated one to a list of strings. */
    static Map<String, Object> queryParams(String raw) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String part : raw.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String name = decode(eq < 0 ? part : part.substring(0, eq));
            String value = eq < 0 ? "" : decode(part.substring(eq + 1));
            if (secretParam(name)) {
                value = "***";
            }
            Object old = m.get(name);
            if (old == null) {
                m.put(name, value);
            } else if (old instanceof List<?> l) {
                @SuppressWarnings("unchecked")
                List<Object> list = (List<Object>) l;
                list.add(value);
            } else {
                List<Object> list = new ArrayList<>();
                list.add(old);
                list.add(value);
                m.put(name, list);
            }
        }
        return m;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
