package io.marketetl.exchanges.binance;

import io.marketetl.exchanges.Json;
import io.marketetl.exchanges.FrameInfo;
import io.marketetl.exchanges.ExchangeDialect;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.normalise.Instruments;
import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.source.RawFrame;
import io.marketetl.source.SourceConfig;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Binance Spot market streams.
 * <ul>
 * <li>URL: base default {@value #DEFAULT_URL}. {@code subscribeMode=url} (default): every stream in the
 * combined-stream URL {@code <base>/stream?streams=btcusdt@trade/ethusdt@bookTicker}, zero client messages (the safe
 * way under Binance's 5 incoming messages/s limit). {@code subscribeMode=message}: {@code <base>/ws} plus
 * {@code {"method":"SUBSCRIBE","params":[...],"id":n}} messages, paced by the source (default 350 ms apart).
 * A URL that already names streams ({@code streams=} or {@code /ws/<stream>}) is used as given.</li>
 * <li>Keepalive: the server sends ping frames, Vert.x answers them; the client sends nothing periodically.</li>
 * <li>Control frames: {@code {"result":...,"id":..}} (ack), {@code {"error":{...},"id":..}} and the flat
 * {@code {"code":..,"msg":..}} (errors), {@code serverShutdown} raw and combined ({@code !serverShutdown}) forms
 * (reconnect now).</li>
 * <li>Streams: {@code trade} ({@code trade}), {@code aggTrade} ({@code agg_trade}, trade id = aggregate id),
 * {@code 24hrTicker} ({@code ticker}, price = last {@code c}), {@code 24hrMiniTicker} ({@code mini_ticker}),
 * {@code bookTicker} ({@code book_ticker}, price = bid/ask mid, no event time). The combined-stream wrapper is
 * removed from the stored data.</li>
 * </ul>
 */
public final class BinanceDialect implements ExchangeDialect {

    public static final String DEFAULT_URL = "wss://stream.binance.com:9443";
    /** Binance's limit of streams per connection. */
    public static final int MAX_STREAMS = 1024;

    private final String sourceId;
    private final List<String> streams;
    private final String connectUrl;
    private final List<String> subscribeMessages;

    public BinanceDialect(SourceConfig config) {
        this.sourceId = config.getSourceId();
        List<String> channels = config.channelList().stream().map(BinanceDialect::streamType).distinct().toList();
        List<String> symbols = config.instrumentList().stream().map(Instruments::toBinanceSymbol).distinct().toList();
        List<String> s = new ArrayList<>();
        for (String channel : channels) {
            for (String symbol : symbols) {
                s.add(symbol + "@" + channel);
            }
        }
        this.streams = List.copyOf(s);
        String base = config.getUrl().isEmpty() ? DEFAULT_URL : config.getUrl();
        boolean urlNamesStreams = base.contains("streams=") || base.matches(".*/ws/[^/?]+.*");
        if (streams.isEmpty() && !urlNamesStreams) {
            throw new IllegalArgumentException("binance source " + sourceId + " needs channels and instruments");
        }
        if (streams.size() > MAX_STREAMS) {
            throw new IllegalArgumentException("binance source " + sourceId + " has " + streams.size()
                    + " streams; Binance allows " + MAX_STREAMS + " per connection: split it into several sources");
        }
        boolean messageMode = config.getSubscribeMode().equals("message");
        if (urlNamesStreams) {
            this.connectUrl = base;
            this.subscribeMessages = List.of();
        } else if (messageMode) {
            this.connectUrl = baseOf(base) + "/ws";
            this.subscribeMessages = buildSubscribeMessages(streams, config.getSubscribeBatchSize());
        } else {
            this.connectUrl = baseOf(base) + "/stream?streams=" + String.join("/", streams);
            this.subscribeMessages = List.of();
        }
    }

    /** Binance stream type for a generic or native channel name. */
    static String streamType(String channel) {
        return switch (channel.toLowerCase(Locale.ROOT)) {
            case "trade", "trades" -> "trade";
            case "aggtrade", "aggtrades", "agg_trade" -> "aggTrade";
            case "ticker", "tickers", "24hrticker" -> "ticker";
            case "miniticker", "mini_ticker" -> "miniTicker";
            case "bookticker", "book_ticker", "bbo", "bbo-tbt" -> "bookTicker";
            default -> channel;
        };
    }

    /** The URL without a trailing slash, {@code /ws} or {@code /stream}. */
    static String baseOf(String url) {
        String b = url;
        while (b.endsWith("/")) {
            b = b.substring(0, b.length() - 1);
        }
        if (b.endsWith("/ws")) {
            b = b.substring(0, b.length() - 3);
        } else if (b.endsWith("/stream")) {
            b = b.substring(0, b.length() - 7);
        }
        return b;
    }

    static List<String> buildSubscribeMessages(List<String> streams, int batchSize) {
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < streams.size(); i += batchSize) {
            List<String> batch = streams.subList(i, Math.min(streams.size(), i + batchSize));
            messages.add("{\"method\":\"SUBSCRIBE\",\"params\":[\"" + String.join("\",\"", batch) + "\"],\"id\":"
                    + (messages.size() + 1) + "}");
        }
        return List.copyOf(messages);
    }

    @Override public String name() { return "binance"; }
    @Override public String sourceId() { return sourceId; }
    @Override public String exchange() { return "binance"; }
    @Override public String format() { return "Binance"; }
    @Override public String connectUrl() { return connectUrl; }
    @Override public List<String> subscribeMessages() { return subscribeMessages; }
    @Override public String pingText() { return null; }
    @Override public long pingIntervalMs() { return 0; }

    /** Stream names of this source, e.g. {@code btcusdt@trade}. */
    public List<String> streams() { return streams; }

    @Override
    public FrameInfo classify(String text) {
        try (JsonParser p = Json.FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return FrameInfo.UNKNOWN_DATA;
            }
            String event = null;
            String symbol = null;
            boolean hasUpdateId = false;
            boolean hasResult = false;
            boolean hasId = false;
            String flatCode = null;
            String flatMsg = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "stream" -> {
                        String stream = p.getValueAsString();
                        if (stream != null && stream.startsWith("!serverShutdown")) {
                            return FrameInfo.control(FrameInfo.Kind.RECONNECT_NOTICE, "Binance serverShutdown");
                        }
                        if (stream != null) {
                            return FrameInfo.data(stream);
                        }
                    }
                    case "e" -> {
                        event = p.getValueAsString();
                        if ("serverShutdown".equals(event)) {
                            return FrameInfo.control(FrameInfo.Kind.RECONNECT_NOTICE, "Binance serverShutdown");
                        }
                    }
                    case "s" -> symbol = p.getValueAsString();
                    case "u" -> hasUpdateId = true;
                    case "result" -> {
                        hasResult = true;
                        p.skipChildren();
                    }
                    case "id" -> hasId = true;
                    case "code" -> flatCode = p.getValueAsString();
                    case "msg" -> flatMsg = p.getValueAsString();
                    case "error" -> {
                        return FrameInfo.control(FrameInfo.Kind.ERROR, "Binance error " + errorText(p, value));
                    }
                    default -> p.skipChildren();
                }
                if (symbol != null && (event != null || hasUpdateId)) {
                    break;
                }
            }
            if (symbol != null) {
                String type = event == null ? (hasUpdateId ? "bookTicker" : "unknown") : switch (event) {
                    case "24hrTicker" -> "ticker";
                    case "24hrMiniTicker" -> "miniTicker";
                    default -> event;
                };
                return FrameInfo.data(symbol.toLowerCase(Locale.ROOT) + "@" + type);
            }
            if (hasResult && hasId) {
                return FrameInfo.control(FrameInfo.Kind.ACK, "Binance result");
            }
            if (flatCode != null && flatMsg != null) {
                return FrameInfo.control(FrameInfo.Kind.ERROR, "Binance error " + flatCode + ": " + flatMsg);
            }
            return FrameInfo.UNKNOWN_DATA;
        } catch (IOException | RuntimeException e) {
            return FrameInfo.UNKNOWN_DATA;
        }
    }

    private static String errorText(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            return p.getValueAsString();
        }
        String code = null;
        String msg = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            if (f.equals("code")) {
                code = p.getValueAsString();
            } else if (f.equals("msg")) {
                msg = p.getValueAsString();
            } else {
                p.skipChildren();
            }
        }
        return code + ": " + msg;
    }

    @Override
    public List<MarketMessage> normalise(RawFrame frame) {
        String text = frame.text();
        JsonNode root = Json.parseObject(text);
        JsonNode payload = root;
        String payloadText = text;
        if (root.has("stream") && root.has("data")) {
            payload = root.get("data");
            if (payload.isArray()) {
                return normaliseArray(frame, payload);
            }
            if (!payload.isObject()) {
                throw new MalformedFrameException("bad_field:data", text);
            }
            payloadText = root.size() == 2 ? combinedData(text) : null;
            if (payloadText == null) {
                payloadText = Json.rawField(text, "data");
            }
            if (payloadText == null) {
                payloadText = Json.compact(payload);
            }
        }
        int bytes = Json.utf8Length(text);
        return List.of(message(frame, payload, payloadText, bytes));
    }

    private static final String COMBINED_HEAD = "{\"stream\":\"";
    private static final String COMBINED_DATA = ",\"data\":";

    /**
     * The exact text of {@code data} in a combined-stream frame laid out as Binance sends it,
     * {@code {"stream":"<name>","data":{...}}} with no other field and no white space around {@code data}'s value,
     * found without parsing the frame again (the caller has parsed it: valid JSON, an object with exactly those two
     * fields, data an object); null for any other layout (the caller then uses {@link Json#rawField}).
     */
    static String combinedData(String text) {
        if (!text.startsWith(COMBINED_HEAD)) {
            return null;
        }
        int close = text.indexOf('"', COMBINED_HEAD.length());
        if (close < 0 || text.lastIndexOf('\\', close) >= COMBINED_HEAD.length()) {
            return null; // an escape in the stream name: leave it to the parser
        }
        int start = close + 1 + COMBINED_DATA.length();
        int last = text.length() - 1;
        if (!text.startsWith(COMBINED_DATA, close + 1) || start >= last || text.charAt(start) != '{'
                || text.charAt(last) != '}' || text.charAt(last - 1) != '}') {
            return null;
        }
        // with exactly two fields, stream first, what follows data's value is the root's closing brace: since the
        // character before it is '}' (no white space), that is data's own closing brace
        return text.substring(start, last);
    }

    private List<MarketMessage> normaliseArray(RawFrame frame, JsonNode items) {
        String text = frame.text();
        if (items.isEmpty()) {
            throw new MalformedFrameException("empty_data", text);
        }
        int total = Json.utf8Length(text);
        List<MarketMessage> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isObject()) {
                throw new MalformedFrameException("bad_item", text);
            }
            out.add(message(frame, item, Json.compact(item), Json.share(total, items.size(), i)));
        }
        return out;
    }

    private MarketMessage message(RawFrame frame, JsonNode m, String dataText, int bytes) {
        String text = frame.text();
        if (m.has("result") || m.has("error")) {
            throw new MalformedFrameException("control_frame", text);
        }
        String event = Json.text(m, "e");
        String symbol = Json.text(m, "s");
        String messageType;
        BigDecimal price;
        String tradeId = null;
        Instant eventTime = Json.epochMillis(m, "E", text);
        if (event == null) {
            if (!m.has("u") || !m.has("b") || !m.has("a")) {
                throw new MalformedFrameException(m.has("s") ? "missing_field:e" : "unrecognised_message", text);
            }
            messageType = "book_ticker";
            BigDecimal bid = Json.requiredDecimal(m, "b", text);
            BigDecimal ask = Json.requiredDecimal(m, "a", text);
            price = Json.mid(bid, ask);
        } else {
            switch (event) {
                case "trade" -> {
                    messageType = "trade";
                    price = Json.requiredDecimal(m, "p", text);
                    tradeId = Json.text(m, "t");
                    if (tradeId == null) {
                        throw new MalformedFrameException("missing_field:t", text);
                    }
                }
                case "aggTrade" -> {
                    messageType = "agg_trade";
                    price = Json.requiredDecimal(m, "p", text);
                    tradeId = Json.text(m, "a");
                    if (tradeId == null) {
                        throw new MalformedFrameException("missing_field:a", text);
                    }
                }
                case "24hrTicker" -> {
                    messageType = "ticker";
                    price = Json.requiredDecimal(m, "c", text);
                }
                case "24hrMiniTicker" -> {
                    messageType = "mini_ticker";
                    price = Json.requiredDecimal(m, "c", text);
                }
                default -> throw new MalformedFrameException("unsupported_event:" + event, text);
            }
        }
        if (symbol == null) {
            throw new MalformedFrameException("missing_field:s", text);
        }
        MarketMessage message = new MarketMessage(frame.sourceId(), exchange(), format(), messageType,
                Instruments.normalise(symbol), price, dataText, tradeId, eventTime, frame.receivedAt(),
                frame.receivedNanos(), bytes);
        if (messageType.equals("trade")) {
            JsonNode t = m.get("t");
            if (t != null && t.canConvertToLong()) {
                message.setTradeIds(BinanceTradeIds.trade(t.asLong()));
            }
        }
        return message;
    }
}
