package io.marketetl.connector;

import java.util.Date;
import org.apache.camel.CamelContext;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.spi.NormalizedEndpointUri;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.service.ServiceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one connector: a camel-quartz consumer (simple trigger every {@code interval} ms, or a cron trigger) whose
 * ticks make the calls ({@link ConnectorRun}); each answer is processed by the route in the tick's thread, so a slow
 * pipeline holds the tick (and the next one is skipped as {@code busy}), never piles answers up in memory.
 */
public class ApiConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ApiConsumer.class);

    private volatile ConnectorRun run;
    private Consumer trigger;
    private Endpoint quartz;

    public ApiConsumer(ApiEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public ApiEndpoint getEndpoint() {
        return (ApiEndpoint) super.getEndpoint();
    }

    ConnectorRun run() {
        return run;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        ApiEndpoint endpoint = getEndpoint();
        ConnectorServices services = endpoint.getComponent().services();
        String id = endpoint.getConnectorId();
        ConnectorDefinition definition;
        if (endpoint.getConfig().isStored()) {
            definition = services.store().find(id).orElseThrow(
                    () -> new IllegalStateException("connector " + id + " is not in api_connectors"));
        } else {
            definition = endpoint.definition();
            services.store().registerFromRoute(definition);
        }
        ConnectorValidation.require(definition, services.validation());
        ConnectorRun r = new ConnectorRun(definition, services, endpoint.getComponent().meters(id), this::deliver);
        run = r;
        // a trigger of this run's own (named after the session): a stopped run's trigger is paused by Quartz and
        // its endpoint removed below, so a restarted connector never inherits a paused or stale trigger
        quartz = registeredThenStarted(endpoint.getCamelContext(), triggerUri(definition, r.sessionId()));
        trigger = quartz.createConsumer(exchange -> {
            Date scheduled = exchange.getIn().getHeader("scheduledFireTime", Date.class);
            r.tick(scheduled == null ? 0 : scheduled.getTime());
        });
        ServiceHelper.startService(trigger);
        services.status().status(id, "running", null);
        LOG.info("Connector {} ({} {}{}) running, session {}", id, definition.httpMethod(), redact(definition.apiUrl()),
                definition.cron() != null ? ", cron " + definition.cron() : ", every " + definition.pollingInterval() + " ms",
                r.sessionId());
    }

    /**
     * The run's Quartz endpoint, put in the context's endpoint registry before it starts. A QuartzEndpoint schedules its
     * job when it starts, and {@code CamelContext.getEndpoint} starts an endpoint before it registers it: a first fire
     * in between (the trigger starts at once) found no endpoint, so camel-quartz's {@code CamelJob} created a second
     * one without a consumer, which took the registry's place and received every later fire: the connector showed
     * running and never called again.
     */
    static Endpoint registeredThenStarted(CamelContext context, String uri) throws Exception {
        // the normalised form (quartz://group/name?sorted options), as getEndpoint would pass it: the component reads
        // the trigger's group and name from it (without "//" every connector's trigger got the same key)
        NormalizedEndpointUri normalized = context.getCamelContextExtension().normalizeUri(uri);
        Endpoint created = context.getComponent("quartz").createEndpoint(normalized.getUri());
        context.getEndpointRegistry().put(normalized, created);
        ServiceHelper.startService(created);
        return created;
    }

    static String triggerUri(ConnectorDefinition d, String session) {
        String name = "quartz:market-etl-connectors/" + d.connectorId() + "-" + session;
        if (d.cron() != null) {
            return name + "?cron=" + d.cron().strip().replace(' ', '+') + "&triggerStartDelay=0";
        }
        return name + "?trigger.repeatInterval=" + d.pollingInterval() + "&trigger.repeatCount=-1&triggerStartDelay=0";
    }

    /** The URL without its query string (which may hold a key). */
    static String redact(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q) + "?...";
    }

    private void deliver(ApiResponse response) {
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setBody(response);
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        try {
            if (exchange.getException() != null) {
                getExceptionHandler().handleException("Error processing an answer of connector "
                        + response.connectorId(), exchange, exchange.getException());
            }
        } finally {
            releaseExchange(exchange, false);
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (trigger != null) {
            ServiceHelper.stopAndShutdownService(trigger);
            trigger = null;
        }
        if (quartz != null) {
            getEndpoint().getCamelContext().removeEndpoint(quartz); // deletes the run's Quartz job
            quartz = null;
        }
        ConnectorRun r = run;
        if (r != null) {
            ConnectorServices services = getEndpoint().getComponent().services();
            if (!r.stop(services.settings().stopTimeoutMs())) {
                LOG.warn("Connector {}: a call still runs after {} ms; stopping without it", r.definition().connectorId(),
                        services.settings().stopTimeoutMs());
            }
            services.status().performance(r.definition().connectorId(), r.performance(services.clock().millis()));
            services.status().status(r.definition().connectorId(), "stopped", null);
        }
        super.doStop();
    }
}
