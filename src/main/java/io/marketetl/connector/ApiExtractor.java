package io.marketetl.connector;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.marketetl.exchanges.Json;
import io.marketetl.normalise.ApiCall;
import io.marketetl.normalise.Instruments;
import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns one {@link ApiResponse} into {@code api_connector_data} rows.
 * <ul>
 * <li>A successful JSON answer: with {@code extract.items}, each element of that array is a row (an array body
 * without {@code items}: each element); otherwise the body is one row. {@code data} is the element (or body).</li>
 * <li>An error answer (non-2xx, or an error in the body) or a body that is not JSON: one row, {@code data} the body
 * (a non-JSON body as a JSON string), with its status code: it is stored, not dropped.</li>
 * <li>{@code instrument}, {@code price}, {@code timestamp} come from the pointers, relative to the row's element. A
 * pointer that finds nothing (or JSON null) leaves the column empty; a value that is there but not a number or a
 * time makes the answer malformed ({@code bad_number:price}), as for WebSocket frames.</li>
 * <li>{@code raw_response} is the whole body, on the call's first row only.</li>
 * </ul>
 */
public final class ApiExtractor {

    /** Stored as the rows' {@code format}-like marker in logs; API rows have no format column. */
    public static final String FORMAT = "REST";

    private ApiExtractor() {
    }

    public static List<MarketMessage> extract(ApiResponse r) {
        String body = r.body();
        JsonNode root = null;
        if (!body.isEmpty()) {
            try {
                root = Json.MAPPER.readTree(body);
            } catch (IOException e) {
                root = null;
            }
        }
        if (root == null || root.isMissingNode()) {
            String asJson = Json.compact(TextNode.valueOf(body));
            return List.of(message(r, asJson, asJson, null, null, null, body.getBytes(StandardCharsets.UTF_8).length));
        }
        String raw = body;
        int bytes = body.getBytes(StandardCharsets.UTF_8).length;
        Extract x = r.extract();
        if (!r.successful()) {
            return List.of(message(r, Json.compact(root), raw, null, null, null, bytes));
        }
        List<JsonNode> items = new ArrayList<>();
        if (x.items() != null && !x.items().isEmpty()) {
            JsonNode array = root.at(JsonPointer.compile(x.items()));
            if (!array.isArray()) {
                throw new MalformedFrameException("missing_field:" + x.items(), body);
            }
            array.forEach(items::add);
        } else if (root.isArray()) {
            root.forEach(items::add);
        } else {
            items.add(root);
        }
        List<MarketMessage> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String instrument = text(item, x.instrument());
            instrument = instrument != null ? Instruments.normalise(instrument) : r.instrument();
            BigDecimal price = x.price() == null ? null : Json.decimal(at(item, x.price()), "price", body, false);
            Instant eventTime = x.timestamp() == null ? null
                    : Json.timestamp(at(item, x.timestamp()), "timestamp", x.timestampUnitOrDefault(), body);
            out.add(message(r, Json.compact(item), i == 0 ? raw : null, instrument, price, eventTime,
                    Json.share(bytes, items.size(), i)));
        }
        return out;
    }

    private static JsonNode at(JsonNode item, String pointer) {
        JsonNode v = item.at(JsonPointer.compile(pointer));
        return v.isMissingNode() || v.isNull() ? null : v;
    }

    private static String text(JsonNode item, String pointer) {
        if (pointer == null) {
            return null;
        }
        JsonNode v = at(item, pointer);
        return v == null ? null : v.asText();
    }

    private static MarketMessage message(ApiResponse r, String data, String raw, String instrument, BigDecimal price,
            Instant eventTime, int bytes) {
        return new MarketMessage(r.connectorId(), r.exchangeName(), FORMAT, r.extract().messageTypeOrDefault(),
                instrument, price, data, null, eventTime, r.receivedAt(), r.receivedNanos(), bytes,
                new ApiCall(r.statusCode(), r.responseTimeMs(), raw, r.callId(), r.sessionId()));
    }
}
