package io.marketetl.status;

import io.marketetl.source.ExchangeEndpoint;
import io.marketetl.source.RedactedUrl;
import java.sql.SQLException;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.CamelEvent.RouteEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connectors' registration in {@code api_connectors}, by route events. HTTP connectors ({@code api:}) register
 * themselves when their consumer starts (a REST API connector's definition is read from the table then); this
 * notifier does it for the WebSocket sources: it registers every route that reads an {@code exchange:} source in {@code api_connectors} (protocol WebSocket, with
 * its exchange and URL, credentials redacted) when it starts, so that each YAML source file is a connector an operator can see, and marks
 * it stopped when its route stops (a route file edited away, or shutdown).
 */
public class ConnectorRegistry extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorRegistry.class);

    private final ConnectorStatusStore store;

    public ConnectorRegistry(ConnectorStatusStore store) {
        this.store = store;
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.RouteStartedEvent || event instanceof CamelEvent.RouteStoppedEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        Route route = ((RouteEvent) event).getRoute();
        Endpoint endpoint = route.getEndpoint();
        if (!(endpoint instanceof ExchangeEndpoint source)) {
            return;
        }
        String id = source.getSourceId();
        try {
            if (event instanceof CamelEvent.RouteStartedEvent) {
                String name = route.getDescription() != null ? route.getDescription() : route.getRouteId();
                String url = RedactedUrl.of(source.getDialect().connectUrl());
                store.register(id, name, url, "WebSocket", source.getDialect().exchange());
                LOG.info("Source {} ({} {}) registered in api_connectors", id, source.getDialect().exchange(), url);
            } else {
                store.connectorStatus(id, "stopped");
                store.status(id, "stopped");
            }
        } catch (SQLException e) {
            LOG.warn("Could not record source {} in api_connectors/connector_status: {}", id, e.getMessage());
        }
    }
}
