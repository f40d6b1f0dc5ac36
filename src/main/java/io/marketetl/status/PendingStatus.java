package io.marketetl.status;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The status changes not yet written, one coalesced {@link StatusChange} per connector (latest state wins, see
 * {@link StatusChange#then}): memory is bounded by the number of connectors, not by the number of events or the
 * length of an outage. Pure and not thread-safe: {@link ConnectorStatusWriter} holds it under its lock.
 */
final class PendingStatus {

    private final int errorLogChars;
    private final Map<String, StatusChange> pending = new LinkedHashMap<>();

    PendingStatus(int errorLogChars) {
        this.errorLogChars = errorLogChars;
    }

    /** A new change of the connector, after whatever it has pending. */
    void add(String connectorId, StatusChange change) {
        pending.merge(connectorId, change, (older, newer) -> older.then(newer, errorLogChars));
    }

    /** A change taken for writing that could not be written: it goes back in front of anything newer. */
    void putBack(String connectorId, StatusChange unwritten) {
        pending.merge(connectorId, unwritten, (newer, older) -> older.then(newer, errorLogChars));
    }

    /** Everything pending, in the order the connectors first had something pending; leaves this empty. */
    Map<String, StatusChange> takeAll() {
        Map<String, StatusChange> all = new LinkedHashMap<>(pending);
        pending.clear();
        return all;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    boolean has(String connectorId) {
        return pending.containsKey(connectorId);
    }

    Set<String> connectors() {
        return Set.copyOf(pending.keySet());
    }

    Map<String, StatusChange> view() {
        return Map.copyOf(pending);
    }
}
