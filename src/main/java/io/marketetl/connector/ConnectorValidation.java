package io.marketetl.connector;

import io.marketetl.connector.auth.AuthType;
import io.marketetl.connector.auth.AuthTypes;
import io.marketetl.connector.limit.ResponseRules;
import io.marketetl.exchanges.ExchangeModules;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.quartz.CronExpression;

/**
 * Checks a connector definition, from a route file or the REST API alike. Each problem names its field with the API's
 * (column) names, e.g. {@code polling_interval: must be at least 100 ms}.
 */
public final class ConnectorValidation {

    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");
    static final Set<String> METHODS = Set.of("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD");

    private final ConnectorSettings settings;

    public ConnectorValidation(ConnectorSettings settings) {
        this.settings = settings;
    }

    public List<String> problems(ConnectorDefinition d) {
        List<String> out = new ArrayList<>();
        if (d.connectorId() == null || !ID.matcher(d.connectorId()).matches()) {
            out.add("connector_id: 1 to 100 letters, digits, '_', '.' or '-', starting with a letter or digit");
        }
        if (d.name() == null || d.name().isBlank()) {
            out.add("name: required");
        } else if (d.name().length() > 255) {
            out.add("name: at most 255 characters");
        }
        checkUrl(d.apiUrl(), out);
        if (!METHODS.contains(d.httpMethod())) {
            out.add("http_method: one of " + String.join(", ", METHODS.stream().sorted().toList()));
        }
        AuthType auth = AuthTypes.find(d.authType());
        if (auth == null) {
            out.add("auth_type: unknown " + d.authType() + " (one of " + String.join(", ", AuthTypes.names()) + ")");
        } else {
            out.addAll(auth.validate(d.credentials()));
        }
        if (d.cron() != null && d.pollingInterval() != null) {
            out.add("cron: give polling_interval or cron, not both");
        } else if (d.cron() != null) {
            if (!CronExpression.isValidExpression(d.cron())) {
                out.add("cron: not a Quartz cron expression (seconds minutes hours day-of-month month day-of-week,"
                        + " e.g. 0/5 * * * * ?): " + d.cron());
            }
        } else if (d.pollingInterval() == null) {
            out.add("polling_interval: required (ms) unless cron is given");
        } else if (d.pollingInterval() < settings.minIntervalMs()) {
            out.add("polling_interval: must be at least " + settings.minIntervalMs() + " ms (MARKET_ETL_CONNECTOR_MIN_INTERVAL_MS)");
        }
        if (d.exchangeName() != null && !d.exchangeName().isEmpty()) {
            if (d.exchangeName().length() > 50) {
                out.add("exchange_name: at most 50 characters");
            } else if (ExchangeModules.find(d.exchangeName()) == null && !d.exchangeName().matches("[a-z0-9_.-]+")) {
                out.add("exchange_name: lower-case letters, digits, '_', '.', '-' (or a known exchange)");
            }
        }
        out.addAll(d.extract().problems());
        if (d.responseRules() != null) {
            try {
                ResponseRules.fromMap(d.responseRules());
            } catch (IllegalArgumentException e) {
                out.add("response_rules: " + e.getMessage());
            }
        }
        for (String k : d.headers().keySet()) {
            if (!k.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                out.add("headers: not a header name: " + k);
            }
        }
        return out;
    }

    private void checkUrl(String url, List<String> out) {
        if (url == null || url.isBlank()) {
            out.add("api_url: required");
            return;
        }
        URI uri;
        try {
            uri = new URI(url.replace("{instrument}", "x"));
        } catch (URISyntaxException e) {
            out.add("api_url: not a URL: " + e.getReason());
            return;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            out.add("api_url: the scheme must be http or https");
            return;
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            out.add("api_url: no host");
            return;
        }
        if (uri.getUserInfo() != null) {
            out.add("api_url: no credentials in the URL (use auth_type and credentials)");
        }
        List<String> allowed = settings.allowedHosts();
        if (!allowed.isEmpty() && !allowed.contains(uri.getHost().toLowerCase(Locale.ROOT))) {
            out.add("api_url: host " + uri.getHost() + " is not allowed (MARKET_ETL_CONNECTOR_HOSTS)");
        }
    }

    /** Throws IllegalArgumentException listing every problem. */
    public static void require(ConnectorDefinition d, ConnectorValidation validation) {
        List<String> problems = validation.problems(d);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("connector " + d.connectorId() + ": " + String.join("; ", problems));
        }
    }
}
