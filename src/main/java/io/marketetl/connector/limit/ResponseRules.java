package io.marketetl.connector.limit;

import com.fasterxml.jackson.core.JsonPointer;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How to read an API's answer beyond its HTTP status: where the body keeps its code and message (JSON pointers,
 * RFC 6901), and which codes mean success, rate limit or "try again later". Used by {@link ResponseClassifier}.
 * <p>
 * Written per connector as a small JSON object (or the same keys in YAML):
 * <pre>
 * {"code_pointer": "/code", "ok_codes": ["0"], "rate_limit_codes": ["50011", "50061"],
 *  "retry_codes": ["50001", "50013"], "message_pointer": "/msg"}
 * </pre>
 * All keys are optional. Codes are compared as text; numbers in the configuration or the body are written without
 * a fraction ({@code -1003}). With {@code ok_codes} given, a 2xx answer whose body has a code not in the list is a
 * {@link ResponseOutcome#BODY_ERROR}; without it, only the listed rate-limit and retry codes change a 2xx answer's
 * outcome. A body with no code at the pointer, or no JSON at all, has no body code.
 *
 * @param codePointer    JSON pointer to the body's code, or null for no body rule
 * @param okCodes        codes meaning success; empty: any code not listed below is success
 * @param rateLimitCodes codes meaning "rate limited" whatever the status
 * @param retryCodes     codes meaning "server busy, try again later" whatever the status
 * @param messagePointer JSON pointer to the body's message, or null
 */
public record ResponseRules(String codePointer, List<String> okCodes, List<String> rateLimitCodes,
                            List<String> retryCodes, String messagePointer) {

    /** No body rule: the HTTP status alone decides (the generic default). */
    public static final ResponseRules NONE = new ResponseRules(null, List.of(), List.of(), List.of(), null);

    public static final String CODE_POINTER = "code_pointer";
    public static final String OK_CODES = "ok_codes";
    public static final String RATE_LIMIT_CODES = "rate_limit_codes";
    public static final String RETRY_CODES = "retry_codes";
    public static final String MESSAGE_POINTER = "message_pointer";
    private static final Set<String> FIELDS = Set.of(CODE_POINTER, OK_CODES, RATE_LIMIT_CODES, RETRY_CODES,
            MESSAGE_POINTER);

    public ResponseRules {
        codePointer = pointer(CODE_POINTER, codePointer);
        messagePointer = pointer(MESSAGE_POINTER, messagePointer);
        okCodes = okCodes == null ? List.of() : List.copyOf(okCodes);
        rateLimitCodes = rateLimitCodes == null ? List.of() : List.copyOf(rateLimitCodes);
        retryCodes = retryCodes == null ? List.of() : List.copyOf(retryCodes);
        if (codePointer == null && !(okCodes.isEmpty() && rateLimitCodes.isEmpty() && retryCodes.isEmpty())) {
            throw new IllegalArgumentException("response rules: codes are given but no " + CODE_POINTER);
        }
    }

    /** {@link #fromMap(Map, ResponseRules)} with no defaults. */
    public static ResponseRules fromMap(Map<String, ?> map) {
        return fromMap(map, NONE);
    }

    /**
     * Reads rules as they come from a JSON request body or a YAML option. A key that is absent keeps the value of
     * {@code defaults} (the exchange module's rules, say), so a connector can add one code without repeating the rest;
     * a key given as null clears it.
     *
     * @throws IllegalArgumentException naming the field: unknown key, a pointer that is not text or not a JSON
     *                                  pointer, codes that are not a list of texts or numbers
     */
    public static ResponseRules fromMap(Map<String, ?> map, ResponseRules defaults) {
        if (map == null) {
            return defaults;
        }
        for (String k : map.keySet()) {
            if (!FIELDS.contains(k)) {
                throw new IllegalArgumentException("response rules: unknown field '" + k + "' (known: " + CODE_POINTER
                        + ", " + OK_CODES + ", " + RATE_LIMIT_CODES + ", " + RETRY_CODES + ", " + MESSAGE_POINTER + ")");
            }
        }
        return new ResponseRules(
                map.containsKey(CODE_POINTER) ? text(CODE_POINTER, map.get(CODE_POINTER)) : defaults.codePointer(),
                map.containsKey(OK_CODES) ? codes(OK_CODES, map.get(OK_CODES)) : defaults.okCodes(),
                map.containsKey(RATE_LIMIT_CODES) ? codes(RATE_LIMIT_CODES, map.get(RATE_LIMIT_CODES))
                        : defaults.rateLimitCodes(),
                map.containsKey(RETRY_CODES) ? codes(RETRY_CODES, map.get(RETRY_CODES)) : defaults.retryCodes(),
                map.containsKey(MESSAGE_POINTER) ? text(MESSAGE_POINTER, map.get(MESSAGE_POINTER))
                        : defaults.messagePointer());
    }

    /** The JSON-friendly form, keys as in {@link #fromMap}; null pointers are left out. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (codePointer != null) {
            m.put(CODE_POINTER, codePointer);
        }
        m.put(OK_CODES, okCodes);
        m.put(RATE_LIMIT_CODES, rateLimitCodes);
        m.put(RETRY_CODES, retryCodes);
        if (messagePointer != null) {
            m.put(MESSAGE_POINTER, messagePointer);
        }
        return m;
    }

    private static String pointer(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        try {
            JsonPointer.compile(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("response rules: " + field + " '" + v
                    + "' is not a JSON pointer (like /code or /error/code)");
        }
        return v;
    }

    private static String text(String field, Object value) {
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new IllegalArgumentException("response rules: " + field + " must be a text (a JSON pointer like /code),"
                + " not " + value.getClass().getSimpleName());
    }

    private static List<String> codes(String field, Object value) {
        if (value == null) {
            return List.of();
        }
        Collection<?> items = value instanceof Collection<?> c ? c : List.of(value);
        List<String> out = new ArrayList<>(items.size());
        for (Object o : items) {
            String code = code(o);
            if (code == null) {
                throw new IllegalArgumentException("response rules: " + field + " must list codes (texts or numbers),"
                        + " found " + (o == null ? "null" : o.getClass().getSimpleName() + " " + o));
            }
            out.add(code);
        }
        return out;
    }

    /** A code as text: strings as they are (trimmed), numbers without a fraction when they have none. */
    static String code(Object o) {
        if (o instanceof String s) {
            return s.isBlank() ? null : s.trim();
        }
        if (o instanceof Number n && !(o instanceof Double d && (d.isNaN() || d.isInfinite()))
                && !(o instanceof Float f && (f.isNaN() || f.isInfinite()))) {
            BigDecimal b = n instanceof BigDecimal bd ? bd : new BigDecimal(n.toString());
            b = b.stripTrailingZeros();
            return b.scale() < 0 ? b.setScale(0).toPlainString() : b.toPlainString();
        }
        return null;
    }
}
