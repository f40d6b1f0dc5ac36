package io.marketetl.exchanges;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.normalise.MalformedFrameException;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/** JSON helpers shared by the dialects: tree parsing with frame-level errors and exact sub-texts of a frame. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    public static final JsonFactory FACTORY = MAPPER.getFactory();

    private Json() {
    }

    /** Parses a frame; throws {@code invalid_json} or {@code not_an_object}. */
    public static JsonNode parseObject(String text) {
        JsonNode root;
        try {
            root = MAPPER.readTree(text);
        } catch (IOException e) {
            throw new MalformedFrameException("invalid_json", text, e);
        }
        if (root == null || !root.isObject()) {
            throw new MalformedFrameException("not_an_object", text);
        }
        return root;
    }

    public static String compact(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The exact text of a top-level field's value when it is an object or array (so the exchange's own bytes are
     * kept), else null.
     */
    public static String rawField(String text, String field) {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(field) && (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY)) {
                    int start = (int) p.currentTokenLocation().getCharOffset();
                    p.skipChildren();
                    int end = (int) p.currentTokenLocation().getCharOffset() + 1;
                    return text.substring(start, end);
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The exact texts of the elements of a top-level array field, or null when the field is missing, not an array,
     * or holds something other than objects and arrays.
     */
    public static List<String> rawArrayElements(String text, String field) {
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(field) && value == JsonToken.START_ARRAY) {
                    List<String> out = new ArrayList<>();
                    JsonToken t;
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (t != JsonToken.START_OBJECT && t != JsonToken.START_ARRAY) {
                            return null;
                        }
                        int start = (int) p.currentTokenLocation().getCharOffset();
                        p.skipChildren();
                        int end = (int) p.currentTokenLocation().getCharOffset() + 1;
                        out.add(text.substring(start, end));
                    }
                    return out;
                }
                p.skipChildren();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Text of a scalar field, or null when missing, null or not a scalar. */
    public static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            return null;
        }
        return v.asText();
    }

    /** A required decimal (JSON string or number); throws {@code missing_field:<name>} or {@code bad_number:<name>}. */
    public static BigDecimal requiredDecimal(JsonNode node, String field, String frame) {
        return decimal(node.get(field), field, frame, true);
    }

    public static BigDecimal decimal(JsonNode v, String name, String frame, boolean required) {
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            if (required) {
                throw new MalformedFrameException("missing_field:" + name, frame);
            }
            return null;
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            try {
                return new BigDecimal(v.asText().strip());
            } catch (NumberFormatException e) {
                throw new MalformedFrameException("bad_number:" + name, frame, e);
            }
        }
        throw new MalformedFrameException("bad_number:" + name, frame);
    }

    /** Epoch-milliseconds field (string or number) as an Instant; null when missing; {@code bad_timestamp:<name>}. */
    public static Instant epochMillis(JsonNode node, String field, String frame) {
        return timestamp(node.get(field), field, "ms", frame);
    }

    /** A timestamp in the given unit (ms, s, us, ns: numbers or numeric strings; iso: ISO-8601 text). */
    public static Instant timestamp(JsonNode v, String name, String unit, String frame) {
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return null;
        }
        try {
            if (unit.equals("iso")) {
                if (!v.isTextual()) {
                    throw new MalformedFrameException("bad_timestamp:" + name, frame);
                }
                return Instant.parse(v.asText().strip());
            }
            BigDecimal n = v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText().strip());
            BigDecimal nanos = switch (unit) {
                case "s" -> n.movePointRight(9);
                case "ms" -> n.movePointRight(6);
                case "us" -> n.movePointRight(3);
                case "ns" -> n;
                default -> throw new IllegalArgumentException("unit " + unit);
            };
            long total = nanos.setScale(0, RoundingMode.FLOOR).longValueExact();
            return Instant.ofEpochSecond(Math.floorDiv(total, 1_000_000_000L), Math.floorMod(total, 1_000_000_000L));
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            throw new MalformedFrameException("bad_timestamp:" + name, frame, e);
        }
    }

    /** The length of {@code text} in UTF-8 bytes, counted without encoding it (a lone surrogate counts as one '?'). */
    public static int utf8Length(String text) {
        int n = text.length();
        int bytes = n;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                continue;
            }
            if (c < 0x800) {
                bytes += 1;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
                bytes += 2; // 4 bytes for the pair's 2 chars
                i++;
            } else if (Character.isSurrogate(c)) {
                continue; // unpaired: String.getBytes writes '?'
            } else {
                bytes += 2;
            }
        }
        return bytes;
    }

    /** Splits a frame's byte size over n messages; the first gets the remainder, so the parts add up to the total. */
    public static int share(int totalBytes, int n, int index) {
        int base = totalBytes / n;
        return index == 0 ? base + totalBytes % n : base;
    }

    /** Mid of best bid and ask, as a plain decimal without trailing zeros (a book ticker's price). */
    public static BigDecimal mid(BigDecimal bid, BigDecimal ask) {
        BigDecimal m = bid.add(ask).divide(BigDecimal.valueOf(2), java.math.MathContext.DECIMAL64).stripTrailingZeros();
        return m.scale() < 0 ? m.setScale(0) : m;
    }
}
