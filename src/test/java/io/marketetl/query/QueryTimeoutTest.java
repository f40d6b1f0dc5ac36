package io.marketetl.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.InProcessApplication;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A query API request that the database cannot answer in time (here: blocked behind another session's exclusive lock
 * on websocket_messages) is cancelled after MARKET_ETL_API_QUERY_TIMEOUT_MS and answered 503 naming the setting; the
 * pooled connection it used is not left with the timeout, so the next request (and the loader) work normally.
 */
class QueryTimeoutTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aRequestPastTheTimeoutIsCancelledAndAnswered503() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            db.execute("INSERT INTO websocket_messages (timestamp, exchange, instrument, price, data, message_type)"
                    + " VALUES (now(), 'okx', 'BTC-USDT', 1, '{}', 'trade')");
            try (InProcessApplication app = InProcessApplication.start(db, workDir,
                    Map.of("market-etl.api.query-timeout-ms", "400"))) {
                assertThat(get(app, "/api/messages").statusCode()).isEqualTo(200);
                try (Connection locker = db.dataSource().getConnection()) {
                    locker.setAutoCommit(false);
                    locker.createStatement().execute("LOCK TABLE websocket_messages IN ACCESS EXCLUSIVE MODE");
                    for (String path : new String[] {"/api/messages", "/api/prices?instrument=BTC-USDT",
                            "/api/monitoring"}) {
                        HttpResponse<String> r = get(app, path);
                        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(503);
                        assertThat(JSON.readTree(r.body()).path("error").asText())
                                .contains("MARKET_ETL_API_QUERY_TIMEOUT_MS", "400 ms");
                    }
                    locker.rollback();
                }
                // every pooled connection again, none of them kept the timeout or a read-only transaction
                for (int i = 0; i < 12; i++) {
                    HttpResponse<String> r = get(app, "/api/messages?exchange=okx");
                    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                    JsonNode items = JSON.readTree(r.body()).path("items");
                    assertThat(items).hasSize(1);
                }
                try (Connection c = app.dataSource().getConnection()) {
                    assertThat(c.isReadOnly()).isFalse();
                    assertThat(c.getAutoCommit()).isTrue();
                    var rs = c.createStatement().executeQuery("SHOW statement_timeout");
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("0");
                }
            }
        }
    }

    private HttpResponse<String> get(InProcessApplication app, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(app.apiBase() + path)).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
