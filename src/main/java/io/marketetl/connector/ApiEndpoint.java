package io.marketetl.connector;

import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * {@code api:<connectorId>?url=...}: one HTTP API connector. Consumer only (use it in {@code from}). Options:
 * {@link ApiConfig}. The endpoint's URI carries the id only; the options stay in the configuration object, so that
 * no header value or credential shows in JMX, a log line or a route's endpoint list.
 */
@ManagedResource(description = "HTTP API connector")
@UriEndpoint(firstVersion = "0.2.0", scheme = "api", title = "HTTP API connector", syntax = "api:connectorId",
        consumerOnly = true, category = { Category.HTTP })
public class ApiEndpoint extends DefaultEndpoint {

    @UriPath(description = "Connector id (api_connectors.connector_id)")
    @Metadata(required = true)
    private final String connectorId;
    @UriParam
    private final ApiConfig config;
    private volatile ApiConsumer consumer;

    public ApiEndpoint(String uri, ApiComponent component, String connectorId, ApiConfig config) {
        super(uri, component);
        this.connectorId = connectorId;
        this.config = config;
    }

    @Override
    public ApiComponent getComponent() {
        return (ApiComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("api: is a consumer-only endpoint (use it in from)");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        ApiConsumer c = new ApiConsumer(this, processor);
        configureConsumer(c);
        this.consumer = c;
        return c;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        if (!config.isStored()) {
            // a route file's connector: refuse bad options when the route is created, naming them
            ConnectorValidation.require(definition(), getComponent().services().validation());
        }
    }

    /** The connector as declared by the options (not for stored connectors: those are read when the route starts). */
    ConnectorDefinition definition() {
        return config.toDefinition(connectorId);
    }

    public ApiConfig getConfig() {
        return config;
    }

    @ManagedAttribute(description = "Connector id")
    public String getConnectorId() {
        return connectorId;
    }

    @ManagedAttribute(description = "Calls made by the running connector")
    public long getCalls() {
        ApiConsumer c = consumer;
        return c == null || c.run() == null ? 0 : c.run().stats().calls();
    }

    @ManagedAttribute(description = "Ticks skipped (a call still running, a host's budget, back-off)")
    public long getSkippedTicks() {
        ApiConsumer c = consumer;
        return c == null || c.run() == null ? 0 : c.run().stats().skippedTicks();
    }
}
