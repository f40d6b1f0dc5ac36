package io.marketetl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.StoredOnce;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost, nothing doubled: the shipped sources run for a few minutes while the simulator drops every
 * connection every few seconds and sends malformed frames, and the database goes away for a while (a proxy the test
 * cuts). Afterwards every item the simulator sent is one row, every malformed frame is kept aside, no message
 * number or trade id is stored twice, and no source ever held two sockets or broke a rate limit.
 * In the suite a 30 s smoke of the soak (soaks belong outside the suite); {@code -Dsoak.seconds=N} runs it as long
 * as you like: {@code mvn test -Dtest=NothingLostSoakTest -Dsoak.seconds=900}.
 */
class NothingLostSoakTest {

    @TempDir
    Path workDir;

    @Test
    void sentEqualsStoredThroughDisconnectsMalformedFramesAndADatabaseOutage() throws Exception {
        long soakSeconds = Long.getLong("soak.seconds", 30);
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(11)
                .ratePerConnection(100).build());
                TestDatabase db = TestDatabase.create();
                TcpProxy dbPath = new TcpProxy(db.settings().host(), db.settings().port())) {
            TestDatabase viaProxy = db;
            try (RunningApp app = RunningApp.start(workDir, viaProxy, sim, Map.of(
                    "POSTGRES_PORT", Integer.toString(dbPath.port()),
                    "MARKET_ETL_POOL_MIN_IDLE", "2"))) {
                sim.faults().setDisconnectEvery(Duration.ofSeconds(4)).setMalformedRatio(0.01);
                long start = System.nanoTime();
                await().atMost(Duration.ofSeconds(60)).until(() -> app.count("true") > 500);

                // a database outage a third of the way in, for a tenth of the soak (at least 5 s)
                sleepUntil(start, soakSeconds / 3);
                dbPath.cut();
                sleepUntil(start, soakSeconds / 3 + Math.max(5, soakSeconds / 10));
                dbPath.restore();
                sleepUntil(start, soakSeconds);

                // quiesce: no more data; everything sent must now arrive
                sim.faults().setDisconnectEvery(null).setMalformedRatio(0).setStall(true);
                Map<String, Long> sent = new LinkedHashMap<>(sim.stats().itemsSentByStream());
                long malformedSent = sim.stats().totalMalformedSent();
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                    for (Map.Entry<String, Long> stream : sent.entrySet()) {
                        assertThat(app.count(rowsOf(stream.getKey()))).as(stream.getKey()).isEqualTo(stream.getValue());
                    }
                    assertThat(db.queryLong("SELECT count(*) FROM malformed_frames")).isEqualTo(malformedSent);
                });
                assertThat(sent).hasSize(8);
                assertThat(sim.stats().totalItemsSent()).isGreaterThan(soakSeconds * 100);
                assertThat(malformedSent).isPositive();
                assertThat(db.queryLong("SELECT count(*) FROM malformed_frames WHERE reason = '' OR frame = ''"
                        + " OR connector_id NOT IN ('okx-spot', 'binance-spot')")).isZero();
                assertThat(app.count("true")).isEqualTo(sent.values().stream().mapToLong(Long::longValue).sum());

                StoredOnce.assertNoDuplicates(db);
                assertThat(db.queryLong("SELECT sum(total_messages) FROM websocket_batches"))
                        .isEqualTo(app.count("true"));

                assertThat(sim.stats().maxConcurrentConnections("market-etl/okx-spot")).isEqualTo(1);
                assertThat(sim.stats().maxConcurrentConnections("market-etl/binance-spot")).isEqualTo(1);
                assertThat(sim.stats().connectionsOpened()).isGreaterThan(soakSeconds / 4);
                assertThat(sim.stats().closesSent(1008)).isZero();
            }
        }
    }

    /** The rows of one simulator stream: okx:trades:BTC-USDT, okx:tickers:ETH-USDT, binance:btcusdt@trade, ... */
    static String rowsOf(String streamKey) {
        String[] p = streamKey.split(":");
        if (p[0].equals("okx")) {
            String type = switch (p[1]) {
                case "trades" -> "trade";
                case "tickers" -> "ticker";
                case "bbo-tbt" -> "book_ticker";
                default -> p[1];
            };
            return "exchange = 'okx' AND message_type = '" + type + "' AND instrument = '" + p[2] + "'";
        }
        String[] stream = p[1].split("@");
        String type = switch (stream[1]) {
            case "trade" -> "trade";
            case "bookTicker" -> "book_ticker";
            case "ticker" -> "ticker";
            default -> stream[1];
        };
        String symbol = stream[0].toUpperCase();
        String instrument = symbol.substring(0, symbol.length() - 4) + "-" + symbol.substring(symbol.length() - 4);
        return "exchange = 'binance' AND message_type = '" + type + "' AND instrument = '" + instrument + "'";
    }

    private static void sleepUntil(long startNanos, long seconds) throws InterruptedException {
        long wait = startNanos + Duration.ofSeconds(seconds).toNanos() - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait).toMillis());
        }
    }
}
