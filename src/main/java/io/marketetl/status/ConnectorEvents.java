package io.marketetl.status;

import java.util.Map;

/**
 * What any connector tells its {@code connector_status} row, whatever its protocol: WebSocket sources through their
 * lifecycle events ({@link io.marketetl.source.SourceEvents}, which {@link ConnectorStatusEvents} maps onto these),
 * HTTP connectors directly. Best effort: the status describes the data, it is not the data.
 */
public interface ConnectorEvents {

    /** The runtime status (connecting, running, error, rate_limited, banned, stopped, ...) and, when given, an error line. */
    void status(String connectorId, String status, String errorLine);

    /** reconnect_attempts: consecutive failed connections (WebSocket) or calls (HTTP). */
    void failures(String connectorId, int consecutive);

    /** Replaces performance_metrics. */
    void performance(String connectorId, Map<String, Object> metrics);
}
