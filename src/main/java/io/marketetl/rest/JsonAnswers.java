package io.marketetl.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.marketetl.exchanges.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How every REST operation answers: its result as JSON with the status, or its {@link ApiError} as
 * {@code {"error":..,"problems":[..]}}; anything else is a 500 that names only the exception's class (the details
 * go to the log, never to the caller).
 */
public final class JsonAnswers {

    private static final Logger LOG = LoggerFactory.getLogger(JsonAnswers.class);

    /** One REST operation: the answer's body (null for a 204). */
    public interface Operation {
        Object run() throws Exception;
    }

    /** Maps an exception other than {@link ApiError} to one (or returns null: a 500). */
    public interface ErrorMapper {
        ApiError map(Exception e);
    }

    private JsonAnswers() {
    }

    public static void answer(Exchange exchange, int okStatus, Operation op) {
        answer(exchange, okStatus, op, e -> null);
    }

    public static void answer(Exchange exchange, int okStatus, Operation op, ErrorMapper mapper) {
        int status = okStatus;
        Object body;
        try {
            body = op.run();
        } catch (Exception e) {
            ApiError error = e instanceof ApiError a ? a : mapper.map(e);
            if (error != null) {
                status = error.status();
                Map<String, Object> err = new LinkedHashMap<>();
                err.put("error", error.getMessage());
                if (!error.problems().isEmpty()) {
                    err.put("problems", error.problems());
                }
                body = err;
            } else {
                LOG.error("REST API: {} failed: {}", exchange.getIn().getHeader(Exchange.HTTP_URI), e.toString());
                status = 500;
                body = Map.of("error", "internal error: " + e.getClass().getSimpleName());
            }
        }
        var out = exchange.getMessage();
        Object challenge = out.getHeader(ApiToken.CHALLENGE_HEADER);
        out.removeHeaders("*");
        if (status == 401 && challenge != null) {
            out.setHeader(ApiToken.CHALLENGE_HEADER, challenge);
        }
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        if (status == 204) {
            out.setBody("");
            return;
        }
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        try {
            out.setBody(Json.MAPPER.writeValueAsString(body));
        } catch (JsonProcessingException e) {
            out.setHeader(Exchange.HTTP_RESPONSE_CODE, 500);
            out.setBody("{\"error\":\"could not write the answer\"}");
        }
    }
}
