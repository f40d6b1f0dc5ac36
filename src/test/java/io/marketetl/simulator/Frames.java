package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A strict client-side reading of received frames: data items per stream, control frames, malformed frames. */
final class Frames {

    /** Tally of one or more connections' frames. */
    static final class Tally {
        final Map<String, Long> itemsByStream = new TreeMap<>();
        long items;
        long dataFrames;
        long malformed;
        long control;
    }

    private Frames() {
    }

    static Tally okx(List<String> texts) {
        Tally t = new Tally();
        for (String text : texts) {
            addOkx(t, text);
        }
        return t;
    }

    static Tally binance(List<String> texts) {
        Tally t = new Tally();
        for (String text : texts) {
            addBinance(t, text);
        }
        return t;
    }

    static void addOkx(Tally t, String text) {
        if (text.equals("pong")) {
            t.control++;
            return;
        }
        JsonNode n = WsTestClient.parse(text);
        if (n != null && n.has("event")) {
            t.control++;
            return;
        }
        if (n == null || !n.path("arg").isObject() || !n.path("data").isArray() || n.path("data").isEmpty()) {
            t.malformed++;
            return;
        }
        String channel = n.path("arg").path("channel").asText();
        for (JsonNode item : n.path("data")) {
            boolean ok = switch (channel) {
                case "trades" -> isLong(item.path("tradeId")) && isNumber(item.path("px")) && isLong(item.path("ts"));
                case "tickers" -> isNumber(item.path("last")) && isLong(item.path("ts"));
                case "bbo-tbt" -> item.path("asks").isArray() && item.path("seqId").isIntegralNumber();
                default -> false;
            };
            if (!ok) {
                t.malformed++;
                return;
            }
        }
        String key = "okx:" + channel + ":" + n.path("arg").path("instId").asText();
        t.dataFrames++;
        t.items += n.path("data").size();
        t.itemsByStream.merge(key, (long) n.path("data").size(), Long::sum);
    }

    static void addBinance(Tally t, String text) {
        JsonNode n = WsTestClient.parse(text);
        if (n == null) {
            t.malformed++;
            return;
        }
        if (n.has("result") || n.has("error")) {
            t.control++;
            return;
        }
        JsonNode payload = n;
        if (n.has("stream")) {
            if (n.path("stream").asText().startsWith("!")) {
                t.control++;
                return;
            }
            payload = n.path("data");
            if (!payload.isObject()) {
                t.malformed++;
                return;
            }
        }
        String e = payload.path("e").asText("");
        String symbol = payload.path("s").asText("").toLowerCase(Locale.ROOT);
        String stream;
        if (e.equals("serverShutdown")) {
            t.control++;
            return;
        } else if (e.equals("trade") && payload.path("t").isIntegralNumber() && isNumber(payload.path("p"))) {
            stream = symbol + "@trade";
        } else if (e.equals("24hrTicker") && isNumber(payload.path("c"))) {
            stream = symbol + "@ticker";
        } else if (e.isEmpty() && payload.path("u").isIntegralNumber() && isNumber(payload.path("b"))) {
            stream = symbol + "@bookTicker";
        } else {
            t.malformed++;
            return;
        }
        t.dataFrames++;
        t.items++;
        t.itemsByStream.merge("binance:" + stream, 1L, Long::sum);
    }

    private static boolean isNumber(JsonNode n) {
        if (!n.isTextual()) {
            return false;
        }
        try {
            double d = Double.parseDouble(n.asText());
            return !Double.isNaN(d) && d >= 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isLong(JsonNode n) {
        try {
            Long.parseLong(n.asText());
            return n.isTextual();
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
