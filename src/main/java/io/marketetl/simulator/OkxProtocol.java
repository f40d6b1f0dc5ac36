package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.simulator.MarketDataGenerator.Instrument;
import io.marketetl.simulator.MarketDataGenerator.Kind;
import io.marketetl.simulator.MarketDataGenerator.Tape;
import io.marketetl.simulator.SimulatorStats.ConnectionCounters;
import io.vertx.core.http.ServerWebSocket;

import java.util.ArrayDeque;

/**
 * One connection speaking OKX v5 public WebSocket ({@code /ws/v5/public}, also {@code /ws/v5/business}).
 *
 * <ul>
 *   <li>{@code {"id":..,"op":"subscribe|unsubscribe","args":[{"channel":..,"instId":..}]}}: one ack per arg
 *       with connId; unknown channel/instrument: error 60018 for that arg; bad JSON or op: 60012;
 *       more than the configured (un)subscribe requests per rolling hour: 60014. Codes are strings.</li>
 *   <li>Text {@code ping} gets text {@code pong}.</li>
 *   <li>Close 4004 "No data received in 30s" when the client sent nothing for the idle timeout (optionally,
 *       see {@link SimulatorConfig#okxIdleCountsPushedData()}, pushed data keeps the connection alive too).</li>
 *   <li>Channels {@code trades} (1-3 trades per frame, tradeId = last id of {@code count} aggregated fills),
 *       {@code tickers}, {@code bbo-tbt}.</li>
 *   <li>64008 notice, then close 1001 after the lead time (the real close code is not documented).</li>
 * </ul>
 */
final class OkxProtocol extends FeedConnection {

    static final String EXCHANGE = "okx";
    static final int IDLE_CLOSE_CODE = 4004;
    static final String IDLE_CLOSE_REASON = "No data received in 30s";
    static final String NOTICE_MSG = "The connection will soon be closed for a service upgrade. Please reconnect.";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long HOUR_MS = 3_600_000L;

    private final String connId;
    private final ArrayDeque<Long> requestTimes = new ArrayDeque<>();
    private long lastClientMessageMs = System.currentTimeMillis();

    OkxProtocol(ExchangeSimulator sim, ServerWebSocket ws, ConnectionCounters counters) {
        super(sim, ws, EXCHANGE, counters);
        this.connId = counters.connId;
    }

    // ------------------------------------------------------------------ client messages

    @Override
    protected void onIncomingMessage(long nowMs) {
        lastClientMessageMs = nowMs;
    }

    @Override
    protected void onText(String text) {
        if ("ping".equals(text)) {
            write("pong");
            return;
        }
        JsonNode req;
        try {
            req = JSON.readTree(text);
        } catch (Exception e) {
            req = null;
        }
        if (req == null || !req.isObject()) {
            error(null, "60012", "Invalid request: " + abbreviate(text));
            return;
        }
        JsonNode idNode = req.get("id");
        String id = idNode == null || idNode.isNull() ? null : idNode.asText();
        String op = req.path("op").asText("");
        if (!op.equals("subscribe") && !op.equals("unsubscribe")) {
            error(id, "60012", "Invalid request: " + abbreviate(text));
            return;
        }
        if (!allowRequest(lastClientMessageMs)) {
            error(id, "60014", "Requests too frequent.");
            return;
        }
        JsonNode args = req.get("args");
        if (args == null || !args.isArray() || args.isEmpty()) {
            error(id, "60012", "Invalid request: " + abbreviate(text));
            return;
        }
        for (JsonNode arg : args) {
            String channel = arg.path("channel").asText("");
            String instId = arg.hasNonNull("instId") ? arg.get("instId").asText() : null;
            Kind kind = kindOf(channel);
            Instrument inst = sim.generator().byInstId(instId);
            if (kind == null || inst == null) {
                error(id, "60018", "Wrong URL or channel:" + channel + ",instId:" + instId + " doesn't exist.");
                continue;
            }
            String name = channel + ":" + inst.instId;
            if (op.equals("subscribe")) {
                subscribe(name, kind, inst, "{\"arg\":" + argJson(channel, inst.instId) + ",\"data\":[");
            } else {
                unsubscribe(name);
            }
            StringBuilder sb = new StringBuilder(128).append('{');
            if (id != null) {
                sb.append("\"id\":");
                Fmt.str(sb, id).append(',');
            }
            sb.append("\"event\":\"").append(op).append("\",\"arg\":").append(argJson(channel, inst.instId))
                    .append(",\"connId\":\"").append(connId).append("\"}");
            if (write(sb.toString())) {
                sim.stats().subscribeAckSent();
            }
        }
    }

    /** Rolling one-hour window of (un)subscribe requests, as OKX limits them per connection. */
    private boolean allowRequest(long nowMs) {
        while (!requestTimes.isEmpty() && nowMs - requestTimes.peekFirst() >= HOUR_MS) {
            requestTimes.pollFirst();
        }
        if (requestTimes.size() >= sim.config().okxMaxSubscribeRequestsPerHour()) {
            return false;
        }
        requestTimes.addLast(nowMs);
        return true;
    }

    private void error(String id, String code, String msg) {
        StringBuilder sb = new StringBuilder(160).append('{');
        if (id != null) {
            sb.append("\"id\":");
            Fmt.str(sb, id).append(',');
        }
        sb.append("\"event\":\"error\",\"code\":\"").append(code).append("\",\"msg\":");
        Fmt.str(sb, msg).append(",\"connId\":\"").append(connId).append("\"}");
        if (write(sb.toString())) {
            sim.stats().errorSent(EXCHANGE, code);
        }
    }

    private static Kind kindOf(String channel) {
        return switch (channel) {
            case "trades" -> Kind.TRADES;
            case "tickers" -> Kind.TICKER;
            case "bbo-tbt" -> Kind.BOOK;
            default -> null;
        };
    }

    private static String argJson(String channel, String instId) {
        return "{\"channel\":\"" + channel + "\",\"instId\":\"" + instId + "\"}";
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    // ------------------------------------------------------------------ timers and one-shot events

    @Override
    void housekeeping(long nowMs) {
        long lastActivity = sim.config().okxIdleCountsPushedData()
                ? Math.max(lastClientMessageMs, lastDataWrittenMs) : lastClientMessageMs;
        if (nowMs - lastActivity >= sim.config().okxIdleTimeout().toMillis()) {
            closeWith(IDLE_CLOSE_CODE, IDLE_CLOSE_REASON);
        }
    }

    /** The 64008 service-upgrade notice; the connection is closed {@code leadMs} later. */
    void sendNotice(long leadMs) {
        if (!isOpen()) {
            return;
        }
        StringBuilder sb = new StringBuilder(200).append("{\"event\":\"notice\",\"code\":\"64008\",\"msg\":");
        Fmt.str(sb, NOTICE_MSG).append(",\"connId\":\"").append(connId).append("\"}");
        write(sb.toString());
        scheduleClose(leadMs, 1001, "Service upgrade");
    }

    // ------------------------------------------------------------------ data frames

    @Override
    protected int renderData(Subscription s, long nowMs, StringBuilder out) {
        Tape t = s.tape;
        out.append(s.prefix);
        int items = 1;
        switch (s.kind) {
            case TRADES -> {
                // Mostly one trade per frame, sometimes a small batch, as OKX pushes them.
                int r = t.nextInt(100);
                items = r < 80 ? 1 : r < 95 ? 2 : 3;
                for (int i = 0; i < items; i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    beforeTrade(s);
                    int c = t.nextInt(100);
                    int count = c < 85 ? 1 : c < 95 ? 2 : 3;
                    t.nextTrade(count);
                    renderTrade(out, t, nowMs, count);
                    traded(s, nowMs, count);
                }
            }
            case TICKER -> {
                t.nextTicker();
                renderTicker(out, t, nowMs);
            }
            case BOOK -> {
                t.nextBook();
                Instrument in = t.inst;
                out.append("{\"asks\":[[\"");
                Fmt.plain(out, t.askTicks, in.priceScale).append("\",\"");
                Fmt.plain(out, t.askLots, in.sizeScale).append("\",\"0\",\"").append(t.askOrders);
                out.append("\"]],\"bids\":[[\"");
                Fmt.plain(out, t.bidTicks, in.priceScale).append("\",\"");
                Fmt.plain(out, t.bidLots, in.sizeScale).append("\",\"0\",\"").append(t.bidOrders);
                out.append("\"]],\"ts\":\"").append(nowMs).append("\",\"seqId\":").append(t.seq).append('}');
            }
        }
        out.append("]}");
        return items;
    }

    private static void renderTrade(StringBuilder out, Tape t, long nowMs, int count) {
        Instrument in = t.inst;
        out.append("{\"instId\":\"").append(in.instId).append("\",\"tradeId\":\"").append(t.lastTradeId)
                .append("\",\"px\":\"");
        Fmt.plain(out, t.priceTicks, in.priceScale).append("\",\"sz\":\"");
        Fmt.plain(out, t.lastLots, in.sizeScale).append("\",\"side\":\"").append(t.lastBuy ? "buy" : "sell")
                .append("\",\"ts\":\"").append(nowMs).append("\",\"count\":\"").append(count)
                .append("\",\"source\":\"0\",\"seqId\":").append(t.seq).append('}');
    }

    /** The OKX ticker object, shared by the WebSocket channel and REST {@code /api/v5/market/ticker}. */
    static void renderTicker(StringBuilder out, Tape t, long nowMs) {
        Instrument in = t.inst;
        int ps = in.priceScale;
        int ss = in.sizeScale;
        long range = t.highTicks - t.lowTicks;
        out.append("{\"instType\":\"SPOT\",\"instId\":\"").append(in.instId).append("\",\"last\":\"");
        Fmt.plain(out, t.priceTicks, ps).append("\",\"lastSz\":\"");
        Fmt.plain(out, t.lastLots, ss).append("\",\"askPx\":\"");
        Fmt.plain(out, t.askTicks, ps).append("\",\"askSz\":\"");
        Fmt.plain(out, t.askLots, ss).append("\",\"bidPx\":\"");
        Fmt.plain(out, t.bidTicks, ps).append("\",\"bidSz\":\"");
        Fmt.plain(out, t.bidLots, ss).append("\",\"open24h\":\"");
        Fmt.plain(out, t.openTicks, ps).append("\",\"high24h\":\"");
        Fmt.plain(out, t.highTicks, ps).append("\",\"low24h\":\"");
        Fmt.plain(out, t.lowTicks, ps).append("\",\"volCcy24h\":\"");
        Fmt.plain(out, t.quoteVolumeCents, 2).append("\",\"vol24h\":\"");
        Fmt.plain(out, t.volumeLots, ss).append("\",\"sodUtc0\":\"");
        Fmt.plain(out, t.openTicks - range / 7, ps).append("\",\"sodUtc8\":\"");
        Fmt.plain(out, t.openTicks + range / 9, ps).append("\",\"ts\":\"").append(nowMs).append("\"}");
    }

    @Override
    protected String malformed(Subscription s, int variant, long nowMs) {
        return switch (variant) {
            case 0 -> s.prefix + "{\"instId\":\"" + s.inst.instId + "\",\"tradeId\":\"";       // truncated JSON
            case 1 -> "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
            case 2 -> s.prefix.substring(0, s.prefix.length() - 1) + "{\"unexpected\":true}}";  // data is no array
            default -> s.prefix + "{\"instId\":null,\"px\":\"NaN\",\"ts\":\"yesterday\"}]}";    // wrong fields
        };
    }
}
