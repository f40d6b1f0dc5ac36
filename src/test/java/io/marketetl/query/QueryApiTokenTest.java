package io.marketetl.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.InProcessApplication;
import io.marketetl.db.StartupFailure;
import io.marketetl.testsupport.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MARKET_ETL_API_READS_NEED_TOKEN=true: every read (the query API and the connectors' GETs) answers 401 without the
 * token or with a wrong one, through real HTTP, and 200 with it. Asking for protected reads without a token is a
 * start-up failure naming both settings.
 */
class QueryApiTokenTest {

    private static final String TOKEN = "reads-token-3c9d7e";
    private static final List<String> READS = List.of("/api/messages", "/api/messages/counts",
            "/api/prices?instrument=BTC-USDT", "/api/batches", "/api/monitoring", "/api/connectors");

    @TempDir
    Path workDir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(InProcessApplication app, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(app.apiBase() + path)).timeout(Duration.ofSeconds(20));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void protectedReadsNeedTheToken() throws Exception {
        try (TestDatabase db = TestDatabase.create(); InProcessApplication app = InProcessApplication.start(db, workDir,
                Map.of("market-etl.api.token", TOKEN, "market-etl.api.reads-need-token", "true"))) {
            for (String path : READS) {
                for (String auth : new String[] {null, "Bearer wrong", "Basic " + TOKEN, TOKEN}) {
                    HttpResponse<String> r = get(app, path, auth);
                    assertThat(r.statusCode()).as(path + " with " + auth).isEqualTo(401);
                    assertThat(r.body()).as(path).contains("MARKET_ETL_API_TOKEN").doesNotContain(TOKEN);
                    assertThat(r.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Bearer");
                }
                HttpResponse<String> ok = get(app, path, "Bearer " + TOKEN);
                assertThat(ok.statusCode()).as(path + " -> " + ok.body()).isEqualTo(200);
            }
            // the token comes before the parameters: a bad parameter without the token is a 401, not a 400
            assertThat(get(app, "/api/messages?limit=0", null).statusCode()).isEqualTo(401);
            assertThat(get(app, "/api/messages?limit=0", "Bearer " + TOKEN).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void protectedReadsWithoutATokenDoNotStart() {
        try (TestDatabase db = TestDatabase.create()) {
            assertThatThrownBy(() -> InProcessApplication.start(db, workDir,
                    Map.of("market-etl.api.reads-need-token", "true")).close())
                    .hasRootCauseInstanceOf(StartupFailure.class)
                    .rootCause().hasMessageContaining("MARKET_ETL_API_READS_NEED_TOKEN")
                    .hasMessageContaining("MARKET_ETL_API_TOKEN");
        }
    }
}
