package io.marketetl.status;

import io.marketetl.source.ExchangeEndpoint;
import io.marketetl.source.RedactedUrl;
import java.time.Duration;
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
 * it stopped when its route stops (a route file edited away, or shutdown). Both go through the
 * {@link ConnectorStatusWriter}: a route's stop never waits for the database; its start waits for its registration at
 * most {@code registrationWait}.
 */
public class ConnectorRegistry extends EventNotifierSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorRegistry.class);

    private final ConnectorStatusWriter writer;
    private final Duration registrationWait;

    /**
     * @param registrationWait how long a starting route waits for its registration to be written (so that its first
     *        batch finds its status row); never longer, whatever the database does
     */
    public ConnectorRegistry(ConnectorStatusWriter writer, Duration registrationWait) {
        this.writer = writer;
        this.registrationWait = registrationWait;
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
        if (event instanceof CamelEvent.RouteStartedEvent) {
            String name = route.getDescription() != null ? route.getDescription() : route.getRouteId();
            String url = RedactedUrl.of(source.getDialect().connectUrl());
            writer.submit(id, StatusChange.registered(new StatusChange.Registration(name, url, "WebSocket",
                    source.getDialect().exchange())));
            if (writer.awaitWritten(id, registrationWait)) {
                LOG.info("Source {} ({} {}) registered in api_connectors", id, source.getDialect().exchange(), url);
            } else {
                LOG.warn("Source {} ({} {}): its registration in api_connectors is not written yet (database slow or"
                        + " away); it is written when the database takes it", id, source.getDialect().exchange(), url);
            }
        } else {
            writer.submit(id, StatusChange.stopped());
        }
    }
}
