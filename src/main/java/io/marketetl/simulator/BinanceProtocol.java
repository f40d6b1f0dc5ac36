package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.simulator.MarketDataGenerator.Instrument;
import io.marketetl.simulator.MarketDataGenerator.Kind;
import io.marketetl.simulator.MarketDataGenerator.Tape;
import io.marketetl.simulator.SimulatorStats.ConnectionCounters;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One connection speaking Binance Spot market streams.
 *
 * <ul>
 *   <li>Paths: raw {@code /ws/<stream>} (also {@code /ws/a/b}), {@code /ws} (subscribe later), combined
 *       {@code /stream?streams=a/b} (payloads wrapped {@code {"stream":..,"data":..}}). An unknown stream or more
 *       than the stream cap in the URL rejects the upgrade with HTTP 400.</li>
 *   <li>SUBSCRIBE / UNSUBSCRIBE / LIST_SUBSCRIPTIONS / SET_PROPERTY / GET_PROPERTY ("combined");
 *       errors nested {@code {"error":{"code":..,"msg":..},"id":..}}: 2 invalid stream or request, 3 bad JSON,
 *       4 too many subscriptions.</li>
 *   <li>Server ping frames (payload = send time) every ping interval; close 1001 when a ping stays unanswered
 *       for the pong timeout (a pong counts only if it echoes an outstanding ping's payload).</li>
 *   <li>More than the allowed incoming messages (text, ping, pong) in any rolling second: close 1008
 *       "Too many requests".</li>
 *   <li>Lifetime cut: close 1001 when the connection is older than the configured lifetime.</li>
 *   <li>{@code serverShutdown} event, then close 1001 after the lead time.</li>
 *   <li>Streams {@code <symbol>@trade}, {@code <symbol>@bookTicker}, {@code <symbol>@ticker}.</li>
 * </ul>
 * The close codes for pong timeout, lifetime and shutdown are not documented by Binance; 1001 is our choice.
 */
final class BinanceProtocol extends FeedConnection {

    static final String EXCHANGE = "binance";
    static final int RATE_CLOSE_CODE = 1008;
    static final String RATE_CLOSE_REASON = "Too many requests";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the handshake path asks for, or why it must be rejected. */
    record Route(boolean combined, List<String> streams, boolean micros, int rejectStatus) {
        static Route reject(int status) {
            return new Route(false, List.of(), false, status);
        }
    }

    private boolean combined;
    private final boolean micros;
    private final ArrayDeque<Long> incomingTimes = new ArrayDeque<>();
    private final ArrayDeque<String> outstandingPings = new ArrayDeque<>();
    private final ArrayDeque<Long> outstandingPingTimes = new ArrayDeque<>();
    private long nextPingAtMs;

    BinanceProtocol(ExchangeSimulator sim, ServerWebSocket ws, ConnectionCounters counters, Route route) {
        super(sim, ws, EXCHANGE, counters);
        this.combined = route.combined();
        this.micros = route.micros();
        this.nextPingAtMs = openedAtMs + sim.config().binancePingInterval().toMillis();
        for (String stream : route.streams()) {
            subscribeStream(stream);
        }
    }

    /** Interprets the handshake path and query; {@code null} when the path is not a Binance one. */
    static Route route(String path, String query, MarketDataGenerator gen, SimulatorConfig config) {
        boolean combined;
        List<String> streams = new ArrayList<>();
        if (path.equals("/ws") || path.equals("/ws/")) {
            combined = false;
        } else if (path.startsWith("/ws/")) {
            combined = false;
            for (String s : path.substring(4).split("/")) {
                if (!s.isEmpty()) {
                    streams.add(URLDecoder.decode(s, StandardCharsets.UTF_8));
                }
            }
        } else if (path.equals("/stream") || path.equals("/stream/")) {
            combined = true;
            String list = queryParam(query, "streams");
            if (list != null) {
                for (String s : list.split("/")) {
                    if (!s.isEmpty()) {
                        streams.add(s);
                    }
                }
            }
        } else {
            return null;
        }
        Set<String> unique = new LinkedHashSet<>(streams);
        if (unique.size() > config.binanceMaxStreams()) {
            return Route.reject(400);
        }
        for (String s : unique) {
            if (parseStream(s, gen) == null) {
                return Route.reject(400);
            }
        }
        boolean micros = "MICROSECOND".equalsIgnoreCase(queryParam(query, "timeUnit"));
        return new Route(combined, List.copyOf(unique), micros, 0);
    }

    private static String queryParam(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (k.equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private record StreamSpec(Instrument inst, Kind kind) {
    }

    /** {@code btcusdt@trade} etc.; names are case-sensitive (lowercase symbol) as on Binance. */
    private static StreamSpec parseStream(String name, MarketDataGenerator gen) {
        int at = name.indexOf('@');
        if (at <= 0) {
            return null;
        }
        String sym = name.substring(0, at);
        Kind kind = switch (name.substring(at + 1)) {
            case "trade" -> Kind.TRADES;
            case "bookTicker" -> Kind.BOOK;
            case "ticker" -> Kind.TICKER;
            default -> null;
        };
        if (kind == null || !sym.equals(sym.toLowerCase(java.util.Locale.ROOT))) {
            return null;
        }
        Instrument inst = gen.bySymbol(sym.toUpperCase(java.util.Locale.ROOT));
        return inst == null ? null : new StreamSpec(inst, kind);
    }

    private void subscribeStream(String name) {
        StreamSpec spec = parseStream(name, sim.generator());
        subscribe(name, spec.kind(), spec.inst(), "{\"stream\":\"" + name + "\",\"data\":");
    }

    // ------------------------------------------------------------------ client messages

    @Override
    protected void onIncomingMessage(long nowMs) {
        // Rolling one-second window; pings and pongs count like JSON messages.
        incomingTimes.addLast(nowMs);
        while (nowMs - incomingTimes.peekFirst() >= 1000) {
            incomingTimes.pollFirst();
        }
        if (incomingTimes.size() > sim.config().binanceMaxIncomingPerSecond()) {
            sim.stats().binanceRateViolation();
            closeWith(RATE_CLOSE_CODE, RATE_CLOSE_REASON);
        }
    }

    @Override
    protected void onText(String text) {
        JsonNode req;
        try {
            req = JSON.readTree(text);
        } catch (Exception e) {
            req = null;
        }
        if (req == null || req.isMissingNode()) {
            error("null", 3, "Invalid JSON: expected value at line 1 column 1");
            return;
        }
        if (!req.isObject()) {
            error("null", 2, "Invalid request: request must be an object");
            return;
        }
        JsonNode idNode = req.get("id");
        String id;
        if (idNode == null || idNode.isNull()) {
            id = "null";
        } else if (idNode.isIntegralNumber()) {
            id = idNode.asText();
        } else if (idNode.isTextual() && idNode.asText().matches("[A-Za-z0-9_-]{1,36}")) {
            id = Fmt.str(new StringBuilder(), idNode.asText()).toString();
        } else {
            error("null", 2, "Invalid request: invalid id");
            return;
        }
        String method = req.path("method").asText("");
        JsonNode params = req.get("params");
        switch (method) {
            case "SUBSCRIBE", "UNSUBSCRIBE" -> onSubscribe(method.equals("SUBSCRIBE"), id, params);
            case "LIST_SUBSCRIPTIONS" -> {
                StringBuilder sb = new StringBuilder("{\"result\":[");
                for (int i = 0; i < subs.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    Fmt.str(sb, subs.get(i).name);
                }
                write(sb.append("],\"id\":").append(id).append('}').toString());
            }
            case "SET_PROPERTY" -> {
                if (params == null || !params.isArray() || params.size() != 2 || !"combined".equals(params.get(0).asText())) {
                    error(id, 0, "Unknown property");
                } else if (!params.get(1).isBoolean()) {
                    error(id, 1, "Invalid value type: expected Boolean");
                } else {
                    combined = params.get(1).booleanValue();
                    result(id, "null");
                }
            }
            case "GET_PROPERTY" -> {
                if (params == null || !params.isArray() || params.size() != 1 || !"combined".equals(params.get(0).asText())) {
                    error(id, 0, "Unknown property");
                } else {
                    result(id, Boolean.toString(combined));
                }
            }
            default -> error(id, 2, "Invalid request: unknown variant `" + method
                    + "`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`");
        }
    }

    private void onSubscribe(boolean subscribe, String id, JsonNode params) {
        if (params == null || !params.isArray()) {
            error(id, 2, "Invalid request: missing field `params`");
            return;
        }
        List<String> names = new ArrayList<>();
        for (JsonNode p : params) {
            if (!p.isTextual() || parseStream(p.asText(), sim.generator()) == null) {
                error(id, 2, "Invalid request: invalid stream");
                return;
            }
            names.add(p.asText());
        }
        if (subscribe) {
            Set<String> after = new LinkedHashSet<>();
            subs.forEach(s -> after.add(s.name));
            after.addAll(names);
            if (after.size() > sim.config().binanceMaxStreams()) {
                error(id, 4, "Too many subscriptions");
                return;
            }
            names.forEach(this::subscribeStream);
        } else {
            names.forEach(this::unsubscribe);
        }
        if (result(id, "null")) {
            sim.stats().subscribeAckSent();
        }
    }

    private boolean result(String id, String resultJson) {
        return write("{\"result\":" + resultJson + ",\"id\":" + id + "}");
    }

    private void error(String id, int code, String msg) {
        StringBuilder sb = new StringBuilder(128).append("{\"error\":{\"code\":").append(code).append(",\"msg\":");
        Fmt.str(sb, msg).append("},\"id\":").append(id).append('}');
        if (write(sb.toString())) {
            sim.stats().errorSent(EXCHANGE, Integer.toString(code));
        }
    }

    @Override
    protected void onPong(Buffer payload) {
        String p = payload.toString();
        if (!outstandingPings.contains(p)) {
            return; // unsolicited pongs are allowed but keep nothing alive
        }
        while (!outstandingPings.isEmpty()) {
            outstandingPingTimes.pollFirst();
            if (outstandingPings.pollFirst().equals(p)) {
                break;
            }
        }
        sim.stats().pongReceived();
    }

    // ------------------------------------------------------------------ timers and one-shot events

    @Override
    void housekeeping(long nowMs) {
        SimulatorConfig c = sim.config();
        if (nowMs - openedAtMs >= c.binanceLifetime().toMillis()) {
            closeWith(1001, "Connection lifetime exceeded");
            return;
        }
        if (!outstandingPingTimes.isEmpty() && nowMs - outstandingPingTimes.peekFirst() >= c.binancePongTimeout().toMillis()) {
            closeWith(1001, "Pong timeout");
            return;
        }
        if (nowMs >= nextPingAtMs && isOpen()) {
            String payload = Long.toString(nowMs);
            try {
                ws.writePing(Buffer.buffer(payload));
            } catch (IllegalStateException closed) {
                return;
            }
            sim.stats().pingSent();
            outstandingPings.addLast(payload);
            outstandingPingTimes.addLast(nowMs);
            if (outstandingPings.size() > 64) { // the oldest still decides the timeout; keep memory bounded
                outstandingPings.pollFirst();
                outstandingPingTimes.pollFirst();
            }
            nextPingAtMs = nowMs + c.binancePingInterval().toMillis();
        }
    }

    /** The serverShutdown event (wrapped in combined mode); the connection is closed {@code leadMs} later. */
    void sendServerShutdown(long leadMs) {
        if (!isOpen()) {
            return;
        }
        String event = "{\"e\":\"serverShutdown\",\"E\":" + System.currentTimeMillis() + "}";
        write(combined ? "{\"stream\":\"!serverShutdown\",\"data\":" + event + "}" : event);
        scheduleClose(leadMs, 1001, "Server shutdown");
    }

    // ------------------------------------------------------------------ data frames

    @Override
    protected int renderData(Subscription s, long nowMs, StringBuilder out) {
        if (combined) {
            out.append(s.prefix);
        }
        Tape t = s.tape;
        Instrument in = t.inst;
        long ts = micros ? nowMs * 1000 : nowMs;
        switch (s.kind) {
            case TRADES -> {
                beforeTrade(s);
                t.nextTrade(1);
                out.append("{\"e\":\"trade\",\"E\":").append(ts).append(",\"s\":\"").append(in.symbol)
                        .append("\",\"t\":").append(t.lastTradeId).append(",\"p\":\"");
                Fmt.fixed(out, t.priceTicks, in.priceScale, 8).append("\",\"q\":\"");
                Fmt.fixed(out, t.lastLots, in.sizeScale, 8).append("\",\"T\":").append(ts)
                        .append(",\"m\":").append(!t.lastBuy).append(",\"M\":true}");
                traded(s, nowMs, 1);
            }
            case BOOK -> {
                t.nextBook();
                out.append("{\"u\":").append(t.seq).append(",\"s\":\"").append(in.symbol).append("\",\"b\":\"");
                Fmt.fixed(out, t.bidTicks, in.priceScale, 8).append("\",\"B\":\"");
                Fmt.fixed(out, t.bidLots, in.sizeScale, 8).append("\",\"a\":\"");
                Fmt.fixed(out, t.askTicks, in.priceScale, 8).append("\",\"A\":\"");
                Fmt.fixed(out, t.askLots, in.sizeScale, 8).append("\"}");
            }
            case TICKER -> {
                t.nextTicker();
                renderTicker(out, t, ts, micros ? 86_400_000_000L : 86_400_000L);
            }
        }
        if (combined) {
            out.append('}');
        }
        return 1;
    }

    /** The 24hrTicker event. */
    private static void renderTicker(StringBuilder out, Tape t, long ts, long dayUnits) {
        Instrument in = t.inst;
        int ps = in.priceScale;
        long change = t.priceTicks - t.openTicks;
        long pct = t.openTicks == 0 ? 0 : change * 100_000 / t.openTicks; // 3 decimals
        long vwapTicks = (t.highTicks + t.lowTicks + t.priceTicks) / 3;
        out.append("{\"e\":\"24hrTicker\",\"E\":").append(ts).append(",\"s\":\"").append(in.symbol).append("\",\"p\":\"");
        Fmt.fixed(out, change, ps, 8).append("\",\"P\":\"");
        Fmt.fixed(out, pct, 3, 3).append("\",\"w\":\"");
        Fmt.fixed(out, vwapTicks, ps, 8).append("\",\"x\":\"");
        Fmt.fixed(out, t.openTicks, ps, 8).append("\",\"c\":\"");
        Fmt.fixed(out, t.priceTicks, ps, 8).append("\",\"Q\":\"");
        Fmt.fixed(out, t.lastLots, in.sizeScale, 8).append("\",\"b\":\"");
        Fmt.fixed(out, t.bidTicks, ps, 8).append("\",\"B\":\"");
        Fmt.fixed(out, t.bidLots, in.sizeScale, 8).append("\",\"a\":\"");
        Fmt.fixed(out, t.askTicks, ps, 8).append("\",\"A\":\"");
        Fmt.fixed(out, t.askLots, in.sizeScale, 8).append("\",\"o\":\"");
        Fmt.fixed(out, t.openTicks, ps, 8).append("\",\"h\":\"");
        Fmt.fixed(out, t.highTicks, ps, 8).append("\",\"l\":\"");
        Fmt.fixed(out, t.lowTicks, ps, 8).append("\",\"v\":\"");
        Fmt.fixed(out, t.volumeLots, in.sizeScale, 8).append("\",\"q\":\"");
        Fmt.fixed(out, t.quoteVolumeCents, 2, 8).append("\",\"O\":").append(ts - dayUnits)
                .append(",\"C\":").append(ts).append(",\"F\":").append(t.lastTradeId - t.tradeCount + 1)
                .append(",\"L\":").append(t.lastTradeId).append(",\"n\":").append(t.tradeCount).append('}');
    }

    @Override
    protected String malformed(Subscription s, int variant, long nowMs) {
        String symbol = s.inst.symbol;
        return switch (variant) {
            case 0 -> (combined ? s.prefix : "") + "{\"e\":\"trade\",\"E\":" + nowMs + ",\"s\":\"" + symbol + "\",\"t\":"; // truncated
            case 1 -> "Internal error; unable to process your request. Please try again.";
            case 2 -> combined ? "{\"stream\":\"" + s.name + "\",\"data\":\"oops\"}"
                    : "{\"e\":\"trade\",\"s\":\"" + symbol + "\",\"t\":\"not-a-number\",\"p\":null}";
            default -> "[]";
        };
    }
}
