package io.marketetl.connector;

import com.fasterxml.jackson.core.JsonPointer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where an HTTP answer keeps its rows: JSON pointers (RFC 6901). {@code items}, when set, points at an array whose
 * every element becomes one row, and the other pointers are relative to that element; without it the whole body is
 * one row. Any pointer may be null (that column stays empty; the row's time is then the receive time).
 *
 * @param items         array of rows, e.g. {@code /data}; "" or null: the body itself (an array body: each element)
 * @param instrument    the instrument, normalised to BASE-QUOTE like WebSocket rows ({@code /instId}, {@code /symbol})
 * @param price         the price ({@code /last}, {@code /price}); a number or a numeric string
 * @param timestamp     the data's own time ({@code /ts}), in {@code timestampUnit}
 * @param timestampUnit {@code ms} (default), {@code s}, {@code us}, {@code ns} or {@code iso}
 * @param messageType   the rows' message_type (default {@code api_response}, the seed's default)
 */
public record Extract(String items, String instrument, String price, String timestamp, String timestampUnit,
        String messageType) {

    public static final Extract NONE = new Extract(null, null, null, null, null, null);

    /** The JSON field names of the API's {@code extract} object, in order. */
    public static final List<String> FIELDS = List.of("items", "instrument", "price", "timestamp", "timestamp_unit",
            "message_type");

    public String timestampUnitOrDefault() {
        return timestampUnit == null || timestampUnit.isEmpty() ? "ms" : timestampUnit;
    }

    public String messageTypeOrDefault() {
        return messageType == null || messageType.isEmpty() ? "api_response" : messageType;
    }

    /** These pointers where set, else those of {@code defaults} (an exchange's defaults for an endpoint). */
    public Extract orElse(Extract defaults) {
        if (defaults == null) {
            return this;
        }
        return new Extract(pick(items, defaults.items), pick(instrument, defaults.instrument),
                pick(price, defaults.price), pick(timestamp, defaults.timestamp),
                pick(timestampUnit, defaults.timestampUnit), pick(messageType, defaults.messageType));
    }

    private static String pick(String a, String b) {
        return a != null ? a : b;
    }

    /** Problems, each naming its field ({@code extract.price: ...}); empty when valid. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        check(out, "items", items);
        check(out, "instrument", instrument);
        check(out, "price", price);
        check(out, "timestamp", timestamp);
        if (timestampUnit != null && !List.of("", "ms", "s", "us", "ns", "iso").contains(timestampUnit)) {
            out.add("extract.timestamp_unit: must be ms, s, us, ns or iso");
        }
        if (messageType != null && messageType.length() > 50) {
            out.add("extract.message_type: at most 50 characters");
        }
        return out;
    }

    private static void check(List<String> out, String field, String pointer) {
        if (pointer == null || pointer.isEmpty()) {
            return;
        }
        try {
            JsonPointer.compile(pointer);
        } catch (IllegalArgumentException e) {
            out.add("extract." + field + ": not a JSON pointer (RFC 6901, e.g. /data/0/last): " + pointer);
        }
    }

    /** As the API's {@code extract} object (null fields left out). */
    public Map<String, String> toMap() {
        Map<String, String> m = new LinkedHashMap<>();
        put(m, "items", items);
        put(m, "instrument", instrument);
        put(m, "price", price);
        put(m, "timestamp", timestamp);
        put(m, "timestamp_unit", timestampUnit);
        put(m, "message_type", messageType);
        return m;
    }

    private static void put(Map<String, String> m, String k, String v) {
        if (v != null) {
            m.put(k, v);
        }
    }

    /** From the API's {@code extract} object; unknown fields or non-string values are problems for the caller. */
    public static Extract fromMap(Map<String, ?> m) {
        if (m == null) {
            return NONE;
        }
        return new Extract(str(m, "items"), str(m, "instrument"), str(m, "price"), str(m, "timestamp"),
                str(m, "timestamp_unit"), str(m, "message_type"));
    }

    private static String str(Map<String, ?> m, String k) {
        Object v = m.get(k);
        return v == null ? null : String.valueOf(v);
    }
}
