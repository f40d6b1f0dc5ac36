package io.marketetl.connector.limit;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Objects;

/**
 * Judges one HTTP answer by a connector's {@link ResponseRules}. In this order:
 * <ol>
 * <li>418: {@link ResponseOutcome#BANNED}; 429: {@link ResponseOutcome#RATE_LIMITED};</li>
 * <li>a body code in {@code rate_limit_codes}: {@code RATE_LIMITED}, whatever the status;</li>
 * <li>5xx, or a body code in {@code retry_codes}: {@link ResponseOutcome#SERVER_ERROR};</li>
 * <li>any other status that is not 2xx: {@link ResponseOutcome#CLIENT_ERROR};</li>
 * <li>2xx with a body code outside a non-empty {@code ok_codes}: {@link ResponseOutcome#BODY_ERROR};</li>
 * <li>else {@link ResponseOutcome#OK}.</li>
 * </ol>
 * Never throws on a body: one that is not JSON (an HTML error page, empty, cut short) simply has no body code; for a
 * failed call its first {@value #EXCERPT} characters become the message. Stateless and thread-safe.
 */
public final class ResponseClassifier {

    static final int EXCERPT = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ResponseRules rules;
    private final JsonPointer code;
    private final JsonPointer message;

    public ResponseClassifier(ResponseRules rules) {
        this.rules = Objects.requireNonNull(rules, "rules");
        this.code = rules.codePointer() == null ? null : JsonPointer.compile(rules.codePointer());
        this.message = rules.messagePointer() == null ? null : JsonPointer.compile(rules.messagePointer());
    }

    public ResponseRules rules() {
        return rules;
    }

    /** Judges an answer whose body is text (null or empty for none). */
    public Classification classify(int status, String body) {
        return judge(status, parse(body), body);
    }

    /** Judges an answer whose body the caller has already parsed (null for none or not JSON). */
    public Classification classify(int status, JsonNode body) {
        return judge(status, body, null);
    }

    /** A call that got no answer in time. */
    public static Classification timeout(String message) {
        return new Classification(ResponseOutcome.TIMEOUT, 0, null, message);
    }

    /** A call that failed without an answer (refused, reset, DNS, TLS). */
    public static Classification ioError(String message) {
        return new Classification(ResponseOutcome.IO_ERROR, 0, null, message);
    }

    private Classification judge(int status, JsonNode root, String text) {
        String bodyCode = root == null || code == null ? null : scalar(root.at(code));
        String bodyMessage = root == null || message == null ? null : scalar(root.at(message));
        ResponseOutcome outcome;
        if (status == 418) {
            outcome = ResponseOutcome.BANNED;
        } else if (status == 429) {
            outcome = ResponseOutcome.RATE_LIMITED;
        } else if (bodyCode != null && rules.rateLimitCodes().contains(bodyCode)) {
            outcome = ResponseOutcome.RATE_LIMITED;
        } else if ((status >= 500 && status < 600) || (bodyCode != null && rules.retryCodes().contains(bodyCode))) {
            outcome = ResponseOutcome.SERVER_ERROR;
        } else if (status < 200 || status >= 300) {
            outcome = ResponseOutcome.CLIENT_ERROR;
        } else if (bodyCode != null && !rules.okCodes().isEmpty() && !rules.okCodes().contains(bodyCode)) {
            outcome = ResponseOutcome.BODY_ERROR;
        } else {
            outcome = ResponseOutcome.OK;
        }
        String msg = bodyMessage;
        if (outcome == ResponseOutcome.OK) {
            msg = null;
        } else if (msg == null || msg.isEmpty()) {
            msg = excerpt(text != null ? text : root == null ? null : root.toString());
        }
        return new Classification(outcome, status, bodyCode, msg);
    }

    private static JsonNode parse(String body) {
        if (body == null) {
            return null;
        }
        int i = 0;
        while (i < body.length() && Character.isWhitespace(body.charAt(i))) {
            i++;
        }
        if (i == body.length() || (body.charAt(i) != '{' && body.charAt(i) != '[')) {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (Exception e) { // malformed or cut-short JSON: no body code
            return null;
        }
    }

    private static String scalar(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull() || n.isContainerNode()) {
            return null;
        }
        if (n.isNumber()) {
            return ResponseRules.code(n.numberValue());
        }
        String s = n.asText().trim();
        return s.isEmpty() ? null : s;
    }

    private static String excerpt(String text) {
        if (text == null) {
            return null;
        }
        String head = text.length() > 4 * EXCERPT ? text.substring(0, 4 * EXCERPT) : text;
        String s = head.strip().replaceAll("\\s+", " ");
        if (s.isEmpty()) {
            return null;
        }
        return s.length() <= EXCERPT ? s : s.substring(0, EXCERPT) + "...";
    }
}
