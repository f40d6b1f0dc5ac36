package io.marketetl.exchanges.okx;

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
 * OKX v5 public WebSocket.
 * <ul>
 * <li>URL: default {@value #DEFAULT_URL} (port 443; OKX is reported to have stopped serving :8443).</li>
 * <li>Subscribe: {@code {"id":"1","op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"},...]}} after every
 * open, at most {@code subscribeBatchSize} args and {@value #MAX_ARGS_CHARS} characters of args per message (OKX
 * allows 64 KB), paced by the source; a handful of requests per connection against OKX's 480 per hour.</li>
 * <li>Keepalive: the client sends the text {@code ping}, the server answers {@code pong}; OKX closes with 4004 after
 * 30 s without client traffic.</li>
 * <li>Control frames: {@code event} subscribe/unsubscribe (ack), error (reported), notice 64008 (reconnect now),
 * others.</li>
 * <li>Channels: {@code trades}/{@code trades-all} (message type {@code trade}, one message per trade item),
 * {@code tickers} ({@code ticker}, price = last), {@code bbo-tbt} ({@code book_ticker}, price = bid/ask mid).</li>
 * </ul>
 */
public final class OkxDialect implements ExchangeDialect {

    public static final String DEFAULT_URL = "wss://ws.okx.com/ws/v5/public";
    /** Upper bound of the args text in one subscribe message; OKX's limit is 64 KB. */
    static final int MAX_ARGS_CHARS = 32 * 1024;
    static final String UPGRADE_NOTICE_CODE = "64008";

    private final String sourceId;
    private final String url;
    private final List<String> channels;
    private final List<String> instIds;
    private final List<String> subscribeMessages;
    private final long pingIntervalMs;

    public OkxDialect(SourceConfig config) {
        this.sourceId = config.getSourceId();
        this.url = config.getUrl().isEmpty() ? DEFAULT_URL : config.getUrl();
        this.channels = config.channelList().stream().map(OkxDialect::channelName).distinct().toList();
        this.instIds = config.instrumentList().stream().map(Instruments::toOkxInstId).distinct().toList();
        if (channels.isEmpty() || instIds.isEmpty()) {
            throw new IllegalArgumentException("okx source " + sourceId + " needs channels and instruments");
        }
        this.subscribeMessages = buildSubscribeMessages(channels, instIds, config.getSubscribeBatchSize());
        this.pingIntervalMs = config.getPingIntervalMs();
    }

    /** OKX channel name for a generic or native channel name. */
    static String channelName(String channel) {
        return switch (channel.toLowerCase(Locale.ROOT)) {
            case "trade", "trades" -> "trades";
            case "ticker", "tickers" -> "tickers";
            case "book_ticker", "bookticker", "bbo", "bbo-tbt" -> "bbo-tbt";
            default -> channel;
        };
    }

    static List<String> buildSubscribeMessages(List<String> channels, List<String> instIds, int batchSize) {
        List<String> args = new ArrayList<>();
        for (String channel : channels) {
            for (String instId : instIds) {
                args.add("{\"channel\":\"" + channel + "\",\"instId\":\"" + instId + "\"}");
            }
        }
        List<String> messages = new ArrayList<>();
        StringBuilder batch = new StringBuilder();
        int inBatch = 0;
        for (String arg : args) {
            if (inBatch > 0 && (inBatch >= batchSize || batch.length() + 1 + arg.length() > MAX_ARGS_CHARS)) {
                messages.add(subscribe(messages.size() + 1, batch));
                batch.setLength(0);
                inBatch = 0;
            }
            if (inBatch > 0) {
                batch.append(',');
            }
            batch.append(arg);
            inBatch++;
        }
        if (inBatch > 0) {
            messages.add(subscribe(messages.size() + 1, batch));
        }
        return List.copyOf(messages);
    }

    private static String subscribe(int id, CharSequence args) {
        return "{\"id\":\"" + id + "\",\"op\":\"subscribe\",\"args\":[" + args + "]}";
    }

    @Override public String name() { return "okx"; }
    @Override public String sourceId() { return sourceId; }
    @Override public String exchange() { return "okx"; }
    @Override public String format() { return "OKX"; }
    @Override public String connectUrl() { return url; }
    @Override public List<String> subscribeMessages() { return subscribeMessages; }
    @Override public String pingText() { return "ping"; }
    @Override public long pingIntervalMs() { return pingIntervalMs; }

    /** Channels and instIds subscribed, in OKX names. */
    public List<String> channels() { return channels; }
    public List<String> instIds() { return instIds; }

    @Override
    public FrameInfo classify(String text) {
        if (text.equals("pong")) {
            return FrameInfo.PONG_FRAME;
        }
        try (JsonParser p = Json.FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return FrameInfo.UNKNOWN_DATA;
            }
            String event = null;
            String code = null;
            String msg = null;
            String channel = null;
            String instId = null;
            boolean sawData = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "event" -> event = p.getValueAsString();
                    case "code" -> code = p.getValueAsString();
                    case "msg" -> msg = p.getValueAsString();
                    case "arg" -> {
                        if (value == JsonToken.START_OBJECT) {
                            while (p.nextToken() == JsonToken.FIELD_NAME) {
                                String f = p.currentName();
                                p.nextToken();
                                if (f.equals("channel")) {
                                    channel = p.getValueAsString();
                                } else if (f.equals("instId")) {
                                    instId = p.getValueAsString();
                                } else {
                                    p.skipChildren();
                                }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> {
                        sawData |= field.equals("data");
                        p.skipChildren();
                    }
                }
                if (sawData && channel != null && event == null) {
                    break; // a push: arg + data, no need to read further
                }
            }
            if (event != null) {
                return switch (event) {
                    case "subscribe", "unsubscribe" -> FrameInfo.control(FrameInfo.Kind.ACK,
                            event + " " + channel + ":" + instId);
                    case "error" -> FrameInfo.control(FrameInfo.Kind.ERROR, "OKX error " + code + ": " + msg);
                    case "notice" -> FrameInfo.control(UPGRADE_NOTICE_CODE.equals(code)
                            ? FrameInfo.Kind.RECONNECT_NOTICE : FrameInfo.Kind.CONTROL, "OKX notice " + code + ": " + msg);
                    default -> FrameInfo.control(FrameInfo.Kind.CONTROL, "OKX event " + event);
                };
            }
            if (channel != null) {
                return FrameInfo.data(channel + ":" + instId);
            }
            return FrameInfo.UNKNOWN_DATA;
        } catch (IOException | RuntimeException e) {
            return FrameInfo.UNKNOWN_DATA;
        }
    }

    @Override
    public List<MarketMessage> normalise(RawFrame frame) {
        String text = frame.text();
        JsonNode root = Json.parseObject(text);
        if (root.has("event")) {
            throw new MalformedFrameException("control_frame:" + root.path("event").asText(), text);
        }
        JsonNode arg = root.get("arg");
        if (arg == null || !arg.isObject()) {
            throw new MalformedFrameException("missing_field:arg", text);
        }
        String channel = Json.text(arg, "channel");
        if (channel == null) {
            throw new MalformedFrameException("missing_field:arg.channel", text);
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isArray()) {
            throw new MalformedFrameException("missing_field:data", text);
        }
        if (data.isEmpty()) {
            throw new MalformedFrameException("empty_data", text);
        }
        String messageType = switch (channel) {
            case "trades", "trades-all" -> "trade";
            case "tickers" -> "ticker";
            case "bbo-tbt" -> "book_ticker";
            default -> throw new MalformedFrameException("unsupported_channel:" + channel, text);
        };
        int n = data.size();
        List<String> itemTexts = n == 1 ? List.of(text) : itemTexts(text, root, arg, data);
        int totalBytes = Json.utf8Length(text);
        String argInstId = Json.text(arg, "instId");
        List<MarketMessage> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            JsonNode item = data.get(i);
            if (!item.isObject()) {
                throw new MalformedFrameException("bad_item", text);
            }
            String instId = Json.text(item, "instId");
            String instrument = Instruments.normalise(instId != null ? instId : argInstId);
            BigDecimal price;
            String tradeId = null;
            switch (messageType) {
                case "trade" -> {
                    price = Json.requiredDecimal(item, "px", text);
                    tradeId = Json.text(item, "tradeId");
                    if (tradeId == null) {
                        throw new MalformedFrameException("missing_field:tradeId", text);
                    }
                }
                case "ticker" -> price = Json.requiredDecimal(item, "last", text);
                default -> price = bboMid(item, text);
            }
            Instant eventTime = Json.epochMillis(item, "ts", text);
            MarketMessage message = new MarketMessage(frame.sourceId(), exchange(), format(), messageType,
                    instrument, price, itemTexts.get(i), tradeId, eventTime, frame.receivedAt(), frame.receivedNanos(),
                    Json.share(totalBytes, n, i));
            if (tradeId != null) {
                OkxTradeIds.range(tradeId, Json.text(item, "count")).ifPresent(message::setTradeIds);
            }
            out.add(message);
        }
        return out;
    }

    /** One {@code {"arg":...,"data":[item]}} text per item, keeping the exchange's exact bytes where possible. */
    private static List<String> itemTexts(String text, JsonNode root, JsonNode arg, JsonNode data) {
        String rawArg = Json.rawField(text, "arg");
        List<String> rawItems = Json.rawArrayElements(text, "data");
        if (rawArg == null) {
            rawArg = Json.compact(arg);
        }
        List<String> out = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            String item = rawItems != null && rawItems.size() == data.size() ? rawItems.get(i) : Json.compact(data.get(i));
            out.add("{\"arg\":" + rawArg + ",\"data\":[" + item + "]}");
        }
        return out;
    }

    private static BigDecimal bboMid(JsonNode item, String text) {
        BigDecimal bid = bestLevelPrice(item, "bids", text);
        BigDecimal ask = bestLevelPrice(item, "asks", text);
        if (bid == null || ask == null) {
            return null; // one side empty: no mid (bid/ask stay in data)
        }
        return Json.mid(bid, ask);
    }

    private static BigDecimal bestLevelPrice(JsonNode item, String side, String text) {
        JsonNode levels = item.get(side);
        if (levels == null || !levels.isArray()) {
            throw new MalformedFrameException("missing_field:" + side, text);
        }
        if (levels.isEmpty()) {
            return null;
        }
        JsonNode best = levels.get(0);
        if (!best.isArray() || best.isEmpty()) {
            throw new MalformedFrameException("bad_level:" + side, text);
        }
        return Json.decimal(best.get(0), side + "[0][0]", text, true);
    }

}
