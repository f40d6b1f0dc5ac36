package io.marketetl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped HTTP API connectors (okx-ticker, binance-ticker route files) end to end: the application in its own JVM
 * polls the simulator's REST tickers on Quartz triggers through camel-http; rows land in api_connector_data through
 * the same batch and load stages as WebSocket messages.
 */
class HttpConnectorsEndToEndTest {

    private static final Duration ROWS = Duration.ofSeconds(60);

    @TempDir
    Path workDir;

    @Test
    void shippedConnectorsStoreTickersWithTheirCallsAndPickUpAnEditWhileRunning() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(3)
                .ratePerConnection(5).build()); TestDatabase db = TestDatabase.create()) {
            String firstOkxSession;
            try (RunningApp app = RunningApp.start(workDir, db, sim, Map.of())) {
                await().atMost(ROWS).untilAsserted(() -> assertThat(db.queryLong("SELECT count(DISTINCT (connector_id,"
                        + " instrument)) FROM api_connector_data WHERE status_code = 200")).isEqualTo(4));

                // every row: the call it came from, normalised fields, the stage timings
                assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id NOT IN"
                        + " ('okx-ticker', 'binance-ticker') OR instrument NOT IN ('BTC-USDT', 'ETH-USDT')"
                        + " OR price IS NULL OR price <= 0 OR message_type <> 'ticker' OR status_code <> 200"
                        + " OR response_time_ms IS NULL OR response_time_ms < 0 OR session_id IS NULL"
                        + " OR source_id IS NULL OR exchange <> CASE connector_id WHEN 'okx-ticker' THEN 'okx'"
                        + " ELSE 'binance' END OR message_number IS NULL OR load_time IS NULL"
                        + " OR abs(total_time - (extract_time + transform_time + load_time)) > 0.000003")).isZero();
                // OKX's ticker has its own time: the row's timestamp and a latency; the price is the item's last
                assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = 'okx-ticker'"
                        + " AND (latency_ms IS NULL OR price <> (data->>'last')::numeric"
                        + " OR timestamp <> to_timestamp((data->>'ts')::bigint / 1000.0))")).isZero();
                assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = 'binance-ticker'"
                        + " AND price <> (data->>'price')::numeric")).isZero();
                // the raw answer once per call (its first row), one session per connector run
                assertThat(db.queryLong("SELECT count(*) - count(DISTINCT source_id) FROM api_connector_data"
                        + " WHERE raw_response IS NOT NULL")).isZero();
                assertThat(db.queryLong("SELECT count(DISTINCT session_id) FROM api_connector_data")).isEqualTo(2);
                assertThat(db.queryLong("SELECT count(*) - count(DISTINCT (connector_id, message_number))"
                        + " FROM api_connector_data")).isZero();

                // registered: protocol REST, origin yaml, no secret stored; status running with exact counts
                assertThat(db.queryString("SELECT string_agg(connector_id || ':' || protocol_type || ':' || origin"
                        + " || ':' || exchange_name || ':' || coalesce(credentials_encrypted, '-'), ',' ORDER BY"
                        + " connector_id) FROM api_connectors WHERE protocol_type = 'REST'"))
                        .isEqualTo("binance-ticker:REST:yaml:binance:-,okx-ticker:REST:yaml:okx:-");
                await().atMost(ROWS).untilAsserted(() -> assertThat(db.queryLong("SELECT count(*) FROM"
                        + " connector_status s WHERE s.connector_id IN ('okx-ticker', 'binance-ticker')"
                        + " AND s.status = 'running' AND s.message_count = (SELECT count(*) FROM api_connector_data d"
                        + " WHERE d.connector_id = s.connector_id)")).isEqualTo(2));

                // an edit while running: ETH-USDT only, a new session
                firstOkxSession = db.queryString("SELECT min(session_id) FROM api_connector_data"
                        + " WHERE connector_id = 'okx-ticker'");
                Path file = app.routes.resolve("okx-ticker.camel.yaml");
                Files.writeString(file, Files.readString(file).replace("instruments: BTC-USDT,ETH-USDT",
                        "instruments: ETH-USDT"));
                await().atMost(ROWS).untilAsserted(() -> assertThat(db.queryLong("SELECT count(*) FROM"
                        + " api_connector_data WHERE connector_id = 'okx-ticker' AND session_id <> '" + firstOkxSession
                        + "' AND instrument = 'ETH-USDT'")).isGreaterThan(2));
                assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = 'okx-ticker'"
                        + " AND session_id <> '" + firstOkxSession + "' AND instrument <> 'ETH-USDT'")).isZero();
            }
        }
    }
}
