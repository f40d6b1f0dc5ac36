package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.simulator.MarketDataGenerator.Instrument;
import io.marketetl.simulator.MarketDataGenerator.Tape;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;

import java.util.ArrayList;
import java.util.List;

/**
 * The few market-data REST endpoints the project polls, answered from the same tapes as the WebSocket feeds:
 * OKX {@code /api/v5/market/ticker} and {@code /tickers}; Binance {@code /api/v3/ticker/price} and
 * {@code /bookTicker}. In 429 mode both answer HTTP 429 with a {@code Retry-After} header (seconds) and the
 * exchange's error body.
 */
final class RestEndpoints {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BINANCE_429 = "{\"code\":-1003,\"msg\":\"Too much request weight used; current limit is"
            + " 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.\"}";
    private static final String OKX_429 = "{\"code\":\"50011\",\"msg\":\"Too Many Requests\",\"data\":[]}";

    private final ExchangeSimulator sim;

    RestEndpoints(ExchangeSimulator sim) {
        this.sim = sim;
    }

    /** True when the path is one of ours (the response has been sent). */
    boolean handle(HttpServerRequest req) {
        String path = req.path();
        boolean okx = path.startsWith("/api/v5/");
        boolean binance = path.startsWith("/api/v3/");
        if (!okx && !binance) {
            return false;
        }
        boolean limited = sim.faults().rest429();
        sim.stats().restRequest(limited);
        if (limited) {
            req.response().setStatusCode(429)
                    .putHeader("Retry-After", Integer.toString(sim.config().restRetryAfterSeconds()));
            send(req, 429, okx ? OKX_429 : BINANCE_429);
            return true;
        }
        if (req.method() != HttpMethod.GET) {
            send(req, 405, okx ? okxError("50000", "Method not allowed") : binanceError(-1000, "Method not allowed"));
            return true;
        }
        switch (path) {
            case "/api/v5/market/ticker" -> okxTicker(req);
            case "/api/v5/market/tickers" -> okxTickers(req);
            case "/api/v3/ticker/price" -> binanceTickers(req, false);
            case "/api/v3/ticker/bookTicker" -> binanceTickers(req, true);
            default -> send(req, 404, okx ? okxError("50000", "Not found") : binanceError(-1000, "Not found"));
        }
        return true;
    }

    private void okxTicker(HttpServerRequest req) {
        String instId = req.getParam("instId");
        if (instId == null || instId.isEmpty()) {
            send(req, 400, okxError("50014", "Parameter instId can not be empty."));
            return;
        }
        Instrument inst = sim.generator().byInstId(instId);
        if (inst == null) {
            // OKX reports business errors in the body; HTTP 200 is what its gateway usually returns here.
            send(req, 200, okxError("51001", "Instrument ID does not exist"));
            return;
        }
        StringBuilder sb = new StringBuilder("{\"code\":\"0\",\"msg\":\"\",\"data\":[");
        OkxProtocol.renderTicker(sb, sim.generator().market(OkxProtocol.EXCHANGE, inst), System.currentTimeMillis());
        send(req, 200, sb.append("]}").toString());
    }

    private void okxTickers(HttpServerRequest req) {
        if (!"SPOT".equals(req.getParam("instType"))) {
            send(req, 400, okxError("51000", "Parameter instType error"));
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
        send(req, 200, sb.append("]}").toString());
    }

    /** {@code symbol=X} gives one object; {@code symbols=["X","Y"]} or no parameter gives an array. */
    private void binanceTickers(HttpServerRequest req, boolean book) {
        String symbol = req.getParam("symbol");
        String symbols = req.getParam("symbols");
        List<Instrument> wanted = new ArrayList<>();
        if (symbol != null) {
            Instrument inst = binanceSymbol(req, symbol);
            if (inst == null) {
                return;
            }
            send(req, 200, binanceTicker(new StringBuilder(), inst, book).toString());
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
                send(req, 400, binanceError(-1100, "Illegal characters found in parameter 'symbols'."));
                return;
            }
            for (JsonNode n : list) {
                Instrument inst = binanceSymbol(req, n.asText());
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
        send(req, 200, sb.append(']').toString());
    }

    /** Resolves a Binance symbol or answers the exchange's error (uppercase only, as Binance validates). */
    private Instrument binanceSymbol(HttpServerRequest req, String symbol) {
        if (!symbol.matches("[A-Z0-9\\-_.]{1,20}")) {
            send(req, 400, binanceError(-1100, "Illegal characters found in parameter 'symbol'; legal range is '^[A-Z0-9-_.]{1,20}$'."));
            return null;
        }
        Instrument inst = sim.generator().bySymbol(symbol);
        if (inst == null) {
            send(req, 400, binanceError(-1121, "Invalid symbol."));
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

    private static String okxError(String code, String msg) {
        return Fmt.str(new StringBuilder("{\"code\":\"").append(code).append("\",\"msg\":"), msg).append(",\"data\":[]}").toString();
    }

    private static String binanceError(int code, String msg) {
        return Fmt.str(new StringBuilder("{\"code\":").append(code).append(",\"msg\":"), msg).append('}').toString();
    }

    static void send(HttpServerRequest req, int status, String body) {
        req.response().setStatusCode(status).putHeader("Content-Type", "application/json;charset=UTF-8").end(body);
    }
}
