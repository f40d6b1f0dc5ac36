package io.marketetl.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.simulator.ExchangeSimulator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * What the simulator traded, from its REST trade history (every page), and what the database stored of it: for tests
 * that check "every trade stored exactly once".
 */
@SuppressWarnings("unchecked")
public final class SimulatorHistory {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private SimulatorHistory() {
    }

    /** Trade ids of the simulator's history of one exchange and instrument ({@code BTC-USDT}), ascending. */
    public static List<Long> tradeIds(ExchangeSimulator sim, String exchange, String inst) throws Exception {
        return exchange.equals("okx") ? okx(sim, inst) : binance(sim, inst);
    }

    /** Binance {@code historicalTrades}, every page from id 0 on. */
    public static List<Long> binance(ExchangeSimulator sim, String inst) throws Exception {
        List<Long> ids = new ArrayList<>();
        long from = 0;
        while (true) {
            JsonNode page = get(sim.binanceRestUrl() + "/api/v3/historicalTrades?symbol=" + inst.replace("-", "")
                    + "&fromId=" + from + "&limit=1000");
            page.forEach(t -> ids.add(t.get("id").asLong()));
            if (page.size() < 1000) {
                return ids;
            }
            from = ids.get(ids.size() - 1) + 1;
        }
    }

    /** OKX {@code history-trades}, newest first, following {@code after}; returned ascending. */
    public static List<Long> okx(ExchangeSimulator sim, String inst) throws Exception {
        TreeSet<Long> ids = new TreeSet<>();
        String after = "";
        while (true) {
            JsonNode data = get(sim.okxRestUrl() + "/api/v5/market/history-trades?instId=" + inst + "&type=1&limit=100"
                    + after).get("data");
            if (data.isEmpty()) {
                return new ArrayList<>(ids);
            }
            data.forEach(t -> ids.add(t.get("tradeId").asLong()));
            after = "&after=" + data.get(data.size() - 1).get("tradeId").asText();
        }
    }

    /** Stored trade ids of one stream ({@code message_type = 'trade'}), ascending, duplicates kept. */
    public static List<Long> stored(DataSource ds, String exchange, String inst) {
        List<Long> ids = new ArrayList<>();
        for (List<Object> r : SqlRows.rows(ds, "SELECT trade_id::bigint FROM websocket_messages WHERE exchange = '"
                + exchange + "' AND instrument = '" + inst + "' AND message_type = 'trade' ORDER BY 1")) {
            ids.add((Long) r.get(0));
        }
        return ids;
    }

    /** One page; a 429 (the simulator's rate limits also count these reads) is asked again until answered. */
    private static JsonNode get(String url) throws Exception {
        HttpResponse<String>[] answer = new HttpResponse[1];
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(250)).until(() -> {
                    answer[0] = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    return answer[0].statusCode() != 429;
                });
        HttpResponse<String> r = answer[0];
        assertThat(r.statusCode()).as(url + ": " + r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }
}
