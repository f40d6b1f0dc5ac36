package io.marketetl.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorStats.RestRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Helpers of the HTTP-connector end-to-end tests: route files declaring {@code api:} connectors, the simulator's
 * request log of one connector (told apart by the User-Agent {@code market-etl/<id>} every call carries), the
 * application's Jolokia on its management port.
 */
final class ConnectorRoutes {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ConnectorRoutes() {
    }

    /** A route file with one connector: {@code from: api:<id>} with these parameters, into direct:normalise. */
    static String route(String id, Map<String, String> parameters) {
        StringBuilder sb = new StringBuilder();
        sb.append("- route:\n    id: ").append(id).append("\n    from:\n      uri: api:").append(id)
                .append("\n      parameters:\n");
        parameters.forEach((k, v) -> sb.append("        ").append(k).append(": \"").append(v).append("\"\n"));
        return sb.append("      steps:\n        - to: direct:normalise\n").toString();
    }

    /** The requests the simulator logged from connector {@code id}, oldest first. */
    static List<RestRequest> requestsOf(ExchangeSimulator sim, String id) {
        String agent = "market-etl/" + id;
        return sim.stats().requests().stream().filter(r -> agent.equals(header(r, "User-Agent"))).toList();
    }

    /** Requests the simulator logged that no connector sent (the test's own). */
    static List<RestRequest> notFromTheApp(ExchangeSimulator sim) {
        return sim.stats().requests().stream().filter(r -> {
            String agent = header(r, "User-Agent");
            return agent == null || !agent.startsWith("market-etl/");
        }).toList();
    }

    static String header(RestRequest r, String name) {
        return r.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /** {@code GET} on the management port's Jolokia ({@code path} after {@code /observe/jolokia/}). */
    static JsonNode jolokiaGet(int managementPort, String path) {
        return jolokia(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/observe/jolokia/"
                + path)).GET());
    }

    /** {@code POST} of a Jolokia request object. */
    static JsonNode jolokiaPost(int managementPort, Map<String, Object> request) {
        try {
            return jolokia(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort
                    + "/observe/jolokia/")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Management credentials a test may give the application (Jolokia exec needs them); sent on every call. */
    static final String MANAGEMENT_USER = "ops";
    static final String MANAGEMENT_PASSWORD = "mgmt-pass-3f9a71";

    private static JsonNode jolokia(HttpRequest.Builder request) {
        request.header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                (MANAGEMENT_USER + ":" + MANAGEMENT_PASSWORD).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        try {
            HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("Jolokia answered HTTP " + r.statusCode() + ": " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A plain GET from the test (not from the application), e.g. to use up weight of the simulator's IP. */
    static HttpResponse<String> get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
