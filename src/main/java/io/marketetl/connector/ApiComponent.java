package io.marketetl.connector;

import io.marketetl.EndpointOptions;
import io.marketetl.pipeline.PipelineMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.util.PropertiesHelper;

/**
 * Camel component {@code api}: an HTTP API connector, polled on a camel-quartz trigger and called through camel-http.
 * <pre>
 * api:&lt;connectorId&gt;?url=https://www.okx.com/api/v5/market/ticker&amp;query.instId={instrument}&amp;instruments=BTC-USDT&amp;interval=1000&amp;exchange=okx
 * </pre>
 * Consumer only; every answer becomes one exchange with body {@link ApiResponse}, which the shared normalise step turns
 * into {@code api_connector_data} rows. Options: {@link ApiConfig}; defaults for every endpoint:
 * {@code camel.component.api.defaults.<option>}. The runtime pieces every connector shares (the HTTP client with its
 * per-host budgets, the connector store, status and metrics) are the {@link ConnectorServices} bean.
 */
public class ApiComponent extends DefaultComponent {

    private final java.util.concurrent.ConcurrentMap<String, ConnectorMeters> meters =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Option prefixes taken out of the URI into maps (see {@link ApiConfig}). */
    static final String[] PREFIXES = { "header.", "query.", "credentials.", "rules." };

    @Metadata(description = "Defaults for every endpoint of this component")
    private ApiConfig defaults = new ApiConfig();

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("api: needs a connector id: api:<connectorId>?url=...");
        }
        ApiConfig config = defaults.copy();
        Map<String, String> header = strings(PropertiesHelper.extractProperties(parameters, "header."));
        Map<String, String> query = strings(PropertiesHelper.extractProperties(parameters, "query."));
        Map<String, String> credentials = strings(PropertiesHelper.extractProperties(parameters, "credentials."));
        Map<String, String> rules = strings(PropertiesHelper.extractProperties(parameters, "rules."));
        EndpointOptions.bind(getCamelContext(), config, parameters);
        config.getHeader().putAll(resolved(header));
        config.getQuery().putAll(resolved(query));
        config.getCredentials().putAll(resolved(credentials));
        config.getRules().putAll(rules);
        ApiEndpoint endpoint = new ApiEndpoint(publicUri(remaining, config), this, remaining, config);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** The endpoint's URI as Camel shows it (JMX, logs): the id and the URL, never a credential or a header value. */
    static String publicUri(String connectorId, ApiConfig config) {
        return "api:" + connectorId + (config.isStored() ? "?stored=true" : "");
    }

    /**
     * Resolves the placeholders {@link PlaceholderGuard} kept from Camel (it encodes them in the route model so that
     * no route dump shows the secret they stand for).
     */
    private Map<String, String> resolved(Map<String, String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            String text = PlaceholderGuard.decode(v);
            out.put(k, text.contains("{{") ? getCamelContext().resolvePropertyPlaceholders(text) : text);
        });
        return out;
    }

    private static Map<String, String> strings(Map<String, Object> raw) {
        Map<String, String> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k, v == null ? "" : String.valueOf(v)));
        return out;
    }

    public ApiConfig getDefaults() {
        return defaults;
    }

    public void setDefaults(ApiConfig defaults) {
        this.defaults = defaults;
    }

    /** Per connector, created once: the meters outlive its runs. */
    ConnectorMeters meters(String connectorId) {
        return meters.computeIfAbsent(connectorId, id -> {
            MeterRegistry registry = PipelineMetrics.applicationRegistry(getCamelContext());
            return registry == null ? ConnectorMeters.NONE : new ConnectorMeters(registry, id);
        });
    }

    /** The shared connector services (registry bean {@value ConnectorServices#BEAN}). */
    ConnectorServices services() {
        ConnectorServices s = getCamelContext().getRegistry().lookupByNameAndType(ConnectorServices.BEAN,
                ConnectorServices.class);
        if (s == null) {
            throw new IllegalStateException("api: endpoints need the " + ConnectorServices.BEAN + " bean");
        }
        return s;
    }
}
