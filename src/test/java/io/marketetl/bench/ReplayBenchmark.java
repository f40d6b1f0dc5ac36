package io.marketetl.bench;

import static io.marketetl.testsupport.SqlRows.count;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue #11 item 8, replay rate: {@code bench/run --replay N}. The pipeline (in-process, its database through a
 * {@link TcpProxy}) takes N messages from two sources with the database cut, so they go to the load spool; a stop
 * during the outage spools what is still in memory. Then a fresh pipeline starts with the database back and the
 * clock runs from its start until every spooled message is committed: replayed msgs/s. Medians of --repeat runs.
 * The spool's settings other than its directory come from application.properties (and their env vars).
 */
final class ReplayBenchmark {

    static final String USAGE = "usage: bench/run --replay N [--repeat N] [--group N]";

    private ReplayBenchmark() {
    }

    static boolean wanted(String... args) {
        for (String a : args) {
            if (a.equals("--replay")) {
                return true;
            }
        }
        return false;
    }

    /** One run's outcome. */
    record Result(long spooled, long batches, long replayed, double seconds, double appCpu, double dbCpu,
            double boxBusy) {
        double rate() {
            return replayed / seconds;
        }
    }

    static void run(PrintStream out, String... args) throws Exception {
        long messages = 300_000;
        int repeat = 3;
        String group = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--replay" -> messages = Long.parseLong(args[++i]);
                case "--repeat" -> repeat = Integer.parseInt(args[++i]);
                case "--group" -> group = String.valueOf(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
            }
        }
        List<Result> results = new ArrayList<>();
        for (int r = 0; r < repeat; r++) {
            Result res = once(messages, group);
            out.printf("replay run %d: %,d spooled in %,d batches, %,d replayed in %.2f s: %,.0f msgs/s"
                    + " (CPU in %% of one core: app %.0f, all PostgreSQL processes %.0f; box %.0f%% busy)%n",
                    r + 1, res.spooled(), res.batches(), res.replayed(), res.seconds(), res.rate(), res.appCpu(),
                    res.dbCpu(), res.boxBusy());
            results.add(res);
        }
        double[] rates = results.stream().mapToDouble(Result::rate).sorted().toArray();
        double median = rates[rates.length / 2];
        out.printf("Replay of a spooled outage, median of %d, %s spooled batches per transaction: %,.0f msgs/s"
                + " (target >= 20,000: %s)%n", repeat, group == null ? "default (application.properties)" : group,
                median, median >= 20_000 ? "met" : "NOT met");
    }

    private static Map<String, String> settings(Path spoolDir, String group) {
        Map<String, String> m = new HashMap<>();
        if (group != null) {
            m.put("market-etl.spool.replay-group-batches", group);
        }
        m.put("market-etl.spool.dir", spoolDir.toString());
        m.put("market-etl.spool.after-ms", "300"); // spool soon after the cut: the run is about the replay
        m.put("market-etl.load.retry-initial-ms", "50");
        m.put("market-etl.load.retry-max-ms", "400");
        m.put("market-etl.load.network-timeout-ms", "5000");
        return m;
    }


    /** Spools {@code messages} with the database cut, then replays them; returns the replay's figures. */
    static Result once(long messages, String group) throws Exception {
        Path spoolDir = Files.createTempDirectory("met-replay-bench");
        try (TestDatabase db = TestDatabase.create();
                TcpProxy proxy = new TcpProxy("127.0.0.1", db.settings().port())) {
            long before;
            long sent;
            try (HikariDataSource pool = db.poolThrough(proxy.port());
                    PipelineHarness p = PipelineHarness.start(pool, settings(spoolDir, group))) {
                List<Feeder> feeders = List.of(new Feeder(p, new MarketMessageFactory("okx-a", Style.OKX, 1)),
                        new Feeder(p, new MarketMessageFactory("binance-b", Style.BINANCE, 2)));
                for (Feeder f : feeders) {
                    f.sendMessages(100); // the pool is warm before the cut
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (count(db.dataSource(), "SELECT count(*) FROM websocket_messages") < 200) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the first 200 messages were not stored in 60 s");
                    }
                    Thread.sleep(50);
                }
                before = 200;
                proxy.cut();
                List<Thread> threads = new ArrayList<>();
                for (Feeder f : feeders) {
                    Thread t = new Thread(() -> f.sendMessages(messages / 2), "replay-bench-" + f.sourceId());
                    t.start();
                    threads.add(t);
                }
                for (Thread t : threads) {
                    t.join();
                }
                p.stop(); // in the outage: what is in memory goes to the spool too
                sent = feeders.stream().mapToLong(Feeder::messages).sum();
            }
            long stored = count(db.dataSource(), "SELECT count(*) FROM websocket_messages");
            long spooled = sent - stored;
            ResourceSampler sampler = new ResourceSampler();
            long t0 = System.nanoTime();
            try (sampler; PipelineHarness p = PipelineHarness.start(db.dataSource(), settings(spoolDir, group))) {
                long batches = p.loader().spool().depth();
                long deadline = t0 + Duration.ofMinutes(10).toNanos();
                // the replay is done when the spool is empty: a batch leaves it once its transaction has committed.
                // Polled in memory: a count(*) every 20 ms (as until 2026-12-03) took about half the database's time
                // during the replay, on the same two cores
                while (p.loader().spool().depth() > 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("replay not done in 10 min: " + p.loader().spool().depth()
                                + " batches left");
                    }
                    Thread.sleep(2);
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                sampler.stop();
                long now = count(db.dataSource(), "SELECT count(*) FROM websocket_messages");
                if (now != sent) {
                    throw new IllegalStateException("spool empty but " + now + " of " + sent + " stored");
                }
                long replayed = count(db.dataSource(), "SELECT count(*) FROM websocket_messages") - stored;
                if (before > stored) {
                    throw new IllegalStateException("stored before the cut went missing");
                }
                return new Result(spooled, batches, replayed, seconds, sampler.processCpuPercent(),
                        sampler.postgresCpuPercent(), sampler.machineBusyPercent());
            }
        } finally {
            try (var files = Files.walk(spoolDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
