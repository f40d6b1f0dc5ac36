package io.marketetl.status;

import io.marketetl.source.SourceEvents;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of {@code connector_status} for connectors' events: the WebSocket sources' connection lifecycle (bean
 * {@code connectorStatus}, set on source endpoints as {@code events: "#connectorStatus"}) and the HTTP connectors'
 * calls ({@link ConnectorEvents}). (The loader advances the progress columns in its own transaction, with the rows.) Calls arrive on each source's own event thread, so a
 * slow database delays only that source's status, never its data. A failed status write is logged (once per
 * outage) and left to the next event: the status describes the data, it is not the data.
 */
public class ConnectorStatusEvents implements SourceEvents, ConnectorEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorStatusEvents.class);

    private final ConnectorStatusStore store;
    private volatile boolean failing;

    public ConnectorStatusEvents(ConnectorStatusStore store) {
        this.store = store;
    }

    @Override
    public void connecting(String sourceId, int attempt) {
        write(sourceId, () -> store.status(sourceId, "connecting"));
    }

    @Override
    public void connected(String sourceId) {
        write(sourceId, () -> store.status(sourceId, "connected"));
    }

    @Override
    public void subscribed(String sourceId) {
        write(sourceId, () -> store.status(sourceId, "running"));
    }

    @Override
    public void disconnected(String sourceId, String reason, Integer closeCode) {
        if ("stopped".equals(reason)) {
            return; // the registry marks a stopped route
        }
        String line = "disconnected: " + reason + (closeCode == null ? "" : " (close code " + closeCode + ")");
        write(sourceId, () -> {
            store.status(sourceId, "disconnected");
            store.error(sourceId, Instant.now(), line);
        });
    }

    @Override
    public void reconnectScheduled(String sourceId, Duration delay, int attempt) {
        write(sourceId, () -> store.reconnectAttempt(sourceId));
    }

    @Override
    public void staleDetected(String sourceId, String stream) {
        write(sourceId, () -> {
            store.status(sourceId, "stale");
            store.error(sourceId, Instant.now(), "stale: no data on " + stream + "; reconnecting");
        });
    }

    @Override
    public void error(String sourceId, String message) {
        write(sourceId, () -> store.error(sourceId, Instant.now(), message));
    }

    @Override
    public void status(String connectorId, String status, String errorLine) {
        write(connectorId, () -> {
            store.status(connectorId, status);
            if (errorLine != null) {
                store.error(connectorId, Instant.now(), errorLine);
            }
        });
    }

    @Override
    public void failures(String connectorId, int consecutive) {
        write(connectorId, () -> store.reconnectAttempts(connectorId, consecutive));
    }

    @Override
    public void performance(String connectorId, java.util.Map<String, Object> metrics) {
        write(connectorId, () -> store.performance(connectorId, metrics));
    }

    private interface Write {
        void run() throws SQLException;
    }

    private void write(String sourceId, Write write) {
        try {
            write.run();
            if (failing) {
                failing = false;
                LOG.info("Connector status updates work again");
            }
        } catch (SQLException | RuntimeException e) {
            if (!failing) {
                failing = true;
                LOG.warn("Could not update connector_status of {} ({}); status updates resume with the next event",
                        sourceId, e.getMessage());
            }
        }
    }
}
