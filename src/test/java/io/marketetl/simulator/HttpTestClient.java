package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** java.net.http helpers of the REST tests: one client, requests with optional headers (name, value, name, value...). */
final class HttpTestClient {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpTestClient() {
    }

    static HttpResponse<String> get(String url, String... headers) throws Exception {
        return send("GET", url, null, headers);
    }

    static HttpResponse<String> send(String method, String url, String body, String... headers) throws Exception {
        return HTTP.send(request(method, url, body, headers).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpRequest.Builder request(String method, String url, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    static JsonNode json(HttpResponse<String> r) throws Exception {
        return WsTestClient.JSON.readTree(r.body());
    }

    static String header(HttpResponse<String> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }
}
