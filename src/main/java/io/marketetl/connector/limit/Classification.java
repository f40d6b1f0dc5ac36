package io.marketetl.connector.limit;

import java.util.Objects;

/**
 * One HTTP call judged by {@link ResponseClassifier}.
 *
 * @param status  the HTTP status, 0 when there was no answer ({@link ResponseOutcome#TIMEOUT},
 *                {@link ResponseOutcome#IO_ERROR})
 * @param code    the body's code as text ({@code "50011"}, {@code "-1003"}), null when the rule has none or the body
 *                carries none
 * @param message the body's message, a short excerpt of a non-JSON error body, or the failure's message; null when
 *                there is nothing to say
 */
public record Classification(ResponseOutcome outcome, int status, String code, String message) {

    public Classification {
        Objects.requireNonNull(outcome, "outcome");
    }

    public boolean ok() {
        return outcome == ResponseOutcome.OK;
    }

    /** {@code rate_limited http=429 code=50011: Too Many Requests}, for logs and {@code connector_status}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(outcome.label());
        if (status != 0) {
            sb.append(" http=").append(status);
        }
        if (code != null) {
            sb.append(" code=").append(code);
        }
        if (message != null && !message.isEmpty()) {
            sb.append(": ").append(message);
        }
        return sb.toString();
    }
}
