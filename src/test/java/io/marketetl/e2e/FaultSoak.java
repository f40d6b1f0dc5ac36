package io.marketetl.e2e;

import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.SimulatorHistory;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * #11's fault soak ({@code bench/run --soak MINUTES}): the application as shipped, in its own JVM with its shipped
 * sources, against the simulator (the market moves on while nobody reads, so every drop is a real gap), with a fault
 * every {@code --fault-every-s} seconds in turn: the database cut for 10 s (a TCP proxy), every socket dropped, the
 * feed stalled (sockets open, no data) for 10 s, and kill -9 with a restart on the same spool. At the end the market
 * stops and it prints, per trade stream: trades the simulator made (from the first one stored), stored, duplicates,
 * lost and backfilled; and for the channels without a REST history (tickers, book tickers) what was sent and stored.
 * Not a test: it reports; {@link KillNineBackfillTest} is its assertion in the suite.
 */
public final class FaultSoak {

    private static final List<String> INSTRUMENTS = List.of("BTC-USDT", "ETH-USDT");
    private static final List<String> SOURCES = List.of("okx-spot", "binance-spot");

    private FaultSoak() {
    }

    public static void main(String[] args) throws Exception {
        double minutes = 5;
        int faultEvery = 30;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--soak")) {
                minutes = Double.parseDouble(args[i + 1]);
            } else if (args[i].equals("--fault-every-s")) {
                faultEvery = Integer.parseInt(args[i + 1]);
            }
        }
        System.out.println(run(Duration.ofMillis((long) (minutes * 60_000)), Duration.ofSeconds(faultEvery)));
        System.exit(0);
    }

    /** Runs the soak and returns its report (a table). */
    public static String run(Duration length, Duration faultEvery) throws Exception {
        Path work = Files.createTempDirectory("market-etl-soak");
        Map<String, Integer> faults = new LinkedHashMap<>();
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(31)
                .ratePerConnection(100).unreadTradesPerSecond(200).build());
                TestDatabase db = TestDatabase.create();
                TcpProxy dbPath = new TcpProxy(db.settings().host(), db.settings().port())) {
            Map<String, String> env = Map.of(
                    "POSTGRES_PORT", Integer.toString(dbPath.port()),
                    "MARKET_ETL_SPOOL_DIR", work.resolve("spool").toString(),
                    "MARKET_ETL_SOURCE_STALE_AFTER_MS", "5000");
            int run = 0;
            RunningApp app = RunningApp.start(work.resolve("run-" + run), db, sim, env);
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> db.queryLong("SELECT count(*) FROM"
                        + " websocket_messages") > 300);
                long end = System.nanoTime() + length.toNanos();
                String[] kinds = {"database cut 10 s", "sockets dropped", "feed stalled 10 s", "kill -9 and restart"};
                int k = 0;
                while (System.nanoTime() < end) {
                    Thread.sleep(faultEvery.toMillis()); // the soak's pace, not a wait for a condition
                    String kind = kinds[k++ % kinds.length];
                    faults.merge(kind, 1, Integer::sum);
                    System.out.printf(Locale.ROOT, "soak: %s%n", kind);
                    switch (kind) {
                        case "database cut 10 s" -> {
                            dbPath.cut();
                            Thread.sleep(10_000);
                            dbPath.restore();
                        }
                        case "sockets dropped" -> {
                            sim.faults().setDisconnectEvery(Duration.ofMillis(500));
                            Thread.sleep(700);
                            sim.faults().setDisconnectEvery(Duration.ZERO);
                        }
                        case "feed stalled 10 s" -> {
                            sim.faults().setStall(true);
                            Thread.sleep(10_000);
                            sim.faults().setStall(false);
                        }
                        default -> {
                            app.process.kill();
                            app.close();
                            app = RunningApp.start(work.resolve("run-" + (++run)), db, sim, env);
                        }
                    }
                }
                // the end: every stream delivers on its last connection (a gap shows with the next trade), then
                // the market stops and the history is final
                await().atMost(Duration.ofSeconds(60)).until(() -> SOURCES.stream().allMatch(
                        s -> sim.stats().currentConnections("market-etl/" + s) == 1));
                Map<String, Long> now = live(db);
                await().atMost(Duration.ofSeconds(60)).until(() -> now.keySet().stream()
                        .allMatch(key -> live(db).getOrDefault(key, 0L) >= now.get(key) + 20));
                // the market stops, and stays stopped even if a silent source reconnects (its watchdog): no more
                // trades made while nobody reads, or the history read below would list trades no one was sent
                sim.faults().setUnreadTradesPerSecond(0);
                sim.faults().setStall(true);
                Map<String, List<Long>> made = new LinkedHashMap<>();
                for (String exchange : List.of("okx", "binance")) {
                    for (String inst : INSTRUMENTS) {
                        made.put(exchange + " " + inst, SimulatorHistory.tradeIds(sim, exchange, inst));
                    }
                }
                Map<String, Long> sent = sim.stats().itemsSentByStream();
                // settled: no open gap, nothing spooled, nothing changing for 5 s
                long[] last = {-1};
                String unsettled = "";
                try {
                    await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(5)).until(() -> {
                        long rows = db.queryLong("SELECT count(*) FROM websocket_messages");
                        boolean settled = rows == last[0]
                                && db.queryLong("SELECT count(*) FROM trade_gaps WHERE status = 'open'") == 0;
                        last[0] = rows;
                        return settled;
                    });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // still report: what is stored, and why the gaps still open are (their last errors)
                    unsettled = String.format(Locale.ROOT, "%nNOT SETTLED 5 min after the end; gaps still open"
                            + " (exchange, instrument, from, to, cause, attempts, next attempt, last error): %s%n",
                            db.rows("SELECT exchange, instrument, from_trade_id, to_trade_id, cause, attempts,"
                                    + " next_attempt_at, last_error FROM trade_gaps WHERE status = 'open'"
                                    + " ORDER BY id"));
                }
                return report(db, made, sent, faults, length) + unsettled;
            } finally {
                app.close();
            }
        }
    }

    private static String report(TestDatabase db, Map<String, List<Long>> made, Map<String, Long> sent,
            Map<String, Integer> faults, Duration length) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nFault soak: %.1f min, faults %s%n%n", length.toMillis() / 60_000.0,
                faults));
        out.append("| trade stream | made | stored | duplicates | lost | backfilled |\n|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, List<Long>> e : made.entrySet()) {
            String[] key = e.getKey().split(" ");
            List<Long> stored = SimulatorHistory.stored(db.dataSource(), key[0], key[1]);
            List<Long> ids = e.getValue();
            List<Long> expected = stored.isEmpty() ? ids : ids.subList(Math.max(0, ids.indexOf(stored.get(0))),
                    ids.size());
            Set<Long> storedSet = new HashSet<>(stored);
            long lost = expected.stream().filter(id -> !storedSet.contains(id)).count();
            long backfilled = db.queryLong("SELECT count(*) FROM websocket_messages WHERE backfilled AND exchange = '"
                    + key[0] + "' AND instrument = '" + key[1] + "'");
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |%n", e.getKey(), expected.size(),
                    stored.size(), stored.size() - storedSet.size(), lost, backfilled));
        }
        out.append("\n| channel without REST history | sent | stored | not stored |\n|---|---:|---:|---:|\n");
        for (Map.Entry<String, Long> e : new java.util.TreeMap<>(sent).entrySet()) {
            String where = NothingLostSoakTest.rowsOf(e.getKey());
            if (where.contains("'trade'")) {
                continue;
            }
            long stored = db.queryLong("SELECT count(*) FROM websocket_messages WHERE " + where);
            out.append(String.format(Locale.ROOT, "| %s | %d | %d | %d |%n", e.getKey(), e.getValue(), stored,
                    e.getValue() - stored));
        }
        out.append(String.format(Locale.ROOT, "%ntrade_gaps: %s%n", db.rows("SELECT cause, status, count(*),"
                + " sum(trades_backfilled), sum(coalesce(trades_missing, 0)) FROM trade_gaps GROUP BY 1, 2 ORDER BY 1, 2")));
        return out.toString();
    }

    private static Map<String, Long> live(TestDatabase db) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (List<Object> r : db.rows("SELECT exchange || ' ' || instrument, count(*) FROM websocket_messages"
                + " WHERE message_type = 'trade' AND backfilled IS NULL GROUP BY 1")) {
            out.put((String) r.get(0), (Long) r.get(1));
        }
        return out;
    }
}
