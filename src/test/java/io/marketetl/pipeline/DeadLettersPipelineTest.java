package io.marketetl.pipeline;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.connector.ApiResponse;
import io.marketetl.connector.Extract;
import io.marketetl.exchanges.Frames;
import io.marketetl.exchanges.binance.BinanceDialect;
import io.marketetl.source.RawFrame;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

/**
 * Frames through the normalise route and the pipeline as a source sends them: what cannot be stored as market data
 * ends in dead_letters with its kind and reason, implausible values are stored flagged, and the routes keep going.
 */
class DeadLettersPipelineTest {

    private static final BinanceDialect BINANCE = Frames.binance("trade", "BTCUSDT");
    private static final Map<String, String> SETTINGS = Map.of("market-etl.batch.max-messages", "50",
            "market-etl.batch.max-wait-ms", "100", "market-etl.normalise.max-frame-bytes", "4000");

    @Test
    void hostileFramesEndAsDeadLettersOrFlaggedAndTheRouteKeepsGoing() {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.startWithNormalise(db.dataSource(), SETTINGS)) {
            DataSource ds = db.dataSource();
            long now = System.currentTimeMillis();
            p.normalise(frame(trade(1, now, "108250.01", "")));
            // a string with a lone surrogate escape: valid JSON for Java, refused by PostgreSQL's jsonb
            String surrogate = trade(2, now, "108250.02", ",\"x\":\"\\ud800\"");
            p.normalise(frame(surrogate));
            // an event time of -1 (1969-12-31) and a price of -5: stored, flagged
            p.normalise(frame(trade(3, -1, "108250.03", "")));
            p.normalise(frame(trade(4, now, "-5", "")));
            // over the size limit (4000 bytes here)
            String big = trade(5, now, "108250.05", ",\"pad\":\"" + "x".repeat(6000) + "\"");
            p.normalise(frame(big));
            // not JSON at all
            p.normalise(frame("{\"e\":\"trade\",\"E\":"));
            // an HTTP connector's answer whose items pointer finds nothing
            p.normalise(new ApiResponse("okx-ticker", "okx", 200, 12.5, "{\"code\":\"0\",\"nodata\":[]}",
                    Instant.now(), System.nanoTime(), "call-1", "session-1",
                    new Extract("/data", "/instId", "/last", "/ts", "ms", "ticker"), null, true));
            p.normalise(frame(trade(6, now, "108250.06", "")));

            await().atMost(Duration.ofSeconds(20)).until(() -> p.backlog().messages() == 0
                    && count(ds, "SELECT count(*) FROM websocket_messages") == 4);
            assertThat(p.context().getRouteController().getRouteStatus("normalise")).isEqualTo(ServiceStatus.Started);
            assertThat(p.context().getRouteController().getRouteStatus("pipeline-load"))
                    .isEqualTo(ServiceStatus.Started);

            assertThat(rows(ds, "SELECT kind, reason, connector_id FROM dead_letters ORDER BY id")).containsExactly(
                    List.of("malformed_frame", "unstorable_json:lone_surrogate_escape", "bn-1"),
                    List.of("oversize_frame", "frame_too_large:" + big.length(), "bn-1"),
                    List.of("malformed_frame", "invalid_json", "bn-1"),
                    List.of("http_body", "missing_field:/data", "okx-ticker"));
            assertThat(rows(ds, "SELECT payload FROM dead_letters ORDER BY id")).containsExactly(
                    List.of(surrogate), List.of(big.substring(0, 4096)), List.of("{\"e\":\"trade\",\"E\":"),
                    List.of("{\"code\":\"0\",\"nodata\":[]}"));
            // malformed_frames (V3) lives on as a view of the frames and bodies that could not be normalised
            assertThat(count(ds, "SELECT count(*) FROM malformed_frames")).isEqualTo(3);

            // stored and flagged: the implausible event time is not taken as the row's time
            assertThat(rows(ds, "SELECT trade_id, COALESCE(array_to_string(flags, ','), 'none'), latency_ms IS NULL,"
                    + " abs(extract(epoch FROM timestamp) * 1000 - " + now + ") < 600000"
                    + " FROM websocket_messages ORDER BY message_number")).containsExactly(
                    List.of("1", "none", false, true),
                    List.of("3", "event_time_implausible", true, true),
                    List.of("4", "price_not_positive", false, true),
                    List.of("6", "none", false, true));
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE flags IS NULL")).isEqualTo(2);
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE price < 0")).isEqualTo(1);

            assertThat(p.counter("market_etl_dead_letters")).isEqualTo(4.0);
            assertThat(p.meters().find("market_etl_dead_letters").tag("source", "bn-1")
                    .tag("reason", "unstorable_json").counter().count()).isEqualTo(1.0);
            assertThat(p.meters().find("market_etl_dead_letters").tag("source", "okx-ticker")
                    .tag("reason", "missing_field").counter().count()).isEqualTo(1.0);
            assertThat(p.meters().find("market_etl_dead_letters").tag("reason", "frame_too_large").counter().count())
                    .isEqualTo(1.0);
        }
    }

    @Test
    void withOneFrameInTenMalformedEveryValidFrameIsStoredAndEachMalformedOneIsADeadLetter() {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.startWithNormalise(db.dataSource(), SETTINGS)) {
            DataSource ds = db.dataSource();
            long now = System.currentTimeMillis();
            // 301: a valid frame last, so that the last malformed frame is reported in a batch row after it
            for (int i = 1; i <= 301; i++) {
                if (i % 10 == 0) {
                    p.normalise(frame(switch (i % 30) {
                        case 0 -> "{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":" + i + "}"; // no price
                        case 10 -> "not json " + i;
                        default -> trade(i, now, "1.0", ",\"x\":\"\\udc00\""); // lone low surrogate
                    }));
                } else {
                    p.normalise(frame(trade(i, now, "108250." + i, "")));
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> p.backlog().messages() == 0
                    && count(ds, "SELECT count(*) FROM websocket_messages") == 271);
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE trade_id::int % 10 = 0")).isZero();
            assertThat(count(ds, "SELECT count(*) FROM dead_letters")).isEqualTo(30);
            assertThat(rows(ds, "SELECT reason, count(*) FROM dead_letters GROUP BY reason ORDER BY reason"))
                    .containsExactly(List.of("invalid_json", 10L), List.of("missing_field:p", 10L),
                            List.of("unstorable_json:lone_surrogate_escape", 10L));
            assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(271);
            assertThat(count(ds, "SELECT sum((metrics->>'malformed_frames')::int) FROM websocket_batches"))
                    .isEqualTo(30);
            assertThat(p.counter("market_etl_dead_letters")).isEqualTo(30.0);
        }
    }

    @Test
    void framesHandedOverInGroupsKeepEachMalformedFrameAsideAndStoreTheOthersInOrder() {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.startWithNormalise(db.dataSource(), SETTINGS)) {
            DataSource ds = db.dataSource();
            long now = System.currentTimeMillis();
            // as a source with framesPerExchange > 1 hands queued frames over: one exchange, body List<RawFrame>
            p.normalise(List.of(frame(trade(1, now, "1.1", "")), frame("not json"), frame(trade(2, now, "1.2", "")),
                    frame(trade(3, now, "1.3", ",\"x\":\"\\ud800\"")), frame(trade(4, now, "1.4", ""))));
            // a group with nothing storable in it: both kept aside, nothing goes on, the route keeps going
            p.normalise(List.of(frame("still not json"), frame("{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":9}")));
            p.normalise(List.of(frame(trade(5, now, "1.5", "")), frame(trade(6, now, "1.6", ""))));
            await().atMost(Duration.ofSeconds(20)).until(() -> p.backlog().messages() == 0
                    && count(ds, "SELECT count(*) FROM websocket_messages") == 5);
            assertThat(rows(ds, "SELECT trade_id FROM websocket_messages ORDER BY message_number")).containsExactly(
                    List.of("1"), List.of("2"), List.of("4"), List.of("5"), List.of("6"));
            assertThat(rows(ds, "SELECT reason, payload FROM dead_letters ORDER BY id")).containsExactly(
                    List.of("invalid_json", "not json"),
                    List.of("unstorable_json:lone_surrogate_escape", trade(3, now, "1.3", ",\"x\":\"\\ud800\"")),
                    List.of("invalid_json", "still not json"),
                    List.of("missing_field:p", "{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":9}"));
            assertThat(p.context().getRouteController().getRouteStatus("normalise")).isEqualTo(ServiceStatus.Started);
            assertThat(count(ds, "SELECT sum((metrics->>'malformed_frames')::int) FROM websocket_batches"))
                    .isEqualTo(4);
        }
    }

    private static RawFrame frame(String text) {
        return new RawFrame(BINANCE.sourceId(), BINANCE, text, Instant.now(), System.nanoTime());
    }

    private static String trade(long id, long eventMs, String price, String extra) {
        return "{\"e\":\"trade\",\"E\":" + eventMs + ",\"s\":\"BTCUSDT\",\"t\":" + id + ",\"p\":\"" + price
                + "\",\"q\":\"0.0015\",\"T\":" + eventMs + ",\"m\":false,\"M\":true" + extra + "}";
    }
}
