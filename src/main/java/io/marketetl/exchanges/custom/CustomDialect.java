package io.marketetl.exchanges.custom;

import io.marketetl.exchanges.Json;
import io.marketetl.exchanges.FrameInfo;
import io.marketetl.exchanges.ExchangeDialect;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.normalise.Instruments;
import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.source.RawFrame;
import io.marketetl.source.SourceConfig;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A feed declared entirely in a route file: URL, optional subscribe template, optional text keepalive, and JSON
 * pointers that say where a message keeps its instrument, price, time, type and trade id. See {@link SourceConfig}
 * for the options.
 * <p>
 * Subscribe template placeholders: {@code ${instruments}} and {@code ${channels}} become JSON arrays of strings (as
 * configured, not re-cased); {@code ${instrument}} and {@code ${channel}} make one message per instrument and/or
 * channel; {@code ${sourceId}} is the source id. ({@code {{...}}} is avoided because Camel resolves it as a property
 * placeholder.)
 * <p>
 * Writing JSON in an endpoint URI (also via YAML {@code parameters:}): Camel reads {@code }}} as the end of a property
 * placeholder whenever the URI contains one (e.g. {@code url: "{{my.url}}"}), so never let two closing braces touch:
 * write <code>}&nbsp;}</code> (JSON allows the space, also after <code>${instruments}</code>) or escape them as
 * <code>\&#125;&#125;</code>. Wrap
 * values holding {@code +}, {@code %} or {@code &} (regular expressions, some JSON) in {@code RAW(...)} so they are
 * not URL-decoded.
 * <p>
 * Normalising: with {@code itemsPointer} the frame holds an array and each element becomes one message (pointers
 * relative to the element), else the whole frame is one message. A configured pointer that is missing in a message
 * makes it malformed ({@code missing_field:<pointer>}), except {@code tradeIdPointer} and {@code timestampPointer},
 * which are optional per message.
 */
public final class CustomDialect implements ExchangeDialect {

    private final String sourceId;
    private final String url;
    private final String exchange;
    private final List<String> subscribeMessages;
    private final String pingText;
    private final String pongText;
    private final long pingIntervalMs;
    private final Pattern control;
    private final JsonPointer items;
    private final JsonPointer instrument;
    private final JsonPointer price;
    private final JsonPointer timestamp;
    private final String timestampUnit;
    private final JsonPointer type;
    private final String fixedType;
    private final JsonPointer tradeId;

    public CustomDialect(SourceConfig config) {
        this.sourceId = config.getSourceId();
        this.url = config.getUrl();
        if (url.isEmpty()) {
            throw new IllegalArgumentException("custom source " + sourceId + " needs a url");
        }
        this.exchange = config.getExchangeName().isEmpty() ? sourceId : config.getExchangeName();
        this.subscribeMessages = render(unescape(config.getSubscribeMessage()), config.channelList(),
                config.instrumentList(), sourceId);
        this.pingText = config.getPingText().isEmpty() ? null : unescape(config.getPingText());
        this.pongText = config.getPongText().isEmpty() ? null : unescape(config.getPongText());
        this.pingIntervalMs = config.getPingIntervalMs();
        this.control = config.getControlRegex().isEmpty() ? null : Pattern.compile(config.getControlRegex());
        this.items = pointer(config.getItemsPointer(), "itemsPointer");
        this.instrument = pointer(config.getInstrumentPointer(), "instrumentPointer");
        this.price = pointer(config.getPricePointer(), "pricePointer");
        this.timestamp = pointer(config.getTimestampPointer(), "timestampPointer");
        this.timestampUnit = config.getTimestampUnit();
        this.type = pointer(config.getTypePointer(), "typePointer");
        this.fixedType = config.getMessageType().isEmpty() ? "message" : config.getMessageType();
        this.tradeId = pointer(config.getTradeIdPointer(), "tradeIdPointer");
    }

    /**
     * Undoes Camel's placeholder escapes (a backslash before two braces): Camel removes the backslash only when the
     * URI also holds a real property placeholder, so a template written with the escape works either way.
     */
    static String unescape(String text) {
        return text == null ? null : text.replace("\\}}", "}}").replace("\\{{", "{{");
    }

    private static JsonPointer pointer(String expr, String option) {
        if (expr == null || expr.isEmpty()) {
            return null;
        }
        try {
            return JsonPointer.compile(expr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " is not a JSON pointer (RFC 6901, e.g. /data/0/px): " + expr, e);
        }
    }

    /** Renders the subscribe template into the messages to send (none for an empty template). */
    static List<String> render(String template, List<String> channels, List<String> instruments, String sourceId) {
        if (template == null || template.isBlank()) {
            return List.of();
        }
        String base = template.replace("${instruments}", jsonArray(instruments))
                .replace("${channels}", jsonArray(channels))
                .replace("${sourceId}", sourceId);
        boolean perInstrument = base.contains("${instrument}");
        boolean perChannel = base.contains("${channel}");
        List<String> chs = perChannel ? channels : List.of("");
        List<String> ins = perInstrument ? instruments : List.of("");
        if ((perChannel && channels.isEmpty()) || (perInstrument && instruments.isEmpty())) {
            throw new IllegalArgumentException("subscribeMessage uses ${channel}/${instrument} but none are configured");
        }
        List<String> out = new ArrayList<>();
        for (String c : chs) {
            for (String i : ins) {
                out.add(base.replace("${channel}", c).replace("${instrument}", i));
            }
        }
        return List.copyOf(out);
    }

    private static String jsonArray(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (String v : values) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        return sb.append(']').toString();
    }

    @Override public String name() { return "custom"; }
    @Override public String sourceId() { return sourceId; }
    @Override public String exchange() { return exchange; }
    @Override public String format() { return "custom"; }
    @Override public String connectUrl() { return url; }
    @Override public List<String> subscribeMessages() { return subscribeMessages; }
    @Override public String pingText() { return pingText; }
    @Override public long pingIntervalMs() { return pingIntervalMs; }

    @Override
    public FrameInfo classify(String text) {
        if (pongText != null && text.strip().equals(pongText)) {
            return FrameInfo.PONG_FRAME;
        }
        if (control != null && control.matcher(text).find()) {
            return FrameInfo.control(FrameInfo.Kind.CONTROL, abbreviate(text));
        }
        if (instrument == null && type == null) {
            return FrameInfo.UNKNOWN_DATA;
        }
        try {
            JsonNode root = Json.MAPPER.readTree(text);
            if (root == null) {
                return FrameInfo.UNKNOWN_DATA;
            }
            JsonNode item = root;
            if (items != null) {
                JsonNode array = root.at(items);
                if (!array.isArray() || array.isEmpty()) {
                    return FrameInfo.UNKNOWN_DATA;
                }
                item = array.get(0);
            }
            String ins = instrument == null ? "" : item.at(instrument).asText("");
            String typ = type == null ? fixedType : item.at(type).asText("");
            return FrameInfo.data(typ + ":" + ins);
        } catch (Exception e) {
            return FrameInfo.UNKNOWN_DATA;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 120 ? text : text.substring(0, 120) + "...";
    }

    @Override
    public List<MarketMessage> normalise(RawFrame frame) {
        String text = frame.text();
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(text);
        } catch (Exception e) {
            throw new MalformedFrameException("invalid_json", text, e);
        }
        if (root == null || root.isMissingNode()) {
            throw new MalformedFrameException("invalid_json", text);
        }
        int total = text.getBytes(StandardCharsets.UTF_8).length;
        if (items == null) {
            return List.of(message(frame, root, text, total));
        }
        JsonNode array = root.at(items);
        if (array.isMissingNode() || array.isNull()) {
            throw new MalformedFrameException("missing_field:" + items, text);
        }
        if (!array.isArray()) {
            throw new MalformedFrameException("not_an_array:" + items, text);
        }
        if (array.isEmpty()) {
            throw new MalformedFrameException("empty_data", text);
        }
        List<MarketMessage> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            out.add(message(frame, item, Json.compact(item), Json.share(total, array.size(), i)));
        }
        return out;
    }

    private MarketMessage message(RawFrame frame, JsonNode item, String data, int bytes) {
        String text = frame.text();
        String ins = null;
        if (instrument != null) {
            ins = Instruments.normalise(requiredText(item, instrument, text));
        }
        BigDecimal px = null;
        if (price != null) {
            px = Json.decimal(present(item.at(price)), price.toString(), text, true);
        }
        String messageType = type == null ? fixedType : requiredText(item, type, text);
        String trade = null;
        if (tradeId != null) {
            JsonNode t = item.at(tradeId);
            trade = t.isMissingNode() || t.isNull() || t.isContainerNode() ? null : t.asText();
        }
        Instant eventTime = null;
        if (timestamp != null) {
            eventTime = Json.timestamp(present(item.at(timestamp)), timestamp.toString(), timestampUnit, text);
        }
        return new MarketMessage(frame.sourceId(), exchange, format(), messageType, ins, px, data, trade, eventTime,
                frame.receivedAt(), frame.receivedNanos(), bytes);
    }

    private static JsonNode present(JsonNode node) {
        return node.isMissingNode() ? null : node;
    }

    private static String requiredText(JsonNode item, JsonPointer p, String text) {
        JsonNode v = item.at(p);
        if (v.isMissingNode() || v.isNull() || v.isContainerNode() || v.asText().isEmpty()) {
            throw new MalformedFrameException("missing_field:" + p, text);
        }
        return v.asText();
    }
}
