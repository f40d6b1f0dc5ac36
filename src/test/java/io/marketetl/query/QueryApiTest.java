package io.marketetl.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.InProcessApplication;
import io.marketetl.testsupport.TestDatabase;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query API through real HTTP: the application (in the test's JVM, as Application wires it) on a throw-away
 * database seeded with known rows. Every endpoint, every filter, keyset pages walked to the end (every row exactly
 * once, in order, also while rows are inserted between pages), price points and buckets against the rows, and every
 * bad parameter answered 400 naming it. The expected values come from the seeded rows, read with plain SQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The seeded messages' first second; rows follow at 4 per second (ties on timestamp on purpose). */
    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    static Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private TestDatabase db;
    private InProcessApplication app;

    @BeforeAll
    void start() {
        db = TestDatabase.create();
        // 2,400 messages, 4 per second from T0: okx/binance/custom, BTC-USDT/ETH-USDT, trade/ticker, every 7th
        // without a price; plus 5 okx BTC-USDT trades sharing one timestamp exactly
        db.execute("""
                INSERT INTO websocket_messages (timestamp, exchange, connector_id, instrument, price, data,
                    message_type, message_number, format)
                SELECT TIMESTAMPTZ '2026-12-01 00:00:00+00' + (g / 4) * INTERVAL '1 second',
                       (ARRAY['okx', 'binance', 'custom'])[g % 3 + 1], 'src-' || g % 3,
                       CASE WHEN g % 2 = 0 THEN 'BTC-USDT' ELSE 'ETH-USDT' END,
                       CASE WHEN g % 7 = 0 THEN NULL ELSE 100000 + g + 0.5 END,
                       jsonb_build_object('g', g), CASE WHEN g % 5 = 0 THEN 'ticker' ELSE 'trade' END, g, 'OKX'
                FROM generate_series(0, 2399) g""");
        db.execute("""
                INSERT INTO websocket_messages (timestamp, exchange, instrument, price, data, message_type)
                SELECT TIMESTAMPTZ '2026-12-01 00:01:40+00', 'okx', 'BTC-USDT', 90000 + g, '{}', 'trade'
                FROM generate_series(1, 5) g""");
        // 250 batch rows, one per second, alternating okx/binance, each with a messages array
        db.execute("""
                INSERT INTO websocket_batches (timestamp, exchange, connector_id, total_messages, messages_per_second,
                    instruments, messages, metrics)
                SELECT TIMESTAMPTZ '2026-12-01 00:00:00+00' + g * INTERVAL '1 second',
                       CASE WHEN g % 2 = 0 THEN 'okx' ELSE 'binance' END, 'src', 3, 30.5, ARRAY['BTC-USDT'],
                       jsonb_build_array(jsonb_build_object('n', g), jsonb_build_object('n', g + 1),
                                         jsonb_build_object('n', g + 2)),
                       jsonb_build_object('first_message_number', g * 3)
                FROM generate_series(0, 249) g""");
        app = InProcessApplication.start(db, workDir, Map.of());
    }

    @AfterAll
    void stop() {
        if (app != null) {
            app.close();
        }
        db.close();
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(app.apiBase() + pathAndQuery))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode ok(String pathAndQuery) throws Exception {
        HttpResponse<String> r = get(pathAndQuery);
        assertThat(r.statusCode()).as(pathAndQuery + " -> " + r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        return JSON.readTree(r.body());
    }

    private Set<Long> ids(String where) {
        return db.rows("SELECT id FROM websocket_messages" + where).stream()
                .map(r -> ((Number) r.get(0)).longValue()).collect(Collectors.toSet());
    }

    /** Walks every page of {@code path} (a query string without before); answers the items in order. */
    private List<JsonNode> walk(String path, Runnable betweenPages) throws Exception {
        List<JsonNode> items = new ArrayList<>();
        String next = null;
        int pages = 0;
        do {
            JsonNode page = ok(path + (next == null ? "" : "&before=" + next));
            page.path("items").forEach(items::add);
            next = page.path("next").isNull() ? null : page.path("next").asText();
            betweenPages.run();
            assertThat(++pages).as("pages of " + path).isLessThan(10_000);
        } while (next != null);
        return items;
    }

    private static void assertNewestFirst(List<JsonNode> items) {
        for (int i = 1; i < items.size(); i++) {
            Instant a = Instant.parse(items.get(i - 1).path("timestamp").asText());
            Instant b = Instant.parse(items.get(i).path("timestamp").asText());
            assertThat(a.isAfter(b) || a.equals(b) && items.get(i - 1).path("id").asLong() > items.get(i).path("id").asLong())
                    .as("newest first at %d: %s then %s", i, items.get(i - 1), items.get(i)).isTrue();
        }
    }

    private static Set<Long> idsOf(List<JsonNode> items) {
        Set<Long> ids = new HashSet<>();
        for (JsonNode n : items) {
            assertThat(ids.add(n.path("id").asLong())).as("listed once: " + n.path("id")).isTrue();
        }
        return ids;
    }

    @Test
    void messagesAreListedNewestFirstAndEveryPageWalkVisitsEveryRowExactlyOnce() throws Exception {
        JsonNode first = ok("/api/messages");
        assertThat(first.path("items")).hasSize(100);
        JsonNode newest = first.path("items").get(0);
        assertThat(newest.path("timestamp").asText()).isEqualTo("2026-12-01T00:09:59Z");
        assertThat(newest.path("data").path("g").asInt()).isEqualTo(2399);
        assertThat(newest.fieldNames()).toIterable().contains("id", "exchange", "instrument", "price",
                "message_type", "format", "connector_id", "message_number", "latency_ms", "total_time", "data");
        assertThat(first.path("next").asText()).isNotBlank();

        // all rows, with ties on timestamp across page boundaries (limit 7 with 4 rows per second)
        List<JsonNode> all = walk("/api/messages?limit=7", () -> { });
        assertNewestFirst(all);
        assertThat(idsOf(all)).isEqualTo(ids(""));

        // each filter alone and together
        Map<String, String> filters = new LinkedHashMap<>();
        filters.put("exchange=okx", " WHERE exchange = 'okx'");
        filters.put("instrument=ETH-USDT", " WHERE instrument = 'ETH-USDT'");
        filters.put("message_type=ticker", " WHERE message_type = 'ticker'");
        filters.put("since=2026-12-01T00:05:00Z", " WHERE timestamp >= '2026-12-01T00:05:00Z'");
        filters.put("until=" + T0.plusSeconds(30).toEpochMilli(), " WHERE timestamp < '2026-12-01T00:00:30Z'");
        filters.put("exchange=okx&instrument=BTC-USDT&message_type=trade&since=2026-12-01T00:01:00.000Z"
                + "&until=2026-12-01T01:02:00%2B01:00", " WHERE exchange = 'okx' AND instrument = 'BTC-USDT'"
                + " AND message_type = 'trade' AND timestamp >= '2026-12-01T00:01:00Z' AND timestamp < '2026-12-01T00:02:00Z'");
        filters.put("since=2026-12-01T01:01:00+01:00&until=2026-12-01T00:01:10Z",
                " WHERE timestamp >= '2026-12-01T00:01:00Z' AND timestamp < '2026-12-01T00:01:10Z'");
        filters.put("exchange=kraken", " WHERE exchange = 'kraken'");
        for (Map.Entry<String, String> f : filters.entrySet()) {
            List<JsonNode> items = walk("/api/messages?limit=50&" + f.getKey(), () -> { });
            assertNewestFirst(items);
            assertThat(idsOf(items)).as(f.getKey()).isEqualTo(ids(f.getValue()));
        }
        assertThat(ids(" WHERE exchange = 'okx' AND instrument = 'BTC-USDT' AND message_type = 'trade'"
                + " AND timestamp >= '2026-12-01T00:01:00Z' AND timestamp < '2026-12-01T00:02:00Z'")).hasSizeGreaterThan(10);

        // a page exactly at the end says there is no next page
        long okx = ids(" WHERE exchange = 'okx'").size();
        JsonNode exact = ok("/api/messages?exchange=okx&limit=" + okx);
        assertThat(exact.path("items")).hasSize((int) okx);
        assertThat(exact.path("next").isNull()).isTrue();
    }

    @Test
    void pagesStayStableWhileRowsAreInserted() throws Exception {
        Set<Long> before = ids(" WHERE instrument = 'BTC-USDT'");
        int[] round = {0};
        List<JsonNode> items = walk("/api/messages?instrument=BTC-USDT&limit=60", () -> db.execute(
                "INSERT INTO websocket_messages (timestamp, exchange, instrument, price, data) VALUES"
                        + " (now(), 'okx', 'BTC-USDT', 1, '{\"late\":" + round[0]++ + "}')"));
        assertNewestFirst(items);
        assertThat(idsOf(items)).isEqualTo(before);
        db.execute("DELETE FROM websocket_messages WHERE data ? 'late'");
    }

    @Test
    void countsAreExactPerExchange() throws Exception {
        JsonNode counts = ok("/api/messages/counts");
        assertThat(counts.isArray()).isTrue();
        Map<String, Long> expected = new LinkedHashMap<>();
        for (List<Object> r : db.rows("SELECT exchange, count(*) FROM websocket_messages GROUP BY 1 ORDER BY 1")) {
            expected.put((String) r.get(0), ((Number) r.get(1)).longValue());
        }
        Map<String, Long> actual = new LinkedHashMap<>();
        counts.forEach(c -> actual.put(c.path("exchange").asText(), c.path("count").asLong()));
        assertThat(actual).isEqualTo(expected).containsEntry("okx", 805L);
        assertThat(counts.get(0).path("exchange").asText()).isEqualTo("binance");
        assertThat(counts.get(0).path("last_message").asText()).isEqualTo("2026-12-01T00:09:59Z");
    }

    @Test
    void rawPricesAreTheNewestPointsOfTheWindowOldestFirst() throws Exception {
        List<List<Object>> rows = db.rows("SELECT timestamp, price FROM websocket_messages WHERE instrument = 'BTC-USDT'"
                + " AND price IS NOT NULL AND timestamp >= '2026-12-01T00:01:00Z' AND timestamp < '2026-12-01T00:02:00Z'"
                + " ORDER BY timestamp, id");
        JsonNode all = ok("/api/prices?instrument=BTC-USDT&since=2026-12-01T00:01:00Z&until=2026-12-01T00:02:00Z");
        assertThat(all.path("truncated").asBoolean()).isFalse();
        assertThat(all.path("items")).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonNode p = all.path("items").get(i);
            assertThat(p.fieldNames()).toIterable().containsExactly("timestamp", "price");
            assertThat(Instant.parse(p.path("timestamp").asText()))
                    .isEqualTo(((java.sql.Timestamp) rows.get(i).get(0)).toInstant());
            assertThat(p.path("price").decimalValue()).isEqualByComparingTo((BigDecimal) rows.get(i).get(1));
        }

        // limit: the newest points, still oldest first, and said to be truncated
        JsonNode newest = ok("/api/prices?instrument=BTC-USDT&since=2026-12-01T00:01:00Z&until=2026-12-01T00:02:00Z&limit=10");
        assertThat(newest.path("truncated").asBoolean()).isTrue();
        assertThat(newest.path("items")).hasSize(10);
        assertThat(newest.path("items").get(9)).isEqualTo(all.path("items").get(rows.size() - 1));
        assertThat(newest.path("items").get(0)).isEqualTo(all.path("items").get(rows.size() - 10));

        // no window: the newest 1000 points of the instrument
        JsonNode dflt = ok("/api/prices?instrument=BTC-USDT");
        assertThat(dflt.path("items")).hasSize(1000);
        assertThat(dflt.path("truncated").asBoolean()).isTrue();
        assertThat(dflt.path("items").get(999).path("timestamp").asText()).isEqualTo("2026-12-01T00:09:59Z");
        assertThat(ok("/api/prices?instrument=DOGE-USDT").path("items")).isEmpty();
    }

    @Test
    void pricesCanBeOfOneExchange() throws Exception {
        String window = "since=2026-12-01T00:01:00Z&until=2026-12-01T00:03:00Z";
        for (String exchange : List.of("okx", "binance")) {
            JsonNode raw = ok("/api/prices?exchange=" + exchange + "&instrument=BTC-USDT&limit=10000&" + window);
            List<List<Object>> expected = db.rows("SELECT price FROM websocket_messages WHERE exchange = '" + exchange
                    + "' AND instrument = 'BTC-USDT' AND price IS NOT NULL AND timestamp >= '2026-12-01T00:01:00Z'"
                    + " AND timestamp < '2026-12-01T00:03:00Z' ORDER BY timestamp, id");
            assertThat(expected).isNotEmpty();
            List<BigDecimal> prices = new ArrayList<>();
            raw.path("items").forEach(i -> prices.add(i.path("price").decimalValue()));
            assertThat(prices).usingElementComparator(BigDecimal::compareTo)
                    .containsExactlyElementsOf(expected.stream().map(r -> (BigDecimal) r.get(0)).toList());
            JsonNode buckets = ok("/api/prices?exchange=" + exchange + "&instrument=BTC-USDT&bucket=1m&" + window);
            long counted = 0;
            for (JsonNode b : buckets.path("items")) {
                counted += b.path("count").asLong();
            }
            assertThat(counted).isEqualTo(expected.size());
        }
        // every exchange's together without the filter
        JsonNode all = ok("/api/prices?instrument=BTC-USDT&limit=10000&" + window);
        assertThat(all.path("items").size()).isEqualTo(db.queryLong("SELECT count(*) FROM websocket_messages"
                + " WHERE instrument = 'BTC-USDT' AND price IS NOT NULL AND timestamp >= '2026-12-01T00:01:00Z'"
                + " AND timestamp < '2026-12-01T00:03:00Z'"));
        assertThat(ok("/api/prices?exchange=kraken&instrument=BTC-USDT").path("items")).isEmpty();
    }

    @Test
    void bucketsSummariseTheirPoints() throws Exception {
        String window = "since=2026-12-01T00:00:00Z&until=2026-12-01T00:05:00Z";
        JsonNode raw = ok("/api/prices?instrument=BTC-USDT&limit=10000&" + window);
        JsonNode buckets = ok("/api/prices?instrument=BTC-USDT&bucket=1m&" + window);
        assertThat(buckets.path("truncated").asBoolean()).isFalse();
        assertThat(buckets.path("items")).hasSize(5);
        // expected from the raw points (oldest first, ties by id as the buckets' first/last)
        Map<String, List<BigDecimal>> byMinute = new LinkedHashMap<>();
        raw.path("items").forEach(p -> byMinute.computeIfAbsent(p.path("timestamp").asText().substring(0, 16),
                k -> new ArrayList<>()).add(p.path("price").decimalValue()));
        int i = 0;
        for (Map.Entry<String, List<BigDecimal>> e : byMinute.entrySet()) {
            JsonNode b = buckets.path("items").get(i++);
            List<BigDecimal> ps = e.getValue();
            assertThat(b.path("bucket").asText()).isEqualTo(e.getKey() + ":00Z");
            assertThat(b.path("first").decimalValue()).isEqualByComparingTo(ps.get(0));
            assertThat(b.path("last").decimalValue()).isEqualByComparingTo(ps.get(ps.size() - 1));
            assertThat(b.path("min").decimalValue()).isEqualByComparingTo(ps.stream().min(BigDecimal::compareTo).get());
            assertThat(b.path("max").decimalValue()).isEqualByComparingTo(ps.stream().max(BigDecimal::compareTo).get());
            BigDecimal sum = ps.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(b.path("avg").decimalValue()).isEqualByComparingTo(
                    sum.divide(BigDecimal.valueOf(ps.size()), 8, java.math.RoundingMode.HALF_UP));
            assertThat(b.path("count").asLong()).isEqualTo(ps.size());
        }
        // the minute with 5 equal timestamps: the last by id among them
        assertThat(buckets.path("items").get(1).path("min").decimalValue()).isEqualByComparingTo("90001");

        // limit buckets: the newest ones, truncated said; no since: the newest buckets before until
        JsonNode three = ok("/api/prices?instrument=BTC-USDT&bucket=1m&limit=3&" + window);
        assertThat(three.path("truncated").asBoolean()).isTrue();
        assertThat(three.path("items")).extracting(n -> n.path("bucket").asText())
                .containsExactly("2026-12-01T00:02:00Z", "2026-12-01T00:03:00Z", "2026-12-01T00:04:00Z");
        JsonNode noSince = ok("/api/prices?instrument=BTC-USDT&bucket=15s&limit=4&until=2026-12-01T00:05:00Z");
        assertThat(noSince.path("truncated").asBoolean()).isTrue();
        assertThat(noSince.path("items")).extracting(n -> n.path("bucket").asText()).containsExactly(
                "2026-12-01T00:04:00Z", "2026-12-01T00:04:15Z", "2026-12-01T00:04:30Z", "2026-12-01T00:04:45Z");
        JsonNode hour = ok("/api/prices?instrument=BTC-USDT&bucket=1h&since=2026-12-01T00:00:00Z");
        assertThat(hour.path("truncated").asBoolean()).isFalse();
        assertThat(hour.path("items")).hasSize(1);
        assertThat(hour.path("items").get(0).path("count").asLong())
                .isEqualTo(db.queryLong("SELECT count(*) FROM websocket_messages WHERE instrument = 'BTC-USDT'"
                        + " AND price IS NOT NULL"));
    }

    @Test
    void batchesAreListedNewestFirstWithoutTheirMessagesUnlessAsked() throws Exception {
        List<JsonNode> okx = walk("/api/batches?exchange=okx&limit=7", () -> { });
        assertNewestFirst(okx);
        assertThat(idsOf(okx)).isEqualTo(db.rows("SELECT id FROM websocket_batches WHERE exchange = 'okx'").stream()
                .map(r -> ((Number) r.get(0)).longValue()).collect(Collectors.toSet()));
        assertThat(okx).allSatisfy(b -> {
            assertThat(b.has("messages")).isFalse();
            assertThat(b.path("exchange").asText()).isEqualTo("okx");
        });
        assertThat(okx.get(0).path("instruments").get(0).asText()).isEqualTo("BTC-USDT");
        assertThat(okx.get(0).path("metrics").path("first_message_number").asLong()).isEqualTo(248 * 3);
        assertThat(walk("/api/batches?limit=1000", () -> { })).hasSize(250);

        JsonNode with = ok("/api/batches?include_messages=true&limit=2");
        assertThat(with.path("items")).hasSize(2);
        assertThat(with.path("items").get(0).path("messages")).hasSize(3);
        assertThat(with.path("items").get(0).path("messages").get(0).path("n").asInt()).isEqualTo(249);
        assertThat(ok("/api/batches").path("items")).hasSize(100);
    }

    @Test
    void monitoringHasSizesExactRowCountsAndActivity() throws Exception {
        JsonNode m = ok("/api/monitoring");
        assertThat(m.path("database_size_bytes").asLong()).isPositive();
        Map<String, JsonNode> tables = new LinkedHashMap<>();
        m.path("tables").forEach(t -> tables.put(t.path("table").asText(), t));
        assertThat(tables).containsKeys("websocket_messages", "websocket_batches", "api_connector_data",
                "api_connectors", "connector_status", "dead_letters");
        for (String t : List.of("websocket_messages", "websocket_batches", "api_connector_data")) {
            assertThat(tables.get(t).path("rows").asLong()).as(t)
                    .isEqualTo(db.queryLong("SELECT count(*) FROM " + t));
            assertThat(tables.get(t).path("size_bytes").asLong()).as(t).isPositive();
        }
        assertThat(tables.get("websocket_messages").path("rows").asLong()).isEqualTo(2405);
        JsonNode okx = null;
        for (JsonNode a : m.path("activity")) {
            if (a.path("exchange").asText().equals("okx")) {
                okx = a;
            }
        }
        assertThat(okx).isNotNull();
        assertThat(okx.path("messages").asLong()).isEqualTo(805);
        assertThat(okx.path("last_message").asText()).isEqualTo("2026-12-01T00:09:59Z");
    }

    @Test
    void badParametersAre400NamingTheParameter() throws Exception {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("/api/messages?limit=0", "limit");
        bad.put("/api/messages?limit=1001", "limit");
        bad.put("/api/messages?limit=ten", "limit");
        bad.put("/api/messages?since=yesterday", "since");
        bad.put("/api/messages?until=2026-12-01T00:00:00", "until");
        bad.put("/api/messages?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", "since");
        bad.put("/api/messages?before=abc", "before");
        bad.put("/api/messages?before=12.34.56", "before");
        bad.put("/api/messages?exchnage=okx", "exchnage");
        bad.put("/api/messages?limit=5&limit=6", "limit");
        bad.put("/api/messages/counts?exchange=okx", "exchange");
        bad.put("/api/prices", "instrument");
        bad.put("/api/prices?instrument=BTC-USDT&bucket=2m", "bucket");
        bad.put("/api/prices?instrument=BTC-USDT&limit=10001", "limit");
        bad.put("/api/prices?instrument=BTC-USDT&since=soon", "since");
        bad.put("/api/prices?instrument=BTC-USDT&since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z", "since");
        bad.put("/api/batches?limit=-1", "limit");
        bad.put("/api/batches?include_messages=true&limit=11", "limit");
        bad.put("/api/batches?include_messages=maybe", "include_messages");
        bad.put("/api/batches?before=x", "before");
        bad.put("/api/monitoring?verbose=1", "verbose");
        for (Map.Entry<String, String> e : bad.entrySet()) {
            HttpResponse<String> r = get(e.getKey());
            assertThat(r.statusCode()).as(e.getKey() + " -> " + r.body()).isEqualTo(400);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("error").asText()).isNotBlank();
            assertThat(body.path("problems")).as(e.getKey()).anySatisfy(
                    p -> assertThat(p.asText()).startsWith(e.getValue() + ":"));
        }
        // several problems at once: each named
        JsonNode several = JSON.readTree(get("/api/messages?limit=0&since=x&before=y").body());
        assertThat(several.path("problems")).hasSize(3);
    }

    @Test
    void theOpenApiDocumentListsTheQueries() throws Exception {
        JsonNode doc = ok("/api/openapi.json");
        assertThat(doc.path("paths").fieldNames()).toIterable().contains("/messages", "/messages/counts", "/prices",
                "/batches", "/monitoring", "/connectors");
    }
}
