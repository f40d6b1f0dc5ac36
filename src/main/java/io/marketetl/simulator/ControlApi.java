package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Control and observation for out-of-process drivers (the benchmark), on the simulator's own port:
 * <ul>
 *   <li>{@code GET /sim/stats}: {@link SimulatorStats#snapshot()} as JSON.</li>
 *   <li>{@code GET /sim/faults}: current faults. {@code POST /sim/faults} with any of
 *       {@code disconnectEverySeconds, stall, malformedRatio, gapEvery, gapSize, refuseForSeconds, rate, rest429},
 *       the REST settings {@code binanceWeightLimit, binanceWeightWindowSeconds, binanceBanAfterRequests,
 *       binanceBanSeconds, okxRestLimit, okxRestWindowSeconds, okxBodyError} (a code like "50011", null or ""
 *       = off), {@code restDelayMs, restFailRatio, restFailStatus, restTimeoutRatio}, {@code tradeHistoryRetention}
 *       (trades per instrument of the REST trade history), {@code slowConsumerCutSeconds} (0 = never),
 *       {@code unreadTradesPerSecond} (the market moves on while nobody reads a trade stream), and the one-shot actions
 *       {@code okxNotice, binanceServerShutdown} (true; optional {@code okxNoticeLeadSeconds,
 *       binanceShutdownLeadSeconds}), {@code resetRestLimits} (true = forget weights, 429 states and bans) and
 *       {@code clear} (true = back to no faults first). The body is validated as a whole before anything
 *       changes; the answer is the current faults.</li>
 *   <li>{@code POST /sim/reset}: zero the stats (and the request log); with {@code ?faults=true} also clear the
 *       faults.</li>
 *   <li>{@code GET /sim/requests?limit=N&pathPrefix=/api/v3}: the newest N (default: all kept) REST requests,
 *       oldest first: {@code {"recorded":<since clear>,"kept":<in the log>,"capacity":..,"requests":[
 *       {"id","timeMs","method","path","query","headerNames","headers","remoteAddress","remotePort","status",
 *       "answeredAtMs","retryAfter"}]}} (see {@link SimulatorStats.RestRequest}). {@code POST /sim/requests/clear} empties it.</li>
 * </ul>
 */
final class ControlApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ExchangeSimulator sim;

    ControlApi(ExchangeSimulator sim) {
        this.sim = sim;
    }

    boolean handle(HttpServerRequest req) {
        String path = req.path();
        if (!path.startsWith("/sim/")) {
            return false;
        }
        switch (path) {
            case "/sim/stats" -> {
                if (req.method() == HttpMethod.GET) {
                    reply(req, 200, sim.stats().snapshot());
                } else {
                    reply(req, 405, Map.of("error", "use GET"));
                }
            }
            case "/sim/faults" -> {
                if (req.method() == HttpMethod.GET) {
                    reply(req, 200, sim.faults().toMap());
                } else if (req.method() == HttpMethod.POST) {
                    req.body().onSuccess(body -> applyFaults(req, body.toString()))
                            .onFailure(t -> reply(req, 400, Map.of("error", "could not read body")));
                } else {
                    reply(req, 405, Map.of("error", "use GET or POST"));
                }
            }
            case "/sim/reset" -> {
                if (req.method() == HttpMethod.POST) {
                    sim.stats().reset();
                    boolean faults = "true".equals(req.getParam("faults"));
                    if (faults) {
                        sim.faults().clear();
                    }
                    reply(req, 200, Map.of("statsReset", true, "faultsCleared", faults));
                } else {
                    reply(req, 405, Map.of("error", "use POST"));
                }
            }
            case "/sim/requests" -> {
                if (req.method() == HttpMethod.GET) {
                    requests(req);
                } else {
                    reply(req, 405, Map.of("error", "use GET"));
                }
            }
            case "/sim/requests/clear" -> {
                if (req.method() == HttpMethod.POST) {
                    sim.stats().clearRequests();
                    reply(req, 200, Map.of("cleared", true));
                } else {
                    reply(req, 405, Map.of("error", "use POST"));
                }
            }
            default -> reply(req, 404, Map.of("error", "unknown control path " + path));
        }
        return true;
    }

    private void requests(HttpServerRequest req) {
        RequestLog log = sim.stats().requestLog();
        int limit = Integer.MAX_VALUE;
        String l = req.getParam("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 0) {
                reply(req, 400, Map.of("error", "limit must be a whole number >= 0"));
                return;
            }
        }
        String prefix = req.getParam("pathPrefix");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("recorded", log.recorded());
        m.put("kept", log.size());
        m.put("capacity", log.capacity());
        m.put("requests", log.last(limit, prefix == null || prefix.isEmpty() ? null : prefix));
        reply(req, 200, m);
    }

    private void applyFaults(HttpServerRequest req, String body) {
        List<Runnable> changes = new ArrayList<>();
        try {
            JsonNode n = body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
            if (n == null || !n.isObject()) {
                throw new IllegalArgumentException("body must be a JSON object");
            }
            SimulatorFaults f = sim.faults();
            if (n.path("clear").asBoolean(false)) {
                changes.add(f::clear);
            }
            int gapEvery = f.gapEveryTrades();
            int gapSize = f.gapSize();
            boolean gapChanged = false;
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "clear", "okxNoticeLeadSeconds", "binanceShutdownLeadSeconds" -> {
                        // handled with their action
                    }
                    case "disconnectEverySeconds" -> {
                        Duration d = seconds(e.getKey(), v);
                        changes.add(() -> f.setDisconnectEvery(d));
                    }
                    case "stall" -> {
                        boolean b = bool(e.getKey(), v);
                        changes.add(() -> f.setStall(b));
                    }
                    case "malformedRatio" -> {
                        double r = ratio(e.getKey(), v);
                        changes.add(() -> f.setMalformedRatio(r));
                    }
                    case "gapEvery" -> {
                        gapEvery = (int) whole(e.getKey(), v, 0);
                        gapChanged = true;
                    }
                    case "gapSize" -> {
                        gapSize = (int) whole(e.getKey(), v, 1);
                        gapChanged = true;
                    }
                    case "refuseForSeconds" -> {
                        Duration d = seconds(e.getKey(), v);
                        changes.add(() -> f.refuseConnectionsFor(d));
                    }
                    case "rate" -> {
                        double r = number(e.getKey(), v);
                        if (r < 0) {
                            throw new IllegalArgumentException("rate must be >= 0");
                        }
                        changes.add(() -> f.setRate(r));
                    }
                    case "rest429" -> {
                        boolean b = bool(e.getKey(), v);
                        changes.add(() -> f.setRest429(b));
                    }
                    case "binanceWeightLimit" -> {
                        int w = (int) whole(e.getKey(), v, 1);
                        changes.add(() -> f.setBinanceWeightLimit(w));
                    }
                    case "binanceWeightWindowSeconds" -> {
                        Duration d = seconds(e.getKey(), v);
                        SimulatorConfig.requireBinanceWindow(d);
                        changes.add(() -> f.setBinanceWeightWindow(d));
                    }
                    case "binanceBanAfterRequests" -> {
                        int n2 = (int) whole(e.getKey(), v, 1);
                        changes.add(() -> f.setBinanceBanAfterRequests(n2));
                    }
                    case "binanceBanSeconds" -> {
                        int s2 = (int) whole(e.getKey(), v, 1);
                        changes.add(() -> f.setBinanceBanSeconds(s2));
                    }
                    case "okxRestLimit" -> {
                        int n2 = (int) whole(e.getKey(), v, 1);
                        changes.add(() -> f.setOkxRestLimit(n2));
                    }
                    case "okxRestWindowSeconds" -> {
                        Duration d = seconds(e.getKey(), v);
                        SimulatorConfig.requirePositive(d, e.getKey());
                        changes.add(() -> f.setOkxRestWindow(d));
                    }
                    case "okxBodyError" -> {
                        if (!v.isNull() && !v.isTextual()) {
                            throw new IllegalArgumentException("okxBodyError must be a string like \"50011\" or null");
                        }
                        String code = v.isNull() ? null : v.asText();
                        if (code != null && !code.isEmpty() && !code.matches("[1-9][0-9]{4}")) {
                            throw new IllegalArgumentException("okxBodyError must be a five-digit OKX code like 50011");
                        }
                        changes.add(() -> f.setOkxBodyError(code));
                    }
                    case "restDelayMs" -> {
                        long ms = whole(e.getKey(), v, 0);
                        changes.add(() -> f.setRestDelay(Duration.ofMillis(ms)));
                    }
                    case "restFailRatio" -> {
                        double r = ratio(e.getKey(), v);
                        changes.add(() -> f.setRestFailRatio(r));
                    }
                    case "restFailStatus" -> {
                        int st = (int) whole(e.getKey(), v, 0);
                        if (st != 0 && (st < 500 || st > 599)) {
                            throw new IllegalArgumentException("restFailStatus must be 0 or 500..599");
                        }
                        changes.add(() -> f.setRestFailStatus(st));
                    }
                    case "restTimeoutRatio" -> {
                        double r = ratio(e.getKey(), v);
                        changes.add(() -> f.setRestTimeoutRatio(r));
                    }
                    case "tradeHistoryRetention" -> {
                        int n2 = (int) whole(e.getKey(), v, 1);
                        changes.add(() -> f.setTradeHistoryRetention(n2));
                    }
                    case "unreadTradesPerSecond" -> {
                        double r = number(e.getKey(), v);
                        if (r < 0) {
                            throw new IllegalArgumentException("unreadTradesPerSecond must be >= 0");
                        }
                        changes.add(() -> f.setUnreadTradesPerSecond(r));
                    }
                    case "slowConsumerCutSeconds" -> {
                        Duration d = seconds(e.getKey(), v);
                        changes.add(() -> f.setSlowConsumerCutAfter(d));
                    }
                    case "resetRestLimits" -> {
                        if (bool(e.getKey(), v)) {
                            changes.add(f::resetRestLimits);
                        }
                    }
                    case "okxNotice" -> {
                        if (bool(e.getKey(), v)) {
                            Duration lead = n.has("okxNoticeLeadSeconds")
                                    ? seconds("okxNoticeLeadSeconds", n.get("okxNoticeLeadSeconds"))
                                    : sim.config().okxNoticeLead();
                            changes.add(() -> f.sendOkxNotice(lead));
                        }
                    }
                    case "binanceServerShutdown" -> {
                        if (bool(e.getKey(), v)) {
                            Duration lead = n.has("binanceShutdownLeadSeconds")
                                    ? seconds("binanceShutdownLeadSeconds", n.get("binanceShutdownLeadSeconds"))
                                    : sim.config().binanceShutdownLead();
                            changes.add(() -> f.sendBinanceServerShutdown(lead));
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown field '" + e.getKey() + "'");
                }
            }
            if (gapChanged) {
                int every = gapEvery;
                int size = gapSize;
                changes.add(() -> f.setTradeIdGap(every, size));
            }
        } catch (Exception e) {
            reply(req, 400, Map.of("error", String.valueOf(e.getMessage())));
            return;
        }
        changes.forEach(Runnable::run);
        reply(req, 200, sim.faults().toMap());
    }

    private static Duration seconds(String name, JsonNode v) {
        double s = number(name, v);
        if (s < 0) {
            throw new IllegalArgumentException(name + " must be >= 0");
        }
        return Duration.ofMillis(Math.round(s * 1000));
    }

    private static double ratio(String name, JsonNode v) {
        double r = number(name, v);
        if (r < 0 || r > 1) {
            throw new IllegalArgumentException(name + " must be within 0..1");
        }
        return r;
    }

    private static double number(String name, JsonNode v) {
        if (!v.isNumber()) {
            throw new IllegalArgumentException(name + " must be a number");
        }
        return v.doubleValue();
    }

    private static long whole(String name, JsonNode v, long min) {
        if (!v.canConvertToLong() || !v.isIntegralNumber() || v.longValue() < min || v.longValue() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " must be a whole number >= " + min);
        }
        return v.longValue();
    }

    private static boolean bool(String name, JsonNode v) {
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(name + " must be true or false");
        }
        return v.booleanValue();
    }

    private static void reply(HttpServerRequest req, int status, Object body) {
        String json;
        try {
            json = JSON.writeValueAsString(body);
        } catch (Exception e) {
            status = 500;
            json = "{\"error\":\"could not serialise\"}";
        }
        RestEndpoints.send(req, status, json);
    }
}
