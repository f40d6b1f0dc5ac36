package io.marketetl.connector.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.connector.ConnectorDefinition;
import io.marketetl.connector.Extract;
import io.marketetl.exchanges.Json;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The REST API's JSON form of a connector: field names are the {@code api_connectors} column names. Reading collects
 * every problem, each naming its field; writing masks every header, query parameter and credential value.
 */
final class ConnectorJson {

    static final String MASK = "********";
    static final Set<String> FIELDS = Set.of("connector_id", "name", "api_url", "http_method", "headers", "query_params",
            "auth_type", "credentials", "polling_interval", "cron", "protocol_type", "exchange_name", "extract",
            "response_rules");

    private ConnectorJson() {
    }

    /** A definition from a request body; problems are added to {@code problems} (then the result is not usable). */
    static ConnectorDefinition read(JsonNode body, String idFromPath, List<String> problems) {
        if (body == null || !body.isObject()) {
            problems.add("body: a JSON object is required");
            return null;
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                problems.add(f + ": unknown field (fields: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        String id = text(body, "connector_id", problems);
        if (idFromPath != null) {
            if (id != null && !id.equals(idFromPath)) {
                problems.add("connector_id: " + id + " does not match the path's " + idFromPath);
            }
            id = idFromPath;
        }
        String protocol = text(body, "protocol_type", problems);
        if (protocol != null && !protocol.equals(ConnectorDefinition.PROTOCOL)) {
            problems.add("protocol_type: only REST connectors are registered here (WebSocket sources are route files)");
        }
        Integer interval = null;
        JsonNode pi = body.get("polling_interval");
        if (pi != null && !pi.isNull()) {
            if (pi.isIntegralNumber() && pi.canConvertToInt()) {
                interval = pi.intValue();
            } else {
                problems.add("polling_interval: an integer number of milliseconds is required");
            }
        }
        String method = text(body, "http_method", problems);
        Map<String, Object> rules = null;
        JsonNode rr = body.get("response_rules");
        if (rr != null && !rr.isNull()) {
            if (rr.isObject()) {
                rules = Json.MAPPER.convertValue(rr, Map.class);
            } else {
                problems.add("response_rules: a JSON object is required");
            }
        }
        Map<String, String> extractMap = strings(body, "extract", problems, false);
        if (extractMap != null) {
            for (String k : extractMap.keySet()) {
                if (!Extract.FIELDS.contains(k)) {
                    problems.add("extract." + k + ": unknown field (fields: " + String.join(", ", Extract.FIELDS) + ")");
                }
            }
        }
        return new ConnectorDefinition(id, text(body, "name", problems), text(body, "api_url", problems),
                method == null ? null : method.toUpperCase(java.util.Locale.ROOT), strings(body, "headers", problems, false),
                strings(body, "query_params", problems, false), text(body, "auth_type", problems),
                strings(body, "credentials", problems, true), interval, text(body, "cron", problems),
                text(body, "exchange_name", problems), Extract.fromMap(extractMap), rules, List.of(),
                ConnectorDefinition.ORIGIN_API, null);
    }

    private static String text(JsonNode body, String field, List<String> problems) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            problems.add(field + ": a string is required");
            return null;
        }
        return v.asText();
    }

    /** An object of strings (numbers and booleans are taken as their text when {@code scalars}). */
    private static Map<String, String> strings(JsonNode body, String field, List<String> problems, boolean scalars) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            problems.add(field + ": a JSON object is required");
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> {
            JsonNode x = e.getValue();
            if (x.isTextual() || (scalars && (x.isNumber() || x.isBoolean()))) {
                out.put(e.getKey(), x.asText());
            } else {
                problems.add(field + "." + e.getKey() + ": a string is required");
            }
        });
        return out;
    }

    /** The connector as answered: secrets masked (names kept), plus its running state. */
    static Map<String, Object> write(ConnectorDefinition d, boolean running) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("connector_id", d.connectorId());
        m.put("name", d.name());
        m.put("api_url", d.apiUrl());
        m.put("http_method", d.httpMethod());
        m.put("headers", masked(d.headers()));
        m.put("query_params", masked(d.queryParams()));
        m.put("auth_type", d.authType());
        m.put("credentials", masked(d.credentials()));
        m.put("polling_interval", d.pollingInterval());
        m.put("cron", d.cron());
        m.put("protocol_type", ConnectorDefinition.PROTOCOL);
        m.put("exchange_name", d.exchangeName());
        m.put("extract", d.extract().toMap());
        m.put("response_rules", d.responseRules());
        m.put("origin", d.origin());
        m.put("status", d.status());
        m.put("running", running);
        return m;
    }

    private static Map<String, String> masked(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.keySet().forEach(k -> out.put(k, MASK));
        return out;
    }
}
