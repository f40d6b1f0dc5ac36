package io.marketetl.connector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * Every option of an {@code api:<connectorId>} endpoint: one HTTP API connector, polled on a Quartz trigger. The
 * component holds one instance as defaults ({@code camel.component.api.defaults.<option>}, set from the
 * {@code market-etl.connector.*} settings in application.properties, where the tunables' defaults are written); each
 * endpoint starts from a copy. The {@code description} of each {@link UriParam} is the option's documentation: the
 * README table is generated from it ({@link io.marketetl.EndpointOptionsTable}).
 * <p>
 * Prefixed option groups (any number of each): {@code header.<Name>}, {@code query.<name>}, {@code credentials.<field>}
 * and {@code rules.<field>} (response rules). Credential values are taken out of the endpoint's URI, so that they
 * appear in no log, route dump or MBean; write them as {@code {{env:NAME}}} placeholders, never as literals.
 */
@UriParams
public class ApiConfig implements Cloneable {

    @UriParam(description = "URL to call (http or https); `{instrument}` in it or in a `query.` value makes one call per"
            + " instrument of `instruments` on each tick", label = "request")
    @Metadata(required = true)
    private String url = "";
    @UriParam(description = "HTTP method", defaultValue = "GET", label = "request")
    private String method = "GET";
    @UriParam(description = "Human name stored in api_connectors.name; default: the connector id", label = "request")
    private String name = "";
    @UriParam(description = "`header.<Name>`: a request header (any number)", label = "request", prefix = "header.",
            multiValue = true)
    private Map<String, String> header = new LinkedHashMap<>();
    @UriParam(description = "`query.<name>`: a query parameter, appended in order (any number)", label = "request",
            prefix = "query.", multiValue = true)
    private Map<String, String> query = new LinkedHashMap<>();
    @UriParam(description = "Milliseconds between calls (Quartz simple trigger); see also `cron`", label = "schedule")
    private long interval;
    @UriParam(description = "Quartz cron expression instead of `interval`, e.g. `0/5 * * * * ?`", label = "schedule")
    private String cron = "";
    @UriParam(description = "Exchange module (okx, binance): its symbols, rate limits, error rules and endpoint"
            + " defaults apply; stored as the rows' exchange", label = "exchange")
    private String exchange = "";
    @UriParam(description = "Comma list of instruments for `{instrument}`, in any form (`BTC-USDT`, `BTCUSDT`); each"
            + " becomes the exchange's REST symbol", label = "exchange")
    private String instruments = "";
    @UriParam(description = "None, ApiKey, Bearer, Basic, BinanceHmac or OkxHmac", defaultValue = "None",
            label = "auth")
    private String authType = "None";
    @UriParam(description = "`credentials.<field>`: the auth type's fields (ApiKey: in, name, value; Bearer: token;"
            + " Basic: username, password; BinanceHmac: api_key, secret; OkxHmac: api_key, secret, passphrase)",
            label = "auth", prefix = "credentials.", multiValue = true, secret = true)
    private Map<String, String> credentials = new LinkedHashMap<>();
    @UriParam(description = "JSON pointer to an array whose every element becomes one row; default: the exchange's"
            + " for a known endpoint, else the body is one row", label = "extract")
    private String itemsPointer;
    @UriParam(description = "JSON pointer (in the item) to the instrument", label = "extract")
    private String instrumentPointer;
    @UriParam(description = "JSON pointer (in the item) to the price", label = "extract")
    private String pricePointer;
    @UriParam(description = "JSON pointer (in the item) to the data's time", label = "extract")
    private String timestampPointer;
    @UriParam(description = "Unit of that time: ms, s, us, ns or iso", defaultValue = "ms", label = "extract")
    private String timestampUnit;
    @UriParam(description = "The rows' message_type", defaultValue = "api_response", label = "extract")
    private String messageType;
    @UriParam(description = "`rules.<field>`: how the body reports errors (code_pointer, ok_codes, rate_limit_codes,"
            + " retry_codes, message_pointer; lists comma-separated); default: the exchange's", label = "errors",
            prefix = "rules.", multiValue = true)
    private Map<String, String> rules = new LinkedHashMap<>();
    @UriParam(description = "Read this connector's definition from api_connectors (the REST API's connectors)",
            label = "advanced")
    private boolean stored;

    public ApiConfig copy() {
        try {
            ApiConfig c = (ApiConfig) clone();
            c.header = new LinkedHashMap<>(header);
            c.query = new LinkedHashMap<>(query);
            c.credentials = new LinkedHashMap<>(credentials);
            c.rules = new LinkedHashMap<>(rules);
            return c;
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The connector these options describe (origin yaml); checked by {@link ConnectorValidation}. */
    public ConnectorDefinition toDefinition(String connectorId) {
        Map<String, Object> ruleMap = null;
        if (!rules.isEmpty()) {
            ruleMap = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : rules.entrySet()) {
                ruleMap.put(e.getKey(), e.getKey().endsWith("_codes") ? split(e.getValue()) : e.getValue());
            }
        }
        return new ConnectorDefinition(connectorId, name.isEmpty() ? connectorId : name, url, method,
                Map.copyOf(header), new LinkedHashMap<>(query), authType, new LinkedHashMap<>(credentials),
                cron.isEmpty() ? Integer.valueOf((int) Math.min(Integer.MAX_VALUE, interval)) : null,
                cron.isEmpty() ? null : cron, exchange.isEmpty() ? null : exchange,
                new Extract(itemsPointer, instrumentPointer, pricePointer, timestampPointer, timestampUnit,
                        messageType),
                ruleMap, split(instruments), ConnectorDefinition.ORIGIN_YAML, "running");
    }

    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        if (s == null) {
            return out;
        }
        Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).forEach(out::add);
        return out;
    }

    public String getUrl() { return url; }
    public void setUrl(String url) { this.url = url; }
    public String getMethod() { return method; }
    public void setMethod(String method) { this.method = method; }
    public String getName() { return name; }
    public void setName(String name) { this.name = name; }
    public Map<String, String> getHeader() { return header; }
    public void setHeader(Map<String, String> header) { this.header = new LinkedHashMap<>(header); }
    public Map<String, String> getQuery() { return query; }
    public void setQuery(Map<String, String> query) { this.query = new LinkedHashMap<>(query); }
    public long getInterval() { return interval; }
    public void setInterval(long interval) { this.interval = interval; }
    public String getCron() { return cron; }
    public void setCron(String cron) { this.cron = cron; }
    public String getExchange() { return exchange; }
    public void setExchange(String exchange) { this.exchange = exchange; }
    public String getInstruments() { return instruments; }
    public void setInstruments(String instruments) { this.instruments = instruments; }
    public String getAuthType() { return authType; }
    public void setAuthType(String authType) { this.authType = authType; }
    public Map<String, String> getCredentials() { return credentials; }
    public void setCredentials(Map<String, String> credentials) { this.credentials = new LinkedHashMap<>(credentials); }
    public String getItemsPointer() { return itemsPointer; }
    public void setItemsPointer(String p) { this.itemsPointer = p; }
    public String getInstrumentPointer() { return instrumentPointer; }
    public void setInstrumentPointer(String p) { this.instrumentPointer = p; }
    public String getPricePointer() { return pricePointer; }
    public void setPricePointer(String p) { this.pricePointer = p; }
    public String getTimestampPointer() { return timestampPointer; }
    public void setTimestampPointer(String p) { this.timestampPointer = p; }
    public String getTimestampUnit() { return timestampUnit; }
    public void setTimestampUnit(String u) { this.timestampUnit = u; }
    public String getMessageType() { return messageType; }
    public void setMessageType(String t) { this.messageType = t; }
    public Map<String, String> getRules() { return rules; }
    public void setRules(Map<String, String> rules) { this.rules = new LinkedHashMap<>(rules); }
    public boolean isStored() { return stored; }
    public void setStored(boolean stored) { this.stored = stored; }

    @Override
    public String toString() {
        return "ApiConfig[" + url + " credentials=" + credentials.keySet() + "]";
    }
}
