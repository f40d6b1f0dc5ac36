package io.marketetl.connector;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP API connector as the runtime sees it, whichever way it was declared: a route file's {@code api:} endpoint
 * (origin {@code yaml}) or the REST API (origin {@code api}, a row of {@code api_connectors}). Field names follow the
 * table's columns. Headers, query parameters and credentials are in clear here (decrypted): never log this object
 * whole; {@link #toString()} leaves their values out.
 *
 * @param connectorId     {@code api_connectors.connector_id}
 * @param name            a human name
 * @param apiUrl          http(s) URL; its query string is kept as given and {@code queryParams} are appended.
 *                        {@code {instrument}} in it or in a query value makes one call per instrument per tick
 * @param httpMethod      GET, POST, ...
 * @param headers         extra request headers
 * @param queryParams     extra query parameters, in order
 * @param authType        None, ApiKey, Bearer, Basic, BinanceHmac or OkxHmac
 * @param credentials     the auth type's fields
 * @param pollingInterval ms between calls (null when {@code cron} is set)
 * @param cron            a Quartz cron expression (null when polling on an interval)
 * @param exchangeName    okx, binance, ... or null: names the exchange module whose symbols, rate limits, error rules
 *                        and endpoint defaults apply; stored as the rows' {@code exchange}
 * @param extract         JSON pointers of the rows
 * @param responseRules   how the body reports errors (null: the exchange's rules, else none)
 * @param instruments     instruments for {@code {instrument}} fan-out (route files only)
 * @param origin          {@code yaml} or {@code api}
 * @param status          desired state ({@code api_connectors.status}): inactive, running, stopped, error
 */
public record ConnectorDefinition(String connectorId, String name, String apiUrl, String httpMethod,
        Map<String, String> headers, Map<String, String> queryParams, String authType, Map<String, String> credentials,
        Integer pollingInterval, String cron, String exchangeName, Extract extract, Map<String, Object> responseRules,
        List<String> instruments, String origin, String status) {

    public static final String ORIGIN_YAML = "yaml";
    public static final String ORIGIN_API = "api";
    public static final String PROTOCOL = "REST";

    public ConnectorDefinition {
        httpMethod = httpMethod == null || httpMethod.isEmpty() ? "GET" : httpMethod;
        headers = headers == null ? Map.of() : headers;
        queryParams = queryParams == null ? Map.of() : queryParams;
        authType = authType == null || authType.isEmpty() ? "None" : authType;
        credentials = credentials == null ? Map.of() : credentials;
        extract = extract == null ? Extract.NONE : extract;
        instruments = instruments == null ? List.of() : instruments;
    }

    /** The same connector with another desired status. */
    public ConnectorDefinition withStatus(String newStatus) {
        return new ConnectorDefinition(connectorId, name, apiUrl, httpMethod, headers, queryParams, authType,
                credentials, pollingInterval, cron, exchangeName, extract, responseRules, instruments, origin,
                newStatus);
    }

    public ConnectorDefinition withId(String id) {
        return new ConnectorDefinition(id, name, apiUrl, httpMethod, headers, queryParams, authType, credentials,
                pollingInterval, cron, exchangeName, extract, responseRules, instruments, origin, status);
    }

    /** Header names, query parameter names and the credentials' field names only: no value. */
    @Override
    public String toString() {
        return "ConnectorDefinition[" + connectorId + " " + httpMethod + " " + apiUrl + " headers=" + headers.keySet()
                + " query=" + queryParams.keySet() + " auth=" + authType + " credentials=" + credentials.keySet()
                + (cron != null ? " cron=" + cron : " every " + pollingInterval + " ms") + " exchange=" + exchangeName
                + " origin=" + origin + " status=" + status + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectorDefinition d && Objects.equals(connectorId, d.connectorId)
                && Objects.equals(name, d.name) && Objects.equals(apiUrl, d.apiUrl)
                && Objects.equals(httpMethod, d.httpMethod) && Objects.equals(headers, d.headers)
                && Objects.equals(queryParams, d.queryParams) && Objects.equals(authType, d.authType)
                && Objects.equals(credentials, d.credentials) && Objects.equals(pollingInterval, d.pollingInterval)
                && Objects.equals(cron, d.cron) && Objects.equals(exchangeName, d.exchangeName)
                && Objects.equals(extract, d.extract) && Objects.equals(responseRules, d.responseRules)
                && Objects.equals(instruments, d.instruments) && Objects.equals(origin, d.origin)
                && Objects.equals(status, d.status);
    }

    @Override
    public int hashCode() {
        return Objects.hash(connectorId, apiUrl);
    }
}
