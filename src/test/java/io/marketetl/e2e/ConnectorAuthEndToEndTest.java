package io.marketetl.e2e;

import static io.marketetl.e2e.ConnectorRoutes.jolokiaGet;
import static io.marketetl.e2e.ConnectorRoutes.jolokiaPost;
import static io.marketetl.e2e.ConnectorRoutes.requestsOf;
import static io.marketetl.e2e.ConnectorRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.simulator.SimulatorStats.RestRequest;
import io.marketetl.testsupport.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8, route-file connectors: every auth type reaches the server as it expects, with the credentials given as
 * {@code credentials.<field>: "{{env:NAME}}"} placeholders and their values in the application's environment; a
 * wrong secret is stored as the error answers it gets and puts the connector in error; and none of the secrets shows
 * anywhere a user or an operator can look: the whole application log, any row of any table, any Camel MBean
 * attribute, any route dump. One application run for the class.
 */
class ConnectorAuthEndToEndTest {

    // distinctive values, unreserved characters only (a query parameter carries one as is)
    static final String API_KEY = "ak7Q2xHdrQryKey9Zr";
    static final String TOKEN = "tk4Vb8BearerTok1Lq";
    static final String BASIC_USER = "usr5Basic3Nw";
    static final String BASIC_PASSWORD = "pw8BasicPass2Mx";
    static final String BINANCE_KEY = "bk1BinanceKey6Hs";
    static final String BINANCE_SECRET = "bs3BinanceSecret8Jd";
    static final String OKX_KEY = "ok2OkxKey7Pt";
    static final String OKX_SECRET = "os9OkxSecret4Wc";
    static final String OKX_PASSPHRASE = "op6OkxPass5Rv";
    static final String WRONG_SECRET = "ws0WrongSecret3Yk";
    /** The database password the application is given (the loopback server trusts, so it is never checked). */
    static final String DATABASE_PASSWORD = "db7PostgresPass2Qz";
    static final String BASIC_HEADER = Base64.getEncoder().encodeToString(
            (BASIC_USER + ":" + BASIC_PASSWORD).getBytes(StandardCharsets.UTF_8));

    /** Every secret, and the Basic header they make, by what it is. */
    static final Map<String, String> SECRETS = new LinkedHashMap<>();

    static {
        SECRETS.put("api key", API_KEY);
        SECRETS.put("bearer token", TOKEN);
        SECRETS.put("basic user", BASIC_USER);
        SECRETS.put("basic password", BASIC_PASSWORD);
        SECRETS.put("basic header", BASIC_HEADER);
        SECRETS.put("binance api key", BINANCE_KEY);
        SECRETS.put("binance secret", BINANCE_SECRET);
        SECRETS.put("okx api key", OKX_KEY);
        SECRETS.put("okx secret", OKX_SECRET);
        SECRETS.put("okx passphrase", OKX_PASSPHRASE);
        SECRETS.put("wrong binance secret", WRONG_SECRET);
        SECRETS.put("database password", DATABASE_PASSWORD);
        SECRETS.put("management password", ConnectorRoutes.MANAGEMENT_PASSWORD);
    }

    /** A Binance signature (64 hex digits) or an OKX one (base64 of 32 bytes) in any text. */
    static final Pattern SIGNATURE = Pattern.compile("signature=[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=");

    /** connector id -> the endpoint it calls; all of them must be accepted. */
    static final Map<String, String> GOOD = new LinkedHashMap<>();

    static {
        GOOD.put("auth-apikey-header", "/private/apikey-header");
        GOOD.put("auth-apikey-query", "/private/apikey-query");
        GOOD.put("auth-bearer", "/private/bearer");
        GOOD.put("auth-basic", "/private/basic");
        GOOD.put("auth-binance", "/api/v3/account");
        GOOD.put("auth-okx", "/api/v5/account/balance");
    }

    static final String WRONG = "auth-binance-wrong";
    static final String WRONG_PATH = "/api/v3/openOrders";

    @TempDir
    static Path workDir;

    static ExchangeSimulator sim;
    static TestDatabase db;
    static RunningApp app;

    @BeforeAll
    static void startAndLetEveryConnectorCall() {
        sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(8).ratePerConnection(1)
                .apiKey("X-Acme-Key", API_KEY).bearerToken(TOKEN).basicAuth(BASIC_USER, BASIC_PASSWORD)
                .binanceKeys(BINANCE_KEY, BINANCE_SECRET).okxKeys(OKX_KEY, OKX_SECRET, OKX_PASSPHRASE).build());
        db = TestDatabase.create();
        String base = "{{market-etl.binance.rest-url}}";
        Map<String, String> files = new LinkedHashMap<>();
        files.put("auth-apikey-header.camel.yaml", route("auth-apikey-header", Map.of(
                "url", base + "/private/apikey-header", "interval", "500", "authType", "ApiKey",
                "credentials.in", "header", "credentials.name", "X-Acme-Key",
                "credentials.value", "{{env:ACME_API_KEY}}")));
        files.put("auth-apikey-query.camel.yaml", route("auth-apikey-query", Map.of(
                "url", base + "/private/apikey-query", "interval", "500", "authType", "ApiKey",
                "query.page", "1", "credentials.in", "query", "credentials.name", "api_key",
                "credentials.value", "{{env:ACME_API_KEY}}")));
        files.put("auth-bearer.camel.yaml", route("auth-bearer", Map.of(
                "url", base + "/private/bearer", "interval", "500", "authType", "Bearer",
                "credentials.token", "{{env:ACME_TOKEN}}")));
        files.put("auth-basic.camel.yaml", route("auth-basic", Map.of(
                "url", base + "/private/basic", "interval", "500", "authType", "Basic",
                "credentials.username", "{{env:ACME_USER}}", "credentials.password", "{{env:ACME_PASSWORD}}")));
        files.put("auth-binance.camel.yaml", route("auth-binance", Map.of(
                "url", base + "/api/v3/account", "exchange", "binance", "interval", "500",
                "authType", "BinanceHmac", "credentials.api_key", "{{env:BN_API_KEY}}",
                "credentials.secret", "{{env:BN_API_SECRET}}")));
        files.put("auth-okx.camel.yaml", route("auth-okx", Map.of(
                "url", "{{market-etl.okx.rest-url}}/api/v5/account/balance", "exchange", "okx", "interval", "500",
                "authType", "OkxHmac", "credentials.api_key", "{{env:OKX_API_KEY}}",
                "credentials.secret", "{{env:OKX_API_SECRET}}", "credentials.passphrase",
                "{{env:OKX_API_PASSPHRASE}}")));
        files.put("auth-binance-wrong.camel.yaml", route(WRONG, Map.of(
                "url", base + WRONG_PATH, "exchange", "binance", "interval", "500",
                "authType", "BinanceHmac", "credentials.api_key", "{{env:BN_API_KEY}}",
                "credentials.secret", "{{env:BN_WRONG_SECRET}}")));
        Map<String, String> env = new LinkedHashMap<>();
        // Jolokia exec (the route dumps) needs management credentials: without them it is read-only
        env.put("MARKET_ETL_MANAGEMENT_USER", ConnectorRoutes.MANAGEMENT_USER);
        env.put("MARKET_ETL_MANAGEMENT_PASSWORD", ConnectorRoutes.MANAGEMENT_PASSWORD);
        env.put("ACME_API_KEY", API_KEY);
        env.put("ACME_TOKEN", TOKEN);
        env.put("ACME_USER", BASIC_USER);
        env.put("ACME_PASSWORD", BASIC_PASSWORD);
        env.put("BN_API_KEY", BINANCE_KEY);
        env.put("BN_API_SECRET", BINANCE_SECRET);
        env.put("OKX_API_KEY", OKX_KEY);
        env.put("OKX_API_SECRET", OKX_SECRET);
        env.put("OKX_API_PASSPHRASE", OKX_PASSPHRASE);
        env.put("BN_WRONG_SECRET", WRONG_SECRET);
        env.put("POSTGRES_PASSWORD", DATABASE_PASSWORD);
        env.put("MARKET_ETL_CONNECTOR_STATUS_INTERVAL_MS", "500");
        // Camel's own route dump at start-up, placeholders resolved (its default), into the log
        env.put("CAMEL_MAIN_DUMPROUTES", "xml");
        env.put("MARKET_ETL_CONNECTOR_BACKOFF_INITIAL_MS", "200");
        env.put("MARKET_ETL_CONNECTOR_BACKOFF_MAX_MS", "1000");
        app = RunningApp.startWith(workDir, db, sim, files, env);

        await().atMost(Duration.ofSeconds(40)).untilAsserted(() -> {
            assertThat(db.queryLong("SELECT count(DISTINCT connector_id) FROM (SELECT connector_id FROM"
                    + " api_connector_data WHERE status_code = 200 GROUP BY connector_id HAVING count(*) >= 3) t"))
                    .as("connectors with 3 stored answers").isEqualTo(GOOD.size());
            assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = '" + WRONG + "'"))
                    .isGreaterThanOrEqualTo(2);
        });
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (db != null) {
            db.close();
        }
        if (sim != null) {
            sim.close();
        }
    }

    @Test
    void everyAuthTypeIsAcceptedByTheServerAndItsAnswersAreStored() {
        Map<String, Long> successes = sim.stats().authSuccessesByEndpoint();
        Map<String, Long> failures = sim.stats().authFailuresByEndpoint();
        for (Map.Entry<String, String> c : GOOD.entrySet()) {
            List<RestRequest> calls = requestsOf(sim, c.getKey());
            assertThat(calls).as(c.getKey()).isNotEmpty().allSatisfy(r -> assertThat(r.path()).isEqualTo(c.getValue()));
            assertThat(calls).as(c.getKey() + ": answered calls").filteredOn(r -> r.status() != 0)
                    .allSatisfy(r -> assertThat(r.status()).as(c.getKey()).isEqualTo(200));
            assertThat(successes.getOrDefault(c.getValue(), 0L)).as(c.getValue()).isGreaterThanOrEqualTo(3);
            assertThat(failures).as("no credential refused at " + c.getValue()).doesNotContainKey(c.getValue());
            assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = '" + c.getKey()
                    + "' AND status_code <> 200")).as(c.getKey()).isZero();
        }
        // each as the server wants it: header, query parameter (named api_key), Authorization, signed query
        assertThat(requestsOf(sim, "auth-apikey-header").get(0).headerNames()).contains("X-Acme-Key");
        assertThat(requestsOf(sim, "auth-apikey-query").get(0).query()).isEqualTo("page=1&api_key=***");
        assertThat(requestsOf(sim, "auth-bearer").get(0).headerNames()).contains("Authorization");
        assertThat(requestsOf(sim, "auth-binance").get(0).query())
                .matches("recvWindow=5000&timestamp=\\d{13}&signature=\\*\\*\\*");
        assertThat(requestsOf(sim, "auth-okx").get(0).headerNames()).contains("OK-ACCESS-KEY", "OK-ACCESS-SIGN",
                "OK-ACCESS-TIMESTAMP", "OK-ACCESS-PASSPHRASE");
        assertThat(db.queryString("SELECT string_agg(connector_id || ':' || status, ',' ORDER BY connector_id)"
                + " FROM connector_status WHERE connector_id LIKE 'auth-%' AND connector_id <> '" + WRONG + "'"))
                .isEqualTo("auth-apikey-header:running,auth-apikey-query:running,auth-basic:running,"
                        + "auth-bearer:running,auth-binance:running,auth-okx:running");
    }

    @Test
    void aWrongSecretIsStoredAsTheErrorAnswersAndPutsTheConnectorInError() {
        List<RestRequest> calls = requestsOf(sim, WRONG);
        assertThat(calls).isNotEmpty().filteredOn(r -> r.status() != 0)
                .allSatisfy(r -> assertThat(r.status()).isEqualTo(400));
        assertThat(sim.stats().authFailuresByEndpoint().getOrDefault(WRONG_PATH, 0L)).isGreaterThanOrEqualTo(2);
        assertThat(sim.stats().authSuccessesByEndpoint()).doesNotContainKey(WRONG_PATH);
        // every answer stored, with its status code and Binance's error in the body
        assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = '" + WRONG + "'"
                + " AND (status_code <> 400 OR (data->>'code')::int <> -1022)")).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(db.queryLong("SELECT count(*) FROM"
                + " api_connector_data WHERE connector_id = '" + WRONG + "'")).isEqualTo(requestsOf(sim, WRONG)
                .stream().filter(r -> r.status() != 0).count()));
        List<List<Object>> status = db.rows("SELECT status, last_error IS NOT NULL, error_log, reconnect_attempts"
                + " FROM connector_status WHERE connector_id = '" + WRONG + "'");
        assertThat(status).hasSize(1);
        assertThat(status.get(0).get(0)).isEqualTo("error");
        assertThat(status.get(0).get(1)).as("last_error (when)").isEqualTo(true);
        assertThat((String) status.get(0).get(2)).contains("HTTP 400 code -1022: Signature for this request is not"
                + " valid.");
        assertThat(((Number) status.get(0).get(3)).intValue()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void noSecretInTheApplicationsLog() {
        String log = app.process.stdout() + app.process.stderr();
        assertNoSecret("the application log", log);
        assertThat(log).contains("Connector auth-okx (GET http://127.0.0.1:" + sim.port()
                + "/api/v5/account/balance, every 500 ms) running");
        // Camel's start-up route dump is in it, with the connectors' placeholders left as they are
        assertThat(log).contains("<route id=\"auth-okx\"")
                .contains("credentials.secret=%7B%7Benv:OKX_API_SECRET%7D%7D");
    }

    @Test
    void noSecretInAnyRowOfAnyTable() {
        StringBuilder all = new StringBuilder();
        for (List<Object> t : db.rows("SELECT table_name FROM information_schema.tables"
                + " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")) {
            for (List<Object> row : db.rows("SELECT t::text FROM \"" + t.get(0) + "\" t")) {
                all.append(t.get(0)).append(": ").append(row.get(0)).append('\n');
            }
        }
        String text = all.toString();
        // what is there: the registered connectors (no secret stored), their status, every answer
        assertThat(text).contains("api_connectors: ").contains(",auth-okx,").contains("connector_status: ")
                .contains("api_connector_data: ");
        assertThat(db.queryLong("SELECT count(*) FROM api_connectors WHERE connector_id LIKE 'auth-%'"
                + " AND origin = 'yaml' AND headers_encrypted IS NULL AND query_params_encrypted IS NULL"
                + " AND credentials_encrypted IS NULL")).isEqualTo(GOOD.size() + 1);
        assertNoSecret("the database", text);
    }

    @Test
    void noSecretInAnyCamelMBeanAttribute() {
        JsonNode endpoints = jolokiaGet(app.managementPort, "search/org.apache.camel:type=endpoints,*");
        List<String> apiEndpoints = new ArrayList<>();
        endpoints.path("value").forEach(n -> {
            if (n.asText().contains("name=\"api:")) {
                apiEndpoints.add(n.asText());
            }
        });
        assertThat(apiEndpoints).as("the connectors' endpoint MBeans in " + endpoints).hasSize(GOOD.size() + 1);

        // every attribute of every Camel MBean (context, routes, endpoints, consumers, processors, services...), and
        // of every other MBean the management port serves (Quartz's scheduler, the pool, the JVM's)
        for (String pattern : List.of("org.apache.camel:*", "*:*")) {
            JsonNode all = jolokiaPost(app.managementPort, Map.of("type", "read", "mbean", pattern,
                    "config", Map.of("ignoreErrors", true, "maxDepth", 0, "maxCollectionSize", 0, "maxObjects", 0)));
            assertThat(all.path("status").asInt()).as(all.toString()).isEqualTo(200);
            assertThat(all.path("value").size()).as("MBeans read").isGreaterThan(50);
            String text = all.path("value").toString();
            assertThat(text).contains("\"EndpointUri\":\"api:auth-okx\"")
                    .contains("\"ConnectorId\":\"auth-basic\"");
            assertNoSecret("MBean attributes (" + pattern + ")", text);
        }
    }

    /**
     * Every {@code dump*} operation with boolean arguments of the context and route MBeans, with every combination
     * (resolve placeholders or not, URIs as parameters, generated ids...). The YAML ones answer "Cannot find
     * ModelToYAMLDumper" (camel-yaml-io is not part of the application); should it be added, they are checked too.
     */
    @Test
    void noSecretInAnyRouteDump() {
        String context = jolokiaGet(app.managementPort, "search/org.apache.camel:type=context,*")
                .path("value").get(0).asText();
        List<String> routes = new ArrayList<>();
        jolokiaGet(app.managementPort, "search/org.apache.camel:type=routes,*").path("value")
                .forEach(n -> routes.add(n.asText()));
        assertThat(routes).anyMatch(r -> r.contains("auth-okx"));

        StringBuilder dumps = new StringBuilder();
        int calls = 0;
        int yamlRefused = 0;
        for (String mbean : concat(context, routes)) {
            JsonNode ops = jolokiaPost(app.managementPort, Map.of("type", "list", "path",
                    listPath(mbean) + "/op")).path("value");
            for (Iterator<Map.Entry<String, JsonNode>> it = ops.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> op = it.next();
                if (!op.getKey().startsWith("dump")) {
                    continue;
                }
                for (JsonNode overload : op.getValue().isArray() ? op.getValue() : List.of(op.getValue())) {
                    List<String> types = new ArrayList<>();
                    overload.path("args").forEach(a -> types.add(a.path("type").asText()));
                    if (!types.stream().allMatch(t -> t.equals("boolean"))) {
                        continue;
                    }
                    String signature = op.getKey() + "(" + String.join(",", types) + ")";
                    for (int combo = 0; combo < 1 << types.size(); combo++) {
                        List<Boolean> args = new ArrayList<>();
                        for (int i = 0; i < types.size(); i++) {
                            args.add((combo & 1 << i) != 0);
                        }
                        JsonNode r = jolokiaPost(app.managementPort, Map.of("type", "exec", "mbean", mbean,
                                "operation", signature, "arguments", args));
                        if (signature.startsWith("dumpRoutesAsYaml") || signature.startsWith("dumpRouteAsYaml")) {
                            // camel-yaml-io is not in the application: YAML dumps are refused, nothing to leak
                            if (r.path("status").asInt() != 200) {
                                assertThat(r.path("error").asText()).as(mbean + " " + signature)
                                        .contains("Cannot find ModelToYAMLDumper on classpath");
                                yamlRefused++;
                                continue;
                            }
                        }
                        assertThat(r.path("status").asInt()).as(mbean + " " + signature + " " + args + ": " + r)
                                .isEqualTo(200);
                        dumps.append(mbean).append(' ').append(signature).append(args).append(":\n")
                                .append(r.path("value").asText()).append('\n');
                        calls++;
                    }
                }
            }
        }
        String text = dumps.toString();
        assertThat(text).as("the dumps were made").contains("dumpRoutesAsXml(boolean)[true]")
                .contains("dumpRoutesAsXml(boolean)[false]").contains("api:auth-okx");
        // placeholders resolved where asked (the URL), a credential's placeholder left as it is
        assertThat(text).contains("url=http://127.0.0.1:" + sim.port() + "/api/v5/account/balance")
                .contains("credentials.secret=%7B%7Benv:OKX_API_SECRET%7D%7D");
        assertThat(calls).isGreaterThan(10);
        assertThat(calls + yamlRefused).as("YAML dumps tried too").isGreaterThan(calls);
        assertNoSecret("route dumps", text);
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    /** Jolokia's list path of an MBean: domain/properties, with ! escaping / and !. */
    private static String listPath(String mbean) {
        int colon = mbean.indexOf(':');
        return escape(mbean.substring(0, colon)) + "/" + escape(mbean.substring(colon + 1));
    }

    private static String escape(String s) {
        return s.replace("!", "!!").replace("/", "!/");
    }

    static void assertNoSecret(String where, String text) {
        for (Map.Entry<String, String> s : SECRETS.entrySet()) {
            assertThat(text.contains(s.getValue())).as("the " + s.getKey() + " (" + s.getValue() + ") in " + where
                    + (text.contains(s.getValue()) ? ": ..." + around(text, s.getValue()) + "..." : ""))
                    .isFalse();
        }
        assertThat(SIGNATURE.matcher(text).find()).as("a request signature in " + where
                + (SIGNATURE.matcher(text).find() ? ": " + firstMatch(text) : "")).isFalse();
    }

    private static String around(String text, String value) {
        int i = text.indexOf(value);
        return text.substring(Math.max(0, i - 300), Math.min(text.length(), i + value.length() + 100));
    }

    private static String firstMatch(String text) {
        var m = SIGNATURE.matcher(text);
        m.find();
        return around(text, m.group());
    }
}
