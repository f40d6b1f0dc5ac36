package io.marketetl.status;

import io.marketetl.source.SourceEvents;
import java.time.Duration;
import java.time.Instant;

/**
 * Maps connectors' events onto their {@code connector_status} row: the WebSocket sources' connection lifecycle (bean
 * {@code connectorStatus}, set on source endpoints as {@code events: "#connectorStatus"}) and the HTTP connectors'
 * calls ({@link ConnectorEvents}). (The loader advances the progress columns in its own transaction, with the rows.)
 * Each event becomes a {@link StatusChange} handed to the {@link ConnectorStatusWriter}, the one writer of those rows,
 * so the calling thread (a source's event thread, a connector's call) never waits for the database: the status
 * describes the data, it is not the data.
 */
public class ConnectorStatusEvents implements SourceEvents, ConnectorEvents {

    private final ConnectorStatusWriter writer;

    public ConnectorStatusEvents(ConnectorStatusWriter writer) {
        this.writer = writer;
    }

    @Override
    public void connecting(String sourceId, int attempt) {
        writer.submit(sourceId, StatusChange.status("connecting"));
    }

    @Override
    public void connected(String sourceId) {
        writer.submit(sourceId, StatusChange.status("connected"));
    }

    @Override
    public void subscribed(String sourceId) {
        writer.submit(sourceId, StatusChange.status("running"));
    }

    @Override
    public void disconnected(String sourceId, String reason, Integer closeCode) {
        if ("stopped".equals(reason)) {
            return; // the registry marks a stopped route
        }
        String line = "disconnected: " + reason + (closeCode == null ? "" : " (close code " + closeCode + ")");
        writer.submit(sourceId, StatusChange.error(Instant.now(), line).withStatus("disconnected"));
    }

    @Override
    public void reconnectScheduled(String sourceId, Duration delay, int attempt) {
        writer.submit(sourceId, StatusChange.reconnectAttempt());
    }

    @Override
    public void staleDetected(String sourceId, String stream) {
        writer.submit(sourceId, StatusChange.error(Instant.now(), "stale: no data on " + stream + "; reconnecting")
                .withStatus("stale"));
    }

    @Override
    public void error(String sourceId, String message) {
        writer.submit(sourceId, StatusChange.error(Instant.now(), message));
    }

    @Override
    public void status(String connectorId, String status, String errorLine) {
        StatusChange change = errorLine == null ? StatusChange.status(status)
                : StatusChange.error(Instant.now(), errorLine).withStatus(status);
        writer.submit(connectorId, change);
    }

    @Override
    public void failures(String connectorId, int consecutive) {
        writer.submit(connectorId, StatusChange.reconnectAttempts(consecutive));
    }

    @Override
    public void performance(String connectorId, java.util.Map<String, Object> metrics) {
        writer.submit(connectorId, StatusChange.performance(metrics));
    }
}
