package io.marketetl.status;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one or more connector events change in a connector's {@code connector_status} row (and its
 * {@code api_connectors.status}), not yet written. Pure: no database, no clock, no threads. Changes of one connector
 * coalesce with {@link #then}: the later state wins (status, performance), counters add up, error lines append, so
 * that however many events arrive while the database is slow or away, a connector holds one pending change of bounded
 * size (error lines are capped at {@code errorLogChars} characters, the newest kept: the table keeps no more).
 *
 * @param registration the connector's definition to (re)register first (resets status to starting), or null
 * @param connectorStatus api_connectors.status (running, stopped), or null: unchanged
 * @param status connector_status.status, or null: unchanged
 * @param reconnectAttempts reconnect_attempts set to this before adding {@code reconnectIncrement}, or null: kept
 * @param reconnectIncrement added to reconnect_attempts (after the set, if any)
 * @param errorLines lines to append to error_log, oldest first (each already "instant message")
 * @param droppedErrorLines older lines dropped to keep {@code errorLines} within the bound
 * @param lastError last_error, the newest error line's instant, or null: unchanged
 * @param performance performance_metrics replacement, or null: unchanged
 */
public record StatusChange(Registration registration, String connectorStatus, String status,
        Integer reconnectAttempts, int reconnectIncrement, List<String> errorLines, int droppedErrorLines,
        Instant lastError, Map<String, Object> performance) {

    /** A connector's definition in api_connectors (WebSocket sources register themselves when their route starts). */
    public record Registration(String name, String url, String protocolType, String exchangeName) {
    }

    private static final StatusChange NONE = new StatusChange(null, null, null, null, 0, List.of(), 0, null, null);

    public StatusChange {
        errorLines = List.copyOf(errorLines);
    }

    public static StatusChange registered(Registration registration) {
        return new StatusChange(Objects.requireNonNull(registration), null, null, null, 0, List.of(), 0, null, null);
    }

    /** The runtime status (connecting, running, error, stopped, ...). */
    public static StatusChange status(String status) {
        return NONE.withStatus(status);
    }

    /** The route stopped: api_connectors.status and connector_status.status both {@code stopped}. */
    public static StatusChange stopped() {
        return new StatusChange(null, "stopped", "stopped", null, 0, List.of(), 0, null, null);
    }

    /** One more failed connection (WebSocket): reconnect_attempts + 1, status reconnecting. */
    public static StatusChange reconnectAttempt() {
        return new StatusChange(null, null, "reconnecting", null, 1, List.of(), 0, null, null);
    }

    /** reconnect_attempts set to {@code n} (an HTTP connector's consecutive failed calls). */
    public static StatusChange reconnectAttempts(int n) {
        return new StatusChange(null, null, null, n, 0, List.of(), 0, null, null);
    }

    public static StatusChange performance(Map<String, Object> metrics) {
        // a copy the caller cannot change any more; values may be null (JSON null)
        return new StatusChange(null, null, null, null, 0, List.of(), 0, null,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics)));
    }

    /** One error line (newlines flattened), stamped with {@code at}; also last_error. */
    public static StatusChange error(Instant at, String message) {
        return new StatusChange(null, null, null, null, 0, List.of(at + " " + message.replace('\n', ' ')), 0, at,
                null);
    }

    public StatusChange withStatus(String newStatus) {
        return new StatusChange(registration, connectorStatus, newStatus, reconnectAttempts, reconnectIncrement,
                errorLines, droppedErrorLines, lastError, performance);
    }

    /**
     * This change followed by {@code later}, as one change with the same effect on the row (associative, so changes
     * that failed to be written can be merged back in front of newer ones). A later registration resets what it
     * resets (the statuses); error lines beyond {@code errorLogChars} characters are dropped, oldest first.
     */
    public StatusChange then(StatusChange later, int errorLogChars) {
        Registration reg = later.registration != null ? later.registration : registration;
        String connector = later.connectorStatus != null || later.registration != null ? later.connectorStatus
                : connectorStatus;
        String st = later.status != null || later.registration != null ? later.status : status;
        Integer set = later.reconnectAttempts != null ? later.reconnectAttempts : reconnectAttempts;
        int increment = later.reconnectAttempts != null ? later.reconnectIncrement
                : reconnectIncrement + later.reconnectIncrement;
        Deque<String> lines = new ArrayDeque<>(errorLines);
        lines.addAll(later.errorLines);
        int dropped = droppedErrorLines + later.droppedErrorLines;
        long chars = 0;
        for (String l : lines) {
            chars += l.length() + 1;
        }
        while (lines.size() > 1 && chars - 1 > errorLogChars) {
            chars -= lines.removeFirst().length() + 1;
            dropped++;
        }
        Instant last = later.lastError != null ? later.lastError : lastError;
        Map<String, Object> perf = later.performance != null ? later.performance : performance;
        return new StatusChange(reg, connector, st, set, increment, List.copyOf(lines), dropped, last, perf);
    }

    /** Whether the change touches the connector_status row beyond its registration. */
    public boolean changesStatusRow() {
        return status != null || reconnectAttempts != null || reconnectIncrement != 0 || performance != null;
    }

    /** For the log line of changes a stop could not write: what they would have set. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        if (registration != null) {
            b.append("registration, ");
        }
        if (status != null) {
            b.append("status ").append(status).append(", ");
        }
        if (reconnectAttempts != null || reconnectIncrement != 0) {
            b.append("reconnect_attempts, ");
        }
        if (!errorLines.isEmpty()) {
            b.append(errorLines.size()).append(" error line(s), ");
        }
        if (performance != null) {
            b.append("performance_metrics, ");
        }
        return b.isEmpty() ? "nothing" : b.substring(0, b.length() - 2);
    }
}
