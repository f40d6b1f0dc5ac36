package io.marketetl.rest;

import java.util.List;

/** A failed REST request: the status to answer, why, and (for a 400) each bad field or parameter. */
public final class ApiError extends RuntimeException {

    private final int status;
    private final List<String> problems;

    public ApiError(int status, String message, List<String> problems) {
        super(message, null, false, false);
        this.status = status;
        this.problems = List.copyOf(problems);
    }

    public ApiError(int status, String message) {
        this(status, message, List.of());
    }

    public int status() {
        return status;
    }

    public List<String> problems() {
        return problems;
    }
}
