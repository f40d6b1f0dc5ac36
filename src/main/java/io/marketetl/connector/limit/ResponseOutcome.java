package io.marketetl.connector.limit;

/** What one HTTP call came to, as {@link ResponseClassifier} judges it. */
public enum ResponseOutcome {
    /** 2xx and the body (if a body rule applies) says success */
    OK,
    /** HTTP 429, or a body-level rate-limit code (OKX 50011 with HTTP 200) */
    RATE_LIMITED,
    /** HTTP 418: Binance's automatic IP ban */
    BANNED,
    /** 5xx, or a body-level "try again later" code (OKX 50001, 50013, 50026) */
    SERVER_ERROR,
    /** any other status that is not 2xx (4xx, and 1xx/3xx that were not followed) */
    CLIENT_ERROR,
    /** 2xx, but the body's code is not one of the rule's ok codes */
    BODY_ERROR,
    /** no answer in time */
    TIMEOUT,
    /** no answer: connection refused or reset, DNS, TLS... */
    IO_ERROR;

    /** The outcome of a status alone, without a body rule. */
    public static ResponseOutcome ofStatus(int status) {
        if (status == 418) {
            return BANNED;
        }
        if (status == 429) {
            return RATE_LIMITED;
        }
        if (status >= 200 && status < 300) {
            return OK;
        }
        return status >= 500 && status < 600 ? SERVER_ERROR : CLIENT_ERROR;
    }

    /** Lower-case label for {@code connector_status} and metrics: {@code rate_limited}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
