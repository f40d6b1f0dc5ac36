package io.marketetl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped sources end to end: the application (own JVM, shipped route files) against the exchange simulator
 * (this JVM) and a real PostgreSQL, asserting on rows, connector status and what the simulator saw.
 */
class ExchangeSourcesEndToEndTest {

    private static final Duration ROWS = Duration.ofSeconds(60);
    private static final List<String> STREAMS = List.of(
            "okx|trade|BTC-USDT", "okx|trade|ETH-USDT", "okx|ticker|BTC-USDT", "okx|ticker|ETH-USDT",
            "binance|trade|BTC-USDT", "binance|trade|ETH-USDT", "binance|book_ticker|BTC-USDT",
            "binance|book_ticker|ETH-USDT");

    @TempDir
    Path workDir;

    private static ExchangeSimulator simulator(double framesPerSecond) {
        return ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(7).ratePerConnection(framesPerSecond)
                .okxNoticeLead(Duration.ofSeconds(5)).build());
    }

    @Test
    void everyShippedStreamArrivesNormalisedWithConnectorsRegisteredAndNumbersContinuingAfterARestart() {
        try (ExchangeSimulator sim = simulator(40); TestDatabase db = TestDatabase.create()) {
            long lastNumberBeforeRestart;
            try (RunningApp app = RunningApp.start(workDir, db, sim, Map.of())) {
                await().atMost(ROWS).untilAsserted(() -> assertThat(streamsWithRows(app)).containsAll(STREAMS));

                // normalised fields, per dialect and message type
                assertThat(app.count("format <> CASE exchange WHEN 'okx' THEN 'OKX' ELSE 'Binance' END")).isZero();
                assertThat(app.count("price IS NULL OR price <= 0 OR instrument !~ '^[A-Z]+-[A-Z]+$'")).isZero();
                // trades: the price is the trade's (OKX keeps its envelope {"arg":..,"data":[trade]})
                assertThat(app.count("message_type = 'trade' AND (latency_ms IS NULL"
                        + " OR price <> coalesce(data#>>'{data,0,px}', data->>'p')::numeric)")).isZero();
                assertThat(app.count("exchange = 'binance' AND message_type = 'book_ticker'"
                        + " AND (latency_ms IS NOT NULL OR price <> ((data->>'b')::numeric + (data->>'a')::numeric) / 2)"))
                        .isZero();
                assertThat(app.count("exchange = 'okx' AND message_type = 'ticker' AND price <> (data#>>'{data,0,last}')::numeric"))
                        .isZero();
                assertThat(app.count("abs(total_time - (extract_time + transform_time + load_time)) > 0.000003"
                        + " OR load_time <= 0")).isZero();
                assertThat(app.count("connector_id IS NULL OR message_number IS NULL")).isZero();
                assertThat(db.queryLong("SELECT count(*) - count(DISTINCT (connector_id, message_number))"
                        + " FROM websocket_messages")).isZero();

                // each source file is a registered connector with a current status
                assertThat(db.queryLong("SELECT count(*) FROM api_connectors WHERE protocol_type = 'WebSocket'"
                        + " AND status = 'running' AND ((connector_id = 'okx-spot' AND exchange_name = 'okx')"
                        + " OR (connector_id = 'binance-spot' AND exchange_name = 'binance'))")).isEqualTo(2);
                await().atMost(ROWS).untilAsserted(() -> assertThat(db.queryLong(
                        "SELECT count(*) FROM connector_status WHERE status = 'running' AND message_count > 0"
                                + " AND last_message_timestamp IS NOT NULL"
                                + " AND performance_metrics ? 'messages_per_second'"
                                + " AND (performance_metrics->>'latency_p99_ms')::numeric"
                                + " >= (performance_metrics->>'latency_p50_ms')::numeric")).isEqualTo(2));
                assertThat(db.queryLong("SELECT count(*) FROM websocket_batches")).isPositive();
                lastNumberBeforeRestart = db.queryLong(
                        "SELECT max(message_number) FROM websocket_messages WHERE connector_id = 'okx-spot'");
            }
            long rowsBefore = db.queryLong("SELECT count(*) FROM websocket_messages WHERE connector_id = 'okx-spot'");
            try (RunningApp again = RunningApp.start(workDir.resolve("again"), db, sim, Map.of())) {
                await().atMost(ROWS).until(() -> db.queryLong(
                        "SELECT count(*) FROM websocket_messages WHERE connector_id = 'okx-spot'") > rowsBefore);
            }
            // after both runs (stopped: nothing in flight), the numbers continued across the restart: 1..n, each
            // once. (Row ids are not in number order: two writers may commit a source's batches in either order.)
            List<Object> numbers = db.rows("SELECT count(*), count(DISTINCT message_number), min(message_number),"
                    + " max(message_number) FROM websocket_messages WHERE connector_id = 'okx-spot'").get(0);
            assertThat(numbers).containsExactly(numbers.get(0), numbers.get(0), 1L, numbers.get(0));
            assertThat(db.queryLong("SELECT max(message_number) FROM websocket_messages WHERE connector_id ="
                    + " 'okx-spot'")).isGreaterThan(lastNumberBeforeRestart);
            assertThat(sim.stats().closesSent(1008)).isZero();
        }
    }

    @Test
    void editingARouteFileWhileRunningChangesWhatIsCollected() throws Exception {
        try (ExchangeSimulator sim = simulator(40); TestDatabase db = TestDatabase.create();
                RunningApp app = RunningApp.start(workDir, db, sim, Map.of())) {
            await().atMost(ROWS).until(() -> app.count("exchange = 'okx' AND instrument = 'ETH-USDT'") > 0);
            assertThat(app.count("exchange = 'okx' AND instrument = 'SOL-USDT'")).isZero();

            Path okx = app.routes.resolve("okx-spot.camel.yaml");
            Files.writeString(okx, Files.readString(okx).replace("instruments: BTC-USDT,ETH-USDT",
                    "instruments: BTC-USDT,SOL-USDT"));

            await().atMost(ROWS).until(() -> app.count("exchange = 'okx' AND instrument = 'SOL-USDT'") > 0);
            long ethAfterSwitch = app.count("exchange = 'okx' AND instrument = 'ETH-USDT'");
            long solAtSwitch = app.count("exchange = 'okx' AND instrument = 'SOL-USDT'");
            await().atMost(ROWS).until(() -> app.count("exchange = 'okx' AND instrument = 'SOL-USDT'")
                    > solAtSwitch + 50);
            assertThat(app.count("exchange = 'okx' AND instrument = 'ETH-USDT'")).isEqualTo(ethAfterSwitch);
            // the other source was not touched by the edit: one connection for it all along
            assertThat(sim.stats().maxConcurrentConnections("market-etl/okx-spot")).isEqualTo(1);
            assertThat(sim.stats().maxConcurrentConnections("market-etl/binance-spot")).isEqualTo(1);
        }
    }

    @Test
    void aCustomFeedDescribedOnlyInAYamlFileAddedWhileRunningIsCollected() throws Exception {
        try (ExchangeSimulator sim = simulator(40); TestDatabase db = TestDatabase.create();
                RunningApp app = RunningApp.start(workDir, db, sim, Map.of())) {
            // a feed the application has no dialect for, described by configuration alone (here: OKX's protocol)
            Files.writeString(app.routes.resolve("okx-as-custom.camel.yaml"), """
                    - route:
                        id: okx-as-custom
                        from:
                          uri: exchange:okx-as-custom
                          parameters:
                            dialect: custom
                            url: "{{market-etl.okx.ws-url}}"
                            instruments: BTC-USDT
                            subscribeMessage: 'RAW({"op":"subscribe","args":[{"channel":"trades","instId":"${instrument}"} ]})'
                            pingText: ping
                            pongText: pong
                            pingIntervalMs: 5000
                            controlRegex: 'RAW("event")'
                            itemsPointer: /data
                            instrumentPointer: /instId
                            pricePointer: /px
                            timestampPointer: /ts
                            tradeIdPointer: /tradeId
                            messageType: trade
                            exchangeName: okx-custom
                            events: "#connectorStatus"
                          steps:
                            - to: direct:normalise
                    """);
            await().atMost(ROWS).until(() -> app.count("connector_id = 'okx-as-custom'") >= 20);
            assertThat(app.count("connector_id = 'okx-as-custom' AND NOT (exchange = 'okx-custom' AND format = 'custom'"
                    + " AND message_type = 'trade' AND instrument = 'BTC-USDT' AND price > 0 AND latency_ms IS NOT NULL"
                    + " AND price = (data->>'px')::numeric)")).isZero();
            assertThat(db.queryLong("SELECT count(*) FROM api_connectors WHERE connector_id = 'okx-as-custom'"
                    + " AND exchange_name = 'okx-custom' AND protocol_type = 'WebSocket'")).isEqualTo(1);
            assertThat(db.queryLong("SELECT count(*) FROM malformed_frames")).isZero();
            assertThat(sim.stats().maxConcurrentConnections("market-etl/okx-as-custom")).isEqualTo(1);
        }
    }

    @Test
    void stallIsDetectedAndHealedAndAnUpgradeNoticeReconnectsBeforeTheServerCloses() {
        try (ExchangeSimulator sim = simulator(40); TestDatabase db = TestDatabase.create();
                RunningApp app = RunningApp.start(workDir, db, sim, Map.of())) {
            await().atMost(ROWS).untilAsserted(() -> assertThat(streamsWithRows(app)).containsAll(STREAMS));

            sim.faults().setStall(true);
            await().atMost(ROWS).until(() -> db.queryLong("SELECT count(*) FROM connector_status"
                    + " WHERE error_log LIKE '%stale: no data on%' AND reconnect_attempts > 0") == 2);
            long stalledAt = db.queryLong("SELECT count(*) FROM websocket_messages");
            sim.faults().setStall(false);
            await().atMost(ROWS).until(() -> db.queryLong("SELECT count(*) FROM websocket_messages") > stalledAt + 100);

            long closesBefore = sim.stats().closesSent(1001);
            long opened = sim.stats().connectionsOpened();
            sim.faults().sendOkxNotice(Duration.ofSeconds(5));
            await().atMost(Duration.ofSeconds(4)).until(() -> sim.stats().connectionsOpened() > opened);
            long rowsAfterNotice = app.count("exchange = 'okx'");
            await().atMost(ROWS).until(() -> app.count("exchange = 'okx'") > rowsAfterNotice + 50);
            // the source left before the server's close: the simulator never had to send it
            assertThat(sim.stats().closesSent(1001)).isEqualTo(closesBefore);
            // the handover: the successor opened beside the old connection, never more than the two
            assertThat(sim.stats().maxConcurrentConnections("market-etl/okx-spot")).isEqualTo(2);
            assertThat(sim.stats().closesSent(1008)).isZero();
        }
    }

    private static List<String> streamsWithRows(RunningApp app) {
        return app.db.rows("SELECT DISTINCT exchange || '|' || message_type || '|' || instrument"
                + " FROM websocket_messages").stream().map(row -> (String) row.get(0)).toList();
    }
}
