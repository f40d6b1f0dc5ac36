package io.marketetl.source;

import io.marketetl.exchanges.ExchangeDialect;
import java.time.Instant;
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
 * {@code exchange:<sourceId>?dialect=...}: one exchange WebSocket source. Consumer only; every data frame becomes one
 * exchange with body {@link RawFrame} and headers {@value #HEADER_SOURCE_ID} and {@value #HEADER_DIALECT}. Options:
 * {@link SourceConfig}. Lifecycle counters of the running consumer are exposed here for monitoring.
 */
@ManagedResource(description = "Exchange WebSocket source")
@UriEndpoint(firstVersion = "0.1.0", scheme = "exchange", title = "Exchange WebSocket source",
        syntax = "exchange:sourceId", consumerOnly = true, category = { Category.NETWORKING })
public class ExchangeEndpoint extends DefaultEndpoint {

    /** Header: the source id. */
    public static final String HEADER_SOURCE_ID = "MarketEtlSourceId";
    /** Header: the dialect name (okx, binance, custom). */
    public static final String HEADER_DIALECT = "MarketEtlDialect";

    @UriPath(description = "Source id (connector id); also in the User-Agent header market-etl/<sourceId>")
    @Metadata(required = true)
    private final String sourceId;
    @UriParam
    private final SourceConfig config;
    private volatile ExchangeDialect dialect;
    private volatile ExchangeConsumer consumer;

    public ExchangeEndpoint(String uri, ExchangeComponent component, SourceConfig config) {
        super(uri, component);
        this.config = config;
        this.sourceId = config.getSourceId();
    }

    @Override
    public ExchangeComponent getComponent() {
        return (ExchangeComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("exchange: is a consumer-only endpoint (use it in from)");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        ExchangeConsumer c = new ExchangeConsumer(this, processor);
        configureConsumer(c);
        this.consumer = c;
        return c;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        config.validate();
        dialect = ExchangeDialect.create(config); // fails early on bad channels/instruments/url
        ExchangeConnection.validateUrl(dialect.connectUrl());
    }

    /** The dialect instance (built when the endpoint initialises). */
    public ExchangeDialect getDialect() {
        if (dialect == null) {
            dialect = ExchangeDialect.create(config.validate());
        }
        return dialect;
    }

    public SourceConfig getConfig() {
        return config;
    }

    @ManagedAttribute(description = "Source id")
    public String getSourceId() {
        return sourceId;
    }

    /** The consumer created last (null before the route starts). */
    public ExchangeConsumer getConsumer() {
        return consumer;
    }

    private ExchangeConnection connection() {
        ExchangeConsumer c = consumer;
        return c == null ? null : c.getConnection();
    }

    /** Data frames received by the running consumer. */
    @ManagedAttribute(description = "Data frames received")
    public long getFrames() {
        ExchangeConnection c = connection();
        return c == null ? 0 : c.dataFrames();
    }

    /** Reconnects of the running consumer. */
    @ManagedAttribute(description = "Reconnects scheduled")
    public long getReconnects() {
        ExchangeConnection c = connection();
        return c == null ? 0 : c.reconnects();
    }

    /** Time of the last data frame, or null. */
    public Instant getLastMessageTime() {
        ExchangeConnection c = connection();
        return c == null ? null : c.lastMessageAt();
    }

    /** Time of the last data frame as ISO-8601 text, or null (for JMX). */
    @ManagedAttribute(description = "Time of the last data frame")
    public String getLastMessageTimeText() {
        Instant t = getLastMessageTime();
        return t == null ? null : t.toString();
    }

    /** Frames waiting for the route. */
    @ManagedAttribute(description = "Frames waiting for the route")
    public int getQueueSize() {
        ExchangeConsumer c = consumer;
        return c == null ? 0 : c.getQueueSize();
    }

    /** Whether the running consumer has an open socket. */
    @ManagedAttribute(description = "Whether a WebSocket is open")
    public boolean isConnected() {
        ExchangeConnection c = connection();
        return c != null && c.isOpen();
    }
}
