package io.marketetl.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatorControlApiTest extends SimulatorTestBase {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @BeforeEach
    void startSimulator() {
        start(SimulatorConfig.builder().ratePerConnection(500).okxNoticeLead(Duration.ofMillis(200)));
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(sim.controlUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = SimulatorRestTest.get(sim.controlUrl() + path);
        assertThat(r.statusCode()).isEqualTo(200);
        return WsTestClient.JSON.readTree(r.body());
    }

    @Test
    void statsEndpointReflectsTraffic() throws Exception {
        try (WsTestClient c = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade", "market-etl/bench")) {
            c.awaitJson(n -> "trade".equals(n.path("e").asText()), 20);
            JsonNode stats = getJson("/stats");
            assertThat(stats.path("connectionsOpened").asLong()).isEqualTo(1);
            assertThat(stats.path("currentConnections").asInt()).isEqualTo(1);
            assertThat(stats.path("itemsSentByStream").path("binance:btcusdt@trade").asLong()).isGreaterThanOrEqualTo(20);
            assertThat(stats.path("totalItemsSent").asLong()).isGreaterThanOrEqualTo(20);
            assertThat(stats.path("maxConcurrentConnectionsByClient").path("market-etl/bench").asInt()).isEqualTo(1);
            assertThat(stats.path("closesSentByCode").isObject()).isTrue();
            assertThat(stats.path("connections").get(0).path("clientIdentity").asText()).isEqualTo("market-etl/bench");

            // Stall first: the reset request is served on the event loop after any pump tick already under way.
            sim.faults().setStall(true);
            HttpResponse<String> reset = post("/reset", "");
            assertThat(reset.statusCode()).isEqualTo(200);
            JsonNode after = getJson("/stats");
            assertThat(after.path("totalItemsSent").asLong()).isZero();
            assertThat(after.path("connectionsOpened").asLong()).isZero();
            assertThat(after.path("currentConnections").asInt()).isEqualTo(1);
            assertThat(sim.faults().stall()).as("plain reset keeps faults").isTrue();
        }
    }

    @Test
    void faultsEndpointSwitchesFaultsAndRejectsBadBodiesAsAWhole() throws Exception {
        HttpResponse<String> ok = post("/faults", "{\"stall\":true,\"malformedRatio\":0.25,\"gapEvery\":100,\"gapSize\":4,"
                + "\"rate\":1234,\"rest429\":true,\"disconnectEverySeconds\":60,\"refuseForSeconds\":30}");
        assertThat(ok.statusCode()).isEqualTo(200);
        SimulatorFaults f = sim.faults();
        assertThat(f.stall()).isTrue();
        assertThat(f.malformedRatio()).isEqualTo(0.25);
        assertThat(f.gapEveryTrades()).isEqualTo(100);
        assertThat(f.gapSize()).isEqualTo(4);
        assertThat(f.rate()).isEqualTo(1234);
        assertThat(f.rest429()).isTrue();
        assertThat(f.disconnectEvery()).isEqualTo(Duration.ofSeconds(60));
        assertThat(f.refusing()).isTrue();
        JsonNode echoed = WsTestClient.JSON.readTree(ok.body());
        assertThat(echoed.path("rate").asDouble()).isEqualTo(1234);
        assertThat(getJson("/faults").path("stall").asBoolean()).isTrue();

        HttpResponse<String> unknown = post("/faults", "{\"stall\":false,\"explode\":true}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("explode");
        HttpResponse<String> badRatio = post("/faults", "{\"stall\":false,\"malformedRatio\":2}");
        assertThat(badRatio.statusCode()).isEqualTo(400);
        assertThat(post("/faults", "not json").statusCode()).isEqualTo(400);
        assertThat(f.stall()).as("a rejected body changes nothing").isTrue();

        HttpResponse<String> reset = post("/reset?faults=true", "");
        assertThat(reset.statusCode()).isEqualTo(200);
        assertThat(f.stall()).isFalse();
        assertThat(f.rate()).isEqualTo(500);
        assertThat(f.refusing()).isFalse();
        assertThat(f.disconnectEvery()).isZero();
    }

    @Test
    void oneShotActionsThroughTheApi() throws Exception {
        try (WsTestClient okx = WsTestClient.connect(vertx, sim.okxWsUrl());
             WsTestClient bn = WsTestClient.connect(vertx, sim.binanceWsUrl() + "/ws/btcusdt@trade")) {
            assertThat(post("/faults", "{\"okxNotice\":true,\"binanceServerShutdown\":true,\"binanceShutdownLeadSeconds\":0.2}")
                    .statusCode()).isEqualTo(200);
            okx.awaitJson(n -> "64008".equals(n.path("code").asText()));
            bn.awaitJson(n -> "serverShutdown".equals(n.path("e").asText()));
            okx.awaitClosed();
            bn.awaitClosed();
            assertThat(sim.stats().closesSent(1001)).isEqualTo(2);
        }
        assertThat(SimulatorRestTest.get(sim.controlUrl() + "/nope").statusCode()).isEqualTo(404);
    }
}
