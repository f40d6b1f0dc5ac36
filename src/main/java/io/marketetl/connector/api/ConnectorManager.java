package io.marketetl.connector.api;

import io.marketetl.connector.ConnectorDefinition;
import io.marketetl.connector.ConnectorStore;
import java.sql.SQLException;
import java.util.List;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the REST API's connectors: each one a route made from the {@value #TEMPLATE} template (route id = connector
 * id), added and removed at run time, so start, stop, update and delete take effect without a restart. At start-up
 * the connectors whose desired status is running are started again ({@link #resumeAll()}). One lock: lifecycle
 * operations of the API run one at a time.
 */
public final class ConnectorManager {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorManager.class);
    public static final String TEMPLATE = "api-connector";

    private final CamelContext camelContext;
    private final ConnectorStore store;

    public ConnectorManager(CamelContext camelContext, ConnectorStore store) {
        this.camelContext = camelContext;
        this.store = store;
    }

    public synchronized boolean isRunning(String id) {
        Route r = camelContext.getRoute(id);
        return r != null && camelContext.getRouteController().getRouteStatus(id).isStarted();
    }

    /** Whether a route of that id exists that is not one of ours (a route file's source or connector). */
    public synchronized boolean isTakenByAnotherRoute(String id) {
        Route r = camelContext.getRoute(id);
        return r != null && !TEMPLATE.equals(r.getProperties().get(Route.TEMPLATE_PROPERTY));
    }

    /** Starts the connector's route (desired status running); a no-op when it runs. */
    public synchronized void start(String id) throws Exception {
        store.desiredStatus(id, "running");
        if (camelContext.getRoute(id) == null) {
            TemplatedRouteBuilder.builder(camelContext, TEMPLATE).routeId(id).parameter("connectorId", id).add();
        } else {
            camelContext.getRouteController().startRoute(id);
        }
    }

    /** Stops and removes the connector's route (desired status stopped). */
    public synchronized void stop(String id) throws Exception {
        remove(id);
        store.desiredStatus(id, "stopped");
    }

    /** A running connector restarts with its new definition. */
    public synchronized void restartIfRunning(String id) throws Exception {
        if (camelContext.getRoute(id) != null) {
            remove(id);
            start(id);
        }
    }

    /** Removes the route, if any, without touching the desired status. */
    public synchronized void remove(String id) throws Exception {
        if (camelContext.getRoute(id) != null) {
            camelContext.getRouteController().stopRoute(id);
            camelContext.removeRoute(id);
        }
    }

    /** Starts every REST-API connector whose desired status is running (after a restart). */
    public synchronized void resumeAll() throws SQLException {
        List<String> ids = store.toResume();
        for (String id : ids) {
            try {
                start(id);
            } catch (Exception e) {
                LOG.error("Connector {} could not be resumed: {}", id, e.getMessage());
                store.desiredStatus(id, "error");
            }
        }
        if (!ids.isEmpty()) {
            LOG.info("Resumed {} connector(s) registered through the REST API: {}", ids.size(), ids);
        }
    }

    /** The definition to show (never used to run: the route reads it from the store itself). */
    public ConnectorDefinition definition(String id) throws SQLException {
        return store.find(id).orElse(null);
    }
}
