package io.marketetl.source;

import io.marketetl.EndpointOptions;
import io.marketetl.pipeline.PipelineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.support.DefaultComponent;

/**
 * Camel component {@code exchange}: a robust WebSocket source for crypto-exchange market data.
 * <pre>
 * exchange:&lt;sourceId&gt;?dialect=okx|binance|custom&amp;channels=trades,tickers&amp;instruments=BTC-USDT,ETH-USDT&amp;url=...
 * </pre>
 * Consumer only. Every endpoint option is described in {@link SourceConfig}. Defaults for all endpoints can be set on
 * the component: {@code camel.component.exchange.defaults.ping-interval-ms=15000} (application.properties maps the
 * {@code market-etl.source.*} settings there).
 * <p>
 * In a YAML route file:
 * <pre>
 * - route:
 *     id: okx-trades
 *     from:
 *       uri: exchange:okx-main
 *       parameters:
 *         dialect: okx
 *         url: "{{market-etl.okx.ws-url}}"
 *         channels: trades,tickers
 *         instruments: BTC-USDT,ETH-USDT
 *         events: "#connectorStatus"
 *       steps:
 *         - process:
 *             ref: normalise
 *         - to: direct:stamp
 * </pre>
 * Every data frame becomes one exchange with body {@link RawFrame} (headers {@link ExchangeEndpoint#HEADER_SOURCE_ID},
 * {@link ExchangeEndpoint#HEADER_DIALECT}); the {@code normalise} bean turns it into {@code List<MarketMessage>}.
 * <p>
 * The component owns one Vert.x instance (created on start, closed on stop) unless one is set with
 * {@link #setVertx(Vertx)} ({@code camel.component.exchange.vertx=#myVertx}).
 */
public class ExchangeComponent extends DefaultComponent {

    @Metadata(description = "Defaults for every endpoint of this component")
    private SourceConfig defaults = new SourceConfig();
    @Metadata(label = "advanced", description = "Vert.x instance to use; default: one owned by the component")
    private Vertx vertx;
    private boolean ownsVertx;
    private final ConnectGate connectGate = new ConnectGate();
    private final java.util.concurrent.ConcurrentMap<String, ExchangeConsumer> running =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Per source, created once: the meters outlive restarts and reloads of the source's route. */
    private final java.util.concurrent.ConcurrentMap<String, SourceMeters> meters =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        SourceConfig config = defaults.copy();
        config.setSourceId(remaining);
        ExchangeEndpoint endpoint = new ExchangeEndpoint(uri, this, config);
        // source options live on the configuration object; the rest (bridgeErrorHandler, ...) on the endpoint
        EndpointOptions.bind(getCamelContext(), config, parameters);
        setProperties(endpoint, parameters);
        config.validate();
        return endpoint;
    }

    /** The Vert.x instance used by this component's sources (created on first use if none was set). */
    public synchronized Vertx getOrCreateVertx() {
        if (vertx == null) {
            vertx = Vertx.vertx();
            ownsVertx = true;
        }
        return vertx;
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        Vertx v;
        synchronized (this) {
            v = ownsVertx ? vertx : null;
            if (ownsVertx) {
                vertx = null;
                ownsVertx = false;
            }
        }
        if (v != null) {
            v.close().toCompletionStage().toCompletableFuture().get();
        }
    }

    /**
     * Registers a starting consumer as the only one of its source id: one source, one socket, even when two routes
     * (or two URIs differing only in options) name the same source.
     *
     * @throws IllegalStateException when another consumer of that source id is running
     */
    void claim(String sourceId, ExchangeConsumer consumer) {
        ExchangeConsumer other = running.putIfAbsent(sourceId, consumer);
        if (other != null && other != consumer) {
            throw new IllegalStateException("exchange source '" + sourceId + "' is already running (route "
                    + other.getRouteId() + "); source ids must be unique");
        }
    }

    void release(String sourceId, ExchangeConsumer consumer) {
        running.remove(sourceId, consumer);
    }

    /**
     * The meters of a source, in the application's Micrometer registry (bean {@code metricsRegistry}, the one behind
     * /observe/metrics); counting nothing when there is none.
     */
    SourceMeters meters(String sourceId) {
        return meters.computeIfAbsent(sourceId, id -> {
            MeterRegistry registry = PipelineMetrics.applicationRegistry(getCamelContext());
            return registry == null ? SourceMeters.none(id) : new SourceMeters(registry, id);
        });
    }

    /** The consumers running now, by source id. */
    public java.util.Collection<ExchangeConsumer> runningConsumers() {
        return java.util.List.copyOf(running.values());
    }

    /** Spaces connection attempts to one host across this component's sources. */
    public ConnectGate getConnectGate() {
        return connectGate;
    }

    public SourceConfig getDefaults() {
        return defaults;
    }

    public void setDefaults(SourceConfig defaults) {
        this.defaults = defaults;
    }

    public synchronized Vertx getVertx() {
        return vertx;
    }

    public synchronized void setVertx(Vertx vertx) {
        this.vertx = vertx;
        this.ownsVertx = false;
    }
}
