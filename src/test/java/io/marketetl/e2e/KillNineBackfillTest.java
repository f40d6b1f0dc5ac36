package io.marketetl.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.SimulatorHistory;
import io.marketetl.testsupport.StoredOnce;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #11's kill -9 acceptance, on the application as shipped in its own JVM with its shipped okx-spot and binance-spot
 * sources: trades stream, the application is killed with SIGKILL (what was in memory is lost) and started again on the
 * same spool, then the simulator drops the sockets every few seconds; the market moves on while nobody reads (those
 * trades go only to the simulator's REST history). Afterwards every trade the simulator made from the first one stored
 * on is stored exactly once: the reconnect gaps and the restart gap were filled from the REST history, and those rows
 * are marked backfilled.
 */
class KillNineBackfillTest {

    private static final List<String> INSTRUMENTS = List.of("BTC-USDT", "ETH-USDT");
    private static final List<String> SOURCES = List.of("okx-spot", "binance-spot");

    @TempDir
    Path workDir;

    @Test
    void afterKillNineAndDropsEveryTradeIsStoredOnceWithTheGapsBackfilled() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(29)
                .ratePerConnection(100).unreadTradesPerSecond(200).build());
                TestDatabase db = TestDatabase.create()) {
            Map<String, String> env = Map.of(
                    "MARKET_ETL_SPOOL_DIR", workDir.resolve("spool").toString(),
                    "MARKET_ETL_BACKFILL_PERIOD_MS", "200",
                    "MARKET_ETL_BACKFILL_GRACE_MS", "500",
                    "MARKET_ETL_BACKFILL_RETRY_INITIAL_MS", "500",
                    "MARKET_ETL_BACKFILL_RETRY_MAX_MS", "2000",
                    // no watchdog reconnect once the market stops: a new subscription after a silence makes the
                    // simulator's market move on (into its history) while nobody reads, past the end of the test
                    "MARKET_ETL_SOURCE_STALE_AFTER_MS", "600000");
            try (RunningApp app = RunningApp.start(workDir.resolve("first"), db, sim, env)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> app.count("message_type = 'trade'") > 300);
                Map<String, Long> sentBefore = sim.stats().itemsSentByStream();
                long beforeMs = System.currentTimeMillis();
                await().atMost(Duration.ofSeconds(30)).until(() -> app.count("message_type = 'trade'") > 600);
                app.process.kill(); // under load: the batches in memory are lost
                reportTickerLoss(db, sentBefore, sim.stats().itemsSentByStream(), System.currentTimeMillis() - beforeMs);
            }
            long beforeRestart = db.queryLong("SELECT count(*) FROM websocket_messages WHERE message_type = 'trade'");
            try (RunningApp again = RunningApp.start(workDir.resolve("second"), db, sim, env)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> again.count("message_type = 'trade'")
                        > beforeRestart + 300);
                sim.faults().setDisconnectEvery(Duration.ofSeconds(3));
                await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong("SELECT count(*) FROM trade_gaps"
                        + " WHERE cause = 'stream'") >= 2);
                sim.faults().setDisconnectEvery(Duration.ZERO);
                await().atMost(Duration.ofSeconds(30)).until(() -> db.queryLong("SELECT count(*) FROM trade_gaps"
                        + " WHERE cause = 'restart'") >= 1 && SOURCES.stream().allMatch(s -> connected(sim, s)));
                // a gap shows with the first trade after it: let every stream deliver on its last connection
                Map<String, Long> now = storedByStream(db);
                await().atMost(Duration.ofSeconds(30)).until(() -> {
                    Map<String, Long> later = storedByStream(db);
                    return now.keySet().stream().allMatch(k -> later.get(k) >= now.get(k) + 20);
                });
                sim.faults().setStall(true); // the market stops: the history is final
                Map<String, List<Long>> made = new java.util.LinkedHashMap<>();
                for (String exchange : List.of("okx", "binance")) {
                    for (String inst : INSTRUMENTS) {
                        made.put(exchange + " " + inst, SimulatorHistory.tradeIds(sim, exchange, inst));
                    }
                }
                for (Map.Entry<String, List<Long>> stream : made.entrySet()) {
                    String[] key = stream.getKey().split(" ");
                    List<Long> ids = stream.getValue();
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                        List<Long> stored = SimulatorHistory.stored(db.dataSource(), key[0], key[1]);
                        assertThat(stored).as("%s: stored once each; trade_gaps: %s", stream.getKey(),
                                db.rows("SELECT instrument, cause, from_trade_id, to_trade_id, status, attempts,"
                                        + " trades_backfilled, last_error FROM trade_gaps ORDER BY id"))
                                .containsExactlyElementsOf(ids.subList(ids.indexOf(stored.get(0)), ids.size()));
                    });
                }
                StoredOnce.assertNoDuplicates(db);
                assertThat(db.queryLong("SELECT count(*) FROM trade_gaps WHERE status <> 'filled'")).isZero();
                assertThat(db.queryLong("SELECT count(*) FROM websocket_messages WHERE backfilled")).isPositive();
                assertThat(db.queryLong("SELECT coalesce(sum(trades_backfilled), 0) FROM trade_gaps"))
                        .isEqualTo(db.queryLong("SELECT count(*) FROM websocket_messages WHERE backfilled"));
            }
        }
    }

    /**
     * Item 7's measurement, printed (a figure for the README, not an assertion): what the kill cost the channels without
     * a REST history (tickers, book tickers): items the simulator sent to the killed process that are not stored,
     * and how many milliseconds of each stream that is at the rate it ran.
     */
    private static void reportTickerLoss(TestDatabase db, Map<String, Long> sentBefore, Map<String, Long> sentByStream,
            long windowMs) {
        StringBuilder out = new StringBuilder("kill -9 loss (channels without REST history):");
        for (Map.Entry<String, Long> e : new java.util.TreeMap<>(sentByStream).entrySet()) {
            String where = NothingLostSoakTest.rowsOf(e.getKey());
            if (where.contains("'trade'")) {
                continue;
            }
            long stored = db.queryLong("SELECT count(*) FROM websocket_messages WHERE " + where);
            long lost = e.getValue() - stored;
            double perMs = (e.getValue() - sentBefore.getOrDefault(e.getKey(), 0L)) / (double) windowMs;
            out.append(String.format(java.util.Locale.ROOT, "%n  %-28s sent %6d stored %6d lost %4d = %6.0f ms",
                    e.getKey(), e.getValue(), stored, lost, lost / perMs));
        }
        System.out.println(out);
    }

    private static boolean connected(ExchangeSimulator sim, String sourceId) {
        return sim.stats().currentConnections("market-etl/" + sourceId) == 1;
    }

    /** Trades received live (not backfilled) and stored, per exchange and instrument. */
    private static Map<String, Long> storedByStream(TestDatabase db) {
        Map<String, Long> out = new java.util.HashMap<>();
        for (List<Object> r : db.rows("SELECT exchange || ' ' || instrument, count(*) FROM websocket_messages"
                + " WHERE message_type = 'trade' AND backfilled IS NULL GROUP BY 1")) {
            out.put((String) r.get(0), (Long) r.get(1));
        }
        return out;
    }
}
