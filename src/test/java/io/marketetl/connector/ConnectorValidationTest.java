package io.marketetl.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Each bad definition gets one problem naming its field; a good one none. */
class ConnectorValidationTest {

    private final ConnectorValidation validation = new ConnectorValidation(
            new ConnectorSettings(100, List.of(), 1000, 60000, 10000, 10000));

    private static ConnectorDefinition good() {
        return new ConnectorDefinition("okx-1", "OKX", "https://www.okx.com/api/v5/market/ticker", "GET",
                Map.of("Accept", "application/json"), Map.of("instId", "BTC-USDT"), "Bearer", Map.of("token", "t"),
                1000, null, "okx", new Extract("/data", "/instId", "/last", "/ts", "ms", "ticker"),
                Map.of("code_pointer", "/code", "ok_codes", List.of("0")), List.of(), "api", "inactive");
    }

    private static ConnectorDefinition with(UnaryOperator<Object[]> change) {
        ConnectorDefinition g = good();
        Object[] f = { g.connectorId(), g.name(), g.apiUrl(), g.httpMethod(), g.headers(), g.queryParams(), g.authType(),
                g.credentials(), g.pollingInterval(), g.cron(), g.exchangeName(), g.extract(), g.responseRules() };
        f = change.apply(f);
        @SuppressWarnings("unchecked")
        ConnectorDefinition d = new ConnectorDefinition((String) f[0], (String) f[1], (String) f[2], (String) f[3],
                (Map<String, String>) f[4], (Map<String, String>) f[5], (String) f[6], (Map<String, String>) f[7],
                (Integer) f[8], (String) f[9], (String) f[10], (Extract) f[11], (Map<String, Object>) f[12], List.of(),
                "api", "inactive");
        return d;
    }

    private static UnaryOperator<Object[]> set(int i, Object v) {
        return f -> {
            f[i] = v;
            return f;
        };
    }

    @Test
    void aGoodDefinitionHasNoProblem() {
        assertThat(validation.problems(good())).isEmpty();
        assertThat(validation.problems(with(f -> { f[8] = null; f[9] = "0/5 * * * * ?"; return f; }))).isEmpty();
    }

    @Test
    void eachBadFieldIsNamed() {
        Map<String, ConnectorDefinition> bad = new java.util.LinkedHashMap<>();
        bad.put("connector_id", with(set(0, "no spaces allowed")));
        bad.put("name", with(set(1, " ")));
        bad.put("api_url: required", with(set(2, null)));
        bad.put("api_url: the scheme must be http or https", with(set(2, "file:///etc/passwd")));
        bad.put("api_url: no credentials in the URL", with(set(2, "https://u:p@www.okx.com/x")));
        bad.put("http_method", with(set(3, "BREW")));
        bad.put("auth_type: unknown", with(set(6, "Kerberos")));
        bad.put("credentials.token is required", with(set(7, Map.of())));
        bad.put("polling_interval: must be at least 100 ms", with(set(8, 99)));
        bad.put("polling_interval: required", with(set(8, null)));
        bad.put("cron: not a Quartz cron expression", with(f -> { f[8] = null; f[9] = "every minute"; return f; }));
        bad.put("cron: give polling_interval or cron, not both", with(set(9, "0/5 * * * * ?")));
        bad.put("exchange_name", with(set(10, "Not An Exchange!")));
        bad.put("extract.price", with(set(11, new Extract(null, null, "last", null, null, null))));
        bad.put("extract.timestamp_unit", with(set(11, new Extract(null, null, null, "/ts", "days", null))));
        bad.put("response_rules", with(set(12, Map.of("ok_codes", 5))));
        bad.put("headers: not a header name", with(set(4, Map.of("Bad Header", "x"))));
        bad.forEach((field, d) -> assertThat(validation.problems(d)).as(field).singleElement().asString()
                .startsWith(field.contains(":") || field.contains(" ") ? field : field + ":"));
    }

    @Test
    void anAllowListRefusesOtherHosts() {
        ConnectorValidation allow = new ConnectorValidation(
                new ConnectorSettings(100, List.of("www.okx.com"), 1000, 60000, 10000, 10000));
        assertThat(allow.problems(good())).isEmpty();
        assertThat(allow.problems(with(set(2, "https://evil.example.com/x")))).singleElement().asString()
                .contains("api_url: host evil.example.com is not allowed (MARKET_ETL_CONNECTOR_HOSTS)");
    }
}
