package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.simulator.MarketDataGenerator.Instrument;
import io.marketetl.simulator.MarketDataGenerator.Kind;
import io.marketetl.simulator.MarketDataGenerator.Tape;
import io.marketetl.simulator.RestCall.Api;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Every HTTP request that is not a WebSocket upgrade and not {@code /sim/...}:
 * <ul>
 *   <li>Trade history of what the streams sent ({@link TradeHistory}, the newest {@code tradeHistoryRetention} trades
 *       per instrument): Binance {@code GET /api/v3/historicalTrades?symbol=&fromId=&limit=} (ascending ids from
 *       {@code fromId}, or the newest without it; limit 500 by default, at most 1000; a {@code fromId} older than
 *       what is kept starts at the oldest kept trade, as Binance answers beyond its retention) and OKX
 *       {@code GET /api/v5/market/history-trades?instId=&type=1|2&after=&before=&limit=} (newest first; by tradeId
 *       (type 1, default) or ts (type 2): {@code after} = older than, {@code before} = newer than; limit 100 by
 *       default and at most; a page beyond what is kept is empty, as OKX answers beyond its three months).</li>
 *   <li>OKX: {@code GET /api/v5/market/ticker?instId=}, {@code /api/v5/market/tickers?instType=SPOT},
 *       {@code /api/v5/public/time}; signed {@code GET /api/v5/account/balance}, {@code POST /api/v5/trade/order-echo}.</li>
 *   <li>Binance: {@code GET /api/v3/ticker/price}, {@code /api/v3/ticker/bookTicker} ({@code symbol=X} one object,
 *       {@code symbols=["X","Y"]} or nothing an array), {@code /api/v3/ping}, {@code /api/v3/time}; SIGNED
 *       {@code GET /api/v3/account}, {@code /api/v3/openOrders}.</li>
 *   <li>Private endpoints per auth type: {@code GET /private/apikey-header|apikey-query|bearer|basic} ({@link RestAuth}).</li>
 *   <li>Generic "any HTTP API" endpoints: {@code GET /generic/prices}
 *       ({@code {"items":[{"instrument":"btc_usdt","price":"...","ts":<ms>}]}}, one new trade per call),
 *       {@code GET /generic/text} (text/plain) and {@code /generic/echo} (any method: method, path, query,
 *       decoded query parameters, header names, non-secret header values, body).</li>
 * </ul>
 * Order of decisions for each request: logged and counted; restTimeoutRatio (never answered); Binance request
 * weight / OKX rate limit ({@link RestLimits}); the rest429 fault; restFailRatio (500/502/503 with a body); the
 * OKX body-level error fault (HTTP 200 + code); the endpoint. Every answer is delayed by restDelay. Every Binance
 * {@code /api/v3/*} answer carries {@code X-MBX-USED-WEIGHT-1M} (and, when the weight window is not one minute,
 * also {@code X-MBX-USED-WEIGHT-<n>S|M} named after the real window). Weights: {@code ticker/price} and
 * {@code ticker/bookTicker} 2 with {@code symbol}, 4 without or with {@code symbols}; {@code historicalTrades} 25;
 * {@code aggTrades} 4; {@code account} 20; anything else 1.
 */
final class RestEndpoints {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final String OKX_429 = "{\"code\":\"50011\",\"msg\":\"Too Many Requests\",\"data\":[]}";
    private static final String BAD_GATEWAY = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            + "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";

    private final ExchangeSimulator sim;
    private final RestLimits limits = new RestLimits();
    private final RestAuth auth;
    private final SplittableRandom rng;
    private long failures;

    RestEndpoints(ExchangeSimulator sim, long seed) {
        this.sim = sim;
        this.auth = new RestAuth(sim);
        this.rng = new SplittableRandom(MarketDataGenerator.mix(seed ^ 0x7E57_0000_0000_0001L));
    }

    /** Forgets the rate-limit state (event loop). */
    void resetLimits() {
        limits.clear();
    }

    /** Takes every request (the response is sent, possibly later, or deliberately never). */
    void handle(HttpServerRequest req) {
        long arrived = System.currentTimeMillis();
        // A request whose body cannot be read (the client went away) is not served.
        req.body().onSuccess(buf -> dispatch(req, arrived, buf.toString(StandardCharsets.UTF_8)));
    }

    private void dispatch(HttpServerRequest req, long arrived, String body) {
        String path = req.path();
        SimulatorFaults f = sim.faults();
        SocketAddress remote = req.remoteAddress();
        String query = req.query() == null ? "" : req.query();
        sim.stats().restRequest(path);
        RequestLog.Entry entry = sim.stats().requestLog().add(arrived, req.method().name(), path,
                RestCall.redactedQuery(query), RestCall.headerNames(req),
                RestCall.visibleHeaders(req, sim.config().credentials().apiKeyHeader()), RestCall.clientIp(req),
                remote == null ? -1 : remote.port());
        RestCall call = new RestCall(sim, req, RestCall.api(path), body, arrived, entry, f.restDelay().toMillis());

        if (roll(f.restTimeoutRatio())) {
            sim.stats().restTimeoutInjected();
            return; // never answered: the client has to time out
        }
        if (call.api == Api.BINANCE) {
            RestLimits.BinanceVerdict v = limits.binance(call.clientIp(), binanceWeight(call), System.currentTimeMillis(),
                    f.binanceWeightLimit(), f.binanceWeightWindow().toMillis(), f.binanceBanAfterRequests(),
                    f.binanceBanSeconds());
            call.header("X-MBX-USED-WEIGHT-1M", Integer.toString(v.usedWeight()));
            String interval = interval(f.binanceWeightWindow().toMillis());
            if (!interval.equals("1M")) {
                call.header("X-MBX-USED-WEIGHT-" + interval, Integer.toString(v.usedWeight()));
            }
            if (v.status() == 418) {
                call.header("Retry-After", Long.toString(v.retryAfterSeconds()));
                binanceError(call, 418, -1003, "Way too much request weight used; IP banned until " + v.bannedUntilMs()
                        + ". Please use WebSocket Streams for live updates to avoid bans.");
                return;
            }
            if (v.status() == 429) {
                call.header("Retry-After", Long.toString(v.retryAfterSeconds()));
                binanceError(call, 429, -1003, binanceTooMuchWeight(f));
                return;
            }
        } else if (call.api == Api.OKX && !limits.okx(call.clientIp(), path, System.currentTimeMillis(),
                f.okxRestLimit(), f.okxRestWindow().toMillis())) {
            sim.stats().restErrorSent(OkxProtocol.EXCHANGE, "50011");
            call.json(429, OKX_429); // OKX sends no Retry-After
            return;
        }
        if (f.rest429()) {
            call.header("Retry-After", Integer.toString(sim.config().restRetryAfterSeconds()));
            switch (call.api) {
                case OKX -> okxError(call, 429, "50011", "Too Many Requests");
                case BINANCE -> binanceError(call, 429, -1003, binanceTooMuchWeight(f));
                default -> call.json(429, "{\"error\":\"Too Many Requests\"}");
            }
            return;
        }
        if (roll(f.restFailRatio())) {
            sim.stats().restFailureInjected();
            fail(call, f.restFailStatus());
            return;
        }
        if (call.api == Api.OKX && f.okxBodyError() != null) {
            String code = f.okxBodyError();
            okxError(call, 200, code, okxMessage(code));
            return;
        }
        route(call);
    }

    private boolean roll(double ratio) {
        return ratio > 0 && rng.nextDouble() < ratio;
    }

    private void route(RestCall call) {
        HttpMethod m = call.req.method();
        switch (call.path()) {
            case "/api/v5/market/ticker" -> { if (get(call)) okxTicker(call); }
            case "/api/v5/market/tickers" -> { if (get(call)) okxTickers(call); }
            case "/api/v5/market/history-trades" -> { if (get(call)) okxHistoryTrades(call); }
            case "/api/v3/historicalTrades" -> { if (get(call)) binanceHistoricalTrades(call); }
            case "/api/v5/public/time" -> {
                if (get(call)) call.json(200, "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"ts\":\""
                        + System.currentTimeMillis() + "\"}]}");
            }
            case "/api/v5/account/balance" -> { if (get(call)) auth.okxSigned(call, true); }
            case "/api/v5/trade/order-echo" -> {
                if (m == HttpMethod.POST) {
                    auth.okxSigned(call, false);
                } else {
                    notAllowed(call);
                }
            }
            case "/api/v3/ticker/price" -> { if (get(call)) binanceTickers(call, false); }
            case "/api/v3/ticker/bookTicker" -> { if (get(call)) binanceTickers(call, true); }
            case "/api/v3/ping" -> { if (get(call)) call.json(200, "{}"); }
            case "/api/v3/time" -> { if (get(call)) call.json(200, "{\"serverTime\":" + System.currentTimeMillis() + "}"); }
            case "/api/v3/account" -> { if (get(call)) auth.binanceSigned(call, true); }
            case "/api/v3/openOrders" -> { if (get(call)) auth.binanceSigned(call, false); }
            case "/private/apikey-header" -> { if (get(call)) auth.apiKeyHeader(call); }
            case "/private/apikey-query" -> { if (get(call)) auth.apiKeyQuery(call); }
            case "/private/bearer" -> { if (get(call)) auth.bearer(call); }
            case "/private/basic" -> { if (get(call)) auth.basic(call); }
            case "/generic/prices" -> { if (get(call)) genericPrices(call); }
            case "/generic/text" -> { if (get(call)) genericText(call); }
            case "/generic/echo" -> genericEcho(call);
            default -> {
                switch (call.api) {
                    case OKX -> okxError(call, 404, "50000", "Not found");
                    case BINANCE -> binanceError(call, 404, -1000, "Not found");
                    default -> call.json(404, "{\"error\":\"not found\"}");
                }
            }
        }
    }

    /** True for GET; otherwise answers 405 in the dialect of the path. */
    private static boolean get(RestCall call) {
        if (call.req.method() == HttpMethod.GET) {
            return true;
        }
        notAllowed(call);
        return false;
    }

    private static void notAllowed(RestCall call) {
        switch (call.api) {
            case OKX -> okxError(call, 405, "50000", "Method not allowed");
            case BINANCE -> binanceError(call, 405, -1000, "Method not allowed");
            default -> call.json(405, "{\"error\":\"method not allowed\"}");
        }
    }

    // ------------------------------------------------------------------ limits and faults

    static int binanceWeight(RestCall call) {
        return switch (call.path()) {
            case "/api/v3/ticker/price", "/api/v3/ticker/bookTicker" -> call.param("symbol") != null ? 2 : 4;
            case "/api/v3/historicalTrades" -> 25;
            case "/api/v3/aggTrades" -> 4;
            case "/api/v3/account" -> 20;
            default -> 1;
        };
    }

    /** Binance's interval notation of a window: 60000 -> 1M, 2000 -> 2S. */
    static String interval(long windowMs) {
        long s = windowMs / 1000;
        return s % 60 == 0 ? (s / 60) + "M" : s + "S";
    }

    private static String binanceTooMuchWeight(SimulatorFaults f) {
        long s = f.binanceWeightWindow().toSeconds();
        String per = s % 60 == 0 ? (s / 60) + " MINUTE" : s + " SECOND";
        return "Too much request weight used; current limit is " + f.binanceWeightLimit() + " request weight per "
                + per + ". Please use WebSocket Streams for live updates to avoid polling the API.";
    }

    private void fail(RestCall call, int configured) {
        int status = configured != 0 ? configured : switch ((int) (failures++ % 3)) {
            case 0 -> 500;
            case 1 -> 502;
            default -> 503;
        };
        if (status == 502) {
            call.send(502, "text/html", BAD_GATEWAY);
            return;
        }
        switch (call.api) {
            case OKX -> {
                if (status == 503) {
                    okxError(call, 503, "50001", "Service temporarily unavailable. Please try again later.");
                } else {
                    okxError(call, status, "50026", "System error. Try again later.");
                }
            }
            case BINANCE -> {
                if (status == 503) {
                    binanceError(call, 503, -1008, "Server is currently overloaded with other requests. Please try again in a few minutes.");
                } else {
                    binanceError(call, status, -1001, "Internal error; unable to process your request. Please try again.");
                }
            }
            default -> call.json(status, "{\"error\":\"" + (status == 503 ? "Service Unavailable" : "Internal Server Error")
                    + "\",\"status\":" + status + "}");
        }
    }

    /** Messages of the OKX business errors the body-error fault can send (others get a generic text). */
    static String okxMessage(String code) {
        return switch (code) {
            case "50011" -> "Rate limit reached. Please refer to API documentation and throttle requests accordingly.";
            case "50001" -> "Service temporarily unavailable. Please try again later.";
            case "50013" -> "Systems are busy. Please try again later.";
            case "50026" -> "System error. Try again later.";
            case "50004" -> "API endpoint request timeout.";
            default -> "Simulated error " + code + ".";
        };
    }

    // ------------------------------------------------------------------ OKX market data

    private void okxTicker(RestCall call) {
        String instId = call.param("instId");
        if (instId == null || instId.isEmpty()) {
            okxError(call, 400, "50014", "Parameter instId can not be empty.");
            return;
        }
        Instrument inst = sim.generator().byInstId(instId);
        if (inst == null) {
            // OKX reports business errors in the body; HTTP 200 is what its gateway usually returns here.
            okxError(call, 200, "51001", "Instrument ID does not exist");
            return;
        }
        StringBuilder sb = new StringBuilder("{\"code\":\"0\",\"msg\":\"\",\"data\":[");
        OkxProtocol.renderTicker(sb, sim.generator().market(OkxProtocol.EXCHANGE, inst), System.currentTimeMillis());
        call.json(200, sb.append("]}").toString());
    }

    private void okxTickers(RestCall call) {
        if (!"SPOT".equals(call.param("instType"))) {
            okxError(call, 400, "51000", "Parameter instType error");
            return;
        }
        StringBuilder sb = new StringBuilder("{\"code\":\"0\",\"msg\":\"\",\"data\":[");
        long now = System.currentTimeMillis();
        boolean first = true;
        for (Instrument inst : sim.generator().instruments()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            OkxProtocol.renderTicker(sb, sim.generator().market(OkxProtocol.EXCHANGE, inst), now);
        }
        call.json(200, sb.append("]}").toString());
    }

    private void okxHistoryTrades(RestCall call) {
        String instId = call.param("instId");
        if (instId == null || instId.isEmpty()) {
            okxError(call, 400, "50014", "Parameter instId can not be empty.");
            return;
        }
        String type = call.param("type") == null || call.param("type").isEmpty() ? "1" : call.param("type");
        if (!type.equals("1") && !type.equals("2")) {
            okxError(call, 400, "51000", "Parameter type error");
            return;
        }
        Long after = okxLong(call, "after");
        Long before = okxLong(call, "before");
        Long limit = okxLong(call, "limit");
        if ((after == null && present(call, "after")) || (before == null && present(call, "before"))
                || (limit == null && present(call, "limit"))) {
            return; // answered
        }
        Instrument inst = sim.generator().byInstId(instId);
        if (inst == null) {
            okxError(call, 200, "51001", "Instrument ID does not exist");
            return;
        }
        int n = limit == null || limit < 1 ? 100 : (int) Math.min(100, limit);
        List<TradeHistory.Trade> page = sim.tradeHistory().page(OkxProtocol.EXCHANGE, instId, after, before, n,
                type.equals("1") ? TradeHistory.Trade::id : TradeHistory.Trade::timeMs);
        StringBuilder sb = new StringBuilder("{\"code\":\"0\",\"msg\":\"\",\"data\":[");
        for (int i = 0; i < page.size(); i++) {
            TradeHistory.Trade t = page.get(i);
            sb.append(i > 0 ? "," : "").append("{\"instId\":\"").append(inst.instId).append("\",\"side\":\"")
                    .append(t.buy() ? "buy" : "sell").append("\",\"sz\":\"");
            Fmt.plain(sb, t.lots(), inst.sizeScale).append("\",\"px\":\"");
            Fmt.plain(sb, t.priceTicks(), inst.priceScale).append("\",\"tradeId\":\"").append(t.id())
                    .append("\",\"ts\":\"").append(t.timeMs()).append("\",\"source\":\"0\"}");
        }
        call.json(200, sb.append("]}").toString());
    }

    private static boolean present(RestCall call, String name) {
        return call.param(name) != null && !call.param(name).isEmpty();
    }

    /** A numeric OKX parameter, null when absent; answers 51000 and returns null when it is not a number. */
    private static Long okxLong(RestCall call, String name) {
        if (!present(call, name)) {
            return null;
        }
        try {
            return Long.parseLong(call.param(name));
        } catch (NumberFormatException e) {
            okxError(call, 400, "51000", "Parameter " + name + " error");
            return null;
        }
    }

    // ------------------------------------------------------------------ Binance market data

    private void binanceHistoricalTrades(RestCall call) {
        String symbol = call.param("symbol");
        if (symbol == null || symbol.isEmpty()) {
            binanceError(call, 400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
            return;
        }
        Long fromId = null;
        int limit = 500;
        try {
            if (present(call, "fromId")) {
                fromId = Long.parseLong(call.param("fromId"));
            }
        } catch (NumberFormatException e) {
            binanceError(call, 400, -1100, "Illegal characters found in parameter 'fromId'; legal range is '^[0-9]{1,20}$'.");
            return;
        }
        try {
            if (present(call, "limit")) {
                limit = (int) Math.min(1000, Long.parseLong(call.param("limit")));
            }
        } catch (NumberFormatException e) {
            limit = -1;
        }
        if (limit < 1) {
            binanceError(call, 400, -1100, "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.");
            return;
        }
        Instrument inst = binanceSymbol(call, symbol);
        if (inst == null) {
            return;
        }
        List<TradeHistory.Trade> trades = fromId == null
                ? sim.tradeHistory().newest(BinanceProtocol.EXCHANGE, inst.instId, limit)
                : sim.tradeHistory().fromId(BinanceProtocol.EXCHANGE, inst.instId, fromId, limit);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < trades.size(); i++) {
            TradeHistory.Trade t = trades.get(i);
            sb.append(i > 0 ? "," : "").append("{\"id\":").append(t.id()).append(",\"price\":\"");
            Fmt.fixed(sb, t.priceTicks(), inst.priceScale, 8).append("\",\"qty\":\"");
            Fmt.fixed(sb, t.lots(), inst.sizeScale, 8).append("\",\"quoteQty\":\"");
            Fmt.plain(sb, t.priceTicks() * t.lots(), inst.priceScale + inst.sizeScale).append("\",\"time\":")
                    .append(t.timeMs()).append(",\"isBuyerMaker\":").append(!t.buy()).append(",\"isBestMatch\":true}");
        }
        call.json(200, sb.append(']').toString());
    }

    /** {@code symbol=X} gives one object; {@code symbols=["X","Y"]} or no parameter gives an array. */
    private void binanceTickers(RestCall call, boolean book) {
        String symbol = call.param("symbol");
        String symbols = call.param("symbols");
        List<Instrument> wanted = new ArrayList<>();
        if (symbol != null) {
            Instrument inst = binanceSymbol(call, symbol);
            if (inst != null) {
                call.json(200, binanceTicker(new StringBuilder(), inst, book).toString());
            }
            return;
        }
        if (symbols != null) {
            JsonNode list;
            try {
                list = JSON.readTree(symbols);
            } catch (Exception e) {
                list = null;
            }
            if (list == null || !list.isArray()) {
                binanceError(call, 400, -1100, "Illegal characters found in parameter 'symbols'.");
                return;
            }
            for (JsonNode n : list) {
                Instrument inst = binanceSymbol(call, n.asText());
                if (inst == null) {
                    return;
                }
                wanted.add(inst);
            }
        } else {
            wanted.addAll(sim.generator().instruments());
        }
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < wanted.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            binanceTicker(sb, wanted.get(i), book);
        }
        call.json(200, sb.append(']').toString());
    }

    /** Resolves a Binance symbol or answers the exchange's error (uppercase only, as Binance validates). */
    private Instrument binanceSymbol(RestCall call, String symbol) {
        if (!symbol.matches("[A-Z0-9\\-_.]{1,20}")) {
            binanceError(call, 400, -1100, "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'.");
            return null;
        }
        Instrument inst = sim.generator().bySymbol(symbol);
        if (inst == null) {
            binanceError(call, 400, -1121, "Invalid symbol.");
        }
        return inst;
    }

    private StringBuilder binanceTicker(StringBuilder sb, Instrument inst, boolean book) {
        Tape t = sim.generator().market(BinanceProtocol.EXCHANGE, inst);
        sb.append("{\"symbol\":\"").append(inst.symbol).append('"');
        if (book) {
            sb.append(",\"bidPrice\":\"");
            Fmt.fixed(sb, t.bidTicks, inst.priceScale, 8).append("\",\"bidQty\":\"");
            Fmt.fixed(sb, t.bidLots, inst.sizeScale, 8).append("\",\"askPrice\":\"");
            Fmt.fixed(sb, t.askTicks, inst.priceScale, 8).append("\",\"askQty\":\"");
            Fmt.fixed(sb, t.askLots, inst.sizeScale, 8).append('"');
        } else {
            sb.append(",\"price\":\"");
            Fmt.fixed(sb, t.priceTicks, inst.priceScale, 8).append('"');
        }
        return sb.append('}');
    }

    // ------------------------------------------------------------------ generic HTTP API

    /** Each call advances every instrument's "generic" tape by one trade, so prices move from poll to poll. */
    private void genericPrices(RestCall call) {
        long now = System.currentTimeMillis();
        StringBuilder sb = new StringBuilder("{\"items\":[");
        boolean first = true;
        for (Instrument inst : sim.generator().instruments()) {
            Tape t = nextGenericTrade(inst);
            sb.append(first ? "" : ",").append("{\"instrument\":\"")
                    .append(inst.instId.toLowerCase(Locale.ROOT).replace('-', '_')).append("\",\"price\":\"");
            Fmt.plain(sb, t.priceTicks, inst.priceScale).append("\",\"ts\":").append(now).append('}');
            first = false;
        }
        call.json(200, sb.append("]}").toString());
    }

    /** Lines {@code BTC-USDT 108000.1 <ms>}: a body that is not JSON. */
    private void genericText(RestCall call) {
        long now = System.currentTimeMillis();
        StringBuilder sb = new StringBuilder();
        for (Instrument inst : sim.generator().instruments()) {
            Tape t = nextGenericTrade(inst);
            sb.append(inst.instId).append(' ');
            Fmt.plain(sb, t.priceTicks, inst.priceScale).append(' ').append(now).append('\n');
        }
        call.send(200, "text/plain;charset=UTF-8", sb.toString());
    }

    private Tape nextGenericTrade(Instrument inst) {
        Tape c = sim.generator().cursor("generic", inst, Kind.TRADES);
        c.nextTrade(1);
        sim.generator().publish(c);
        return c;
    }

    private void genericEcho(RestCall call) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", call.req.method().name());
        m.put("path", call.path());
        m.put("query", RestCall.redactedQuery(call.rawQuery()));
        m.put("queryParams", RestCall.queryParams(call.rawQuery()));
        m.put("headerNames", call.headerNames());
        m.put("headers", call.visibleHeaders());
        m.put("contentType", call.header("Content-Type"));
        m.put("body", call.body);
        m.put("remoteAddress", call.clientIp());
        m.put("timeMs", call.arrivedMs);
        try {
            call.json(200, JSON.writeValueAsString(m));
        } catch (Exception e) {
            call.json(500, "{\"error\":\"could not serialise\"}");
        }
    }

    // ------------------------------------------------------------------ error bodies

    static void okxError(RestCall call, int status, String code, String msg) {
        call.sim.stats().restErrorSent(OkxProtocol.EXCHANGE, code);
        call.json(status, Fmt.str(new StringBuilder("{\"code\":\"").append(code).append("\",\"msg\":"), msg)
                .append(",\"data\":[]}").toString());
    }

    static void binanceError(RestCall call, int status, int code, String msg) {
        call.sim.stats().restErrorSent(BinanceProtocol.EXCHANGE, Integer.toString(code));
        call.json(status, Fmt.str(new StringBuilder("{\"code\":").append(code).append(",\"msg\":"), msg)
                .append('}').toString());
    }

    /** Immediate JSON answer outside the REST machinery (control API, unknown paths). */
    static void send(HttpServerRequest req, int status, String body) {
        req.response().setStatusCode(status).putHeader("Content-Type", RestCall.JSON_TYPE).end(body);
    }
}
