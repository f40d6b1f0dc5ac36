package io.marketetl.e2e;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.PrometheusScrape;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * #11's outage acceptance ({@code bench/run --outage [--outage-s 60] [--rate 5000] [--slow-consumer-cut-s 5]}): the
 * application as shipped (its own JVM, -Xmx512m as {@link io.marketetl.testsupport.AppProcess} starts it, its shipped
 * okx-spot and binance-spot sources) against the simulator offering {@code rate} data frames/s in total (half per
 * connection) and cutting any client whose socket stays unread for {@code slowConsumerCut}. After a warm-up the
 * database goes away (a TCP proxy, cut) for {@code outage}, comes back, the spool is replayed, then the feed stops and
 * everything sent must be stored (health is read once the spool is empty, before the stop: a stopped feed makes the sources
 * DOWN). Meanwhile the app's /observe/metrics (heap used, spool bytes and depth, pipeline
 * backlog) and, through Jolokia, the hand-off queue's size are sampled. Not a test: it measures and reports;
 * {@link OutageAcceptanceTest} runs a short one in the suite and asserts on its {@link Result}.
 */
public final class OutageAcceptance {

    /** What one run saw. Peaks are over the samples taken every {@link #SAMPLE_MS} ms. */
    public record Result(Settings settings, Map<String, Long> sentByStream, Map<String, Long> storedByStream,
            long duplicates, long backfilled, long slowConsumerCuts, long reconnects, long spoolPeakBytes,
            long spoolPeakDepth, long spoolBytesAfter, long spoolDepthAfter, long replayMillis, long heapPeakWarmup,
            long heapPeakOutage, long heapPeakAfter, long handoffPeak, long backlogPeak, long spooledRows,
            double sentRate, double storedRate, double loadPeak, String healthAfter, long feedSeconds, long samples,
            long samplesFailed) {

        public long sent() {
            return sentByStream.values().stream().mapToLong(Long::longValue).sum();
        }

        public long stored() {
            return storedByStream.values().stream().mapToLong(Long::longValue).sum();
        }

        /** Items sent and not stored, per stream summed (a stream with more rows than items counts 0 here). */
        public long lost() {
            return sentByStream.entrySet().stream()
                    .mapToLong(e -> Math.max(0, e.getValue() - storedByStream.getOrDefault(e.getKey(), 0L))).sum();
        }

        public long heapPeak() {
            return Math.max(heapPeakWarmup, Math.max(heapPeakOutage, heapPeakAfter));
        }

        public String table() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "%nOutage acceptance: database cut %d s at %d frames/s offered"
                    + " (warm-up: %.0f msgs/s sent, %.0f rows/s stored), slow-consumer cut after %d s, app -Xmx512m,"
                    + " feed %d s from the warm-up to the stop%n%n", settings.outage.toSeconds(), settings.rate,
                    sentRate, storedRate, settings.slowConsumerCut.toSeconds(), feedSeconds));
            out.append("| measure | value |\n|---|---:|\n");
            row(out, "sent (items)", sent());
            row(out, "stored (rows)", stored());
            row(out, "duplicates", duplicates);
            row(out, "lost", lost());
            row(out, "backfilled rows", backfilled);
            row(out, "slow-consumer cuts", slowConsumerCuts);
            row(out, "reconnects (sockets opened beyond the first two)", reconnects);
            row(out, "rows replayed from the spool", spooledRows);
            row(out, "peak spool bytes", spoolPeakBytes);
            row(out, "peak spool depth (batches)", spoolPeakDepth);
            out.append(replayMillis < 0 ? "| replay time (restore to spool empty) | not empty 10 min after the"
                    + " restore, feed running |\n" : String.format(Locale.ROOT,
                    "| replay time (restore to spool empty, feed running) | %.1f s |%n", replayMillis / 1000.0));
            out.append(String.format(Locale.ROOT, "| peak heap used: warm-up / outage / after | %s / %s / %s |%n",
                    mib(heapPeakWarmup), mib(heapPeakOutage), mib(heapPeakAfter)));
            row(out, "max hand-off queue (frames, of 5000)", handoffPeak);
            row(out, "max pipeline backlog (messages accepted, not committed)", backlogPeak);
            row(out, "spool bytes / depth at the end", spoolBytesAfter + " / " + spoolDepthAfter);
            out.append(String.format(Locale.ROOT, "| peak 1-min load average | %.2f |%n", loadPeak));
            row(out, "health once the spool is empty (feed running)", healthAfter);
            row(out, "metric samples taken / failed (every " + SAMPLE_MS + " ms)", samples + " / " + samplesFailed);
            out.append("\n| stream | sent | stored |\n|---|---:|---:|\n");
            for (Map.Entry<String, Long> e : new TreeMap<>(sentByStream).entrySet()) {
                out.append(String.format(Locale.ROOT, "| %s | %d | %d |%n", e.getKey(), e.getValue(),
                        storedByStream.getOrDefault(e.getKey(), 0L)));
            }
            return out.toString();
        }

        private static void row(StringBuilder out, String name, Object value) {
            out.append("| ").append(name).append(" | ").append(value).append(" |\n");
        }

        private static String mib(long bytes) {
            return String.format(Locale.ROOT, "%.0f MiB", bytes / 1048576.0);
        }
    }

    /** A run's shape: total offered frames/s, the warm-up before the cut, the cut, the simulator's patience. */
    public record Settings(int rate, Duration warmup, Duration outage, Duration slowConsumerCut) {
    }

    static final long SAMPLE_MS = 500;
    static final String HEALTH_UP = "200 {\"status\":\"UP\"}";
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutageAcceptance() {
    }

    public static void main(String[] args) throws Exception {
        int outage = 60;
        int rate = 5000;
        int slowCut = 5;
        int warmup = 20;
        for (int i = 0; i + 1 < args.length; i++) {
            switch (args[i]) {
                case "--outage-s" -> outage = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = Integer.parseInt(args[i + 1]);
                case "--slow-consumer-cut-s" -> slowCut = Integer.parseInt(args[i + 1]);
                case "--warmup-s" -> warmup = Integer.parseInt(args[i + 1]);
                default -> {
                }
            }
        }
        Path work = Files.createTempDirectory("market-etl-outage");
        Result r = run(work, new Settings(rate, Duration.ofSeconds(warmup), Duration.ofSeconds(outage),
                Duration.ofSeconds(slowCut)));
        System.out.println(r.table());
        System.exit(0);
    }

    /** Runs the scenario in {@code workDir} (app working directories and spool). */
    public static Result run(Path workDir, Settings s) throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(47)
                .ratePerConnection(s.rate / 2.0).slowConsumerCutAfter(s.slowConsumerCut).build());
                TestDatabase db = TestDatabase.create();
                TcpProxy dbPath = new TcpProxy(db.settings().host(), db.settings().port());
                RunningApp app = RunningApp.start(workDir.resolve("app"), db, sim, Map.of(
                        "POSTGRES_PORT", Integer.toString(dbPath.port()),
                        "MARKET_ETL_SPOOL_DIR", workDir.resolve("spool").toString()))) {
            Sampler sampler = new Sampler(app.managementPort);
            ScheduledExecutorService every = Executors.newSingleThreadScheduledExecutor();
            every.scheduleWithFixedDelay(sampler::sample, 0, SAMPLE_MS, TimeUnit.MILLISECONDS);
            try {
                // warm-up: both sources deliver, then the chosen time at full rate
                await().atMost(Duration.ofSeconds(60)).until(() -> app.count("true") > 0);
                long rowsAtStart = app.count("true");
                long sentAtStart = sim.stats().totalItemsSent();
                long started = System.nanoTime();
                Thread.sleep(s.warmup.toMillis()); // the scenario's pace, not a wait for a condition
                long warmupNanos = System.nanoTime() - started;
                double sentRate = (sim.stats().totalItemsSent() - sentAtStart) * 1e9 / warmupNanos;
                double storedRate = (app.count("true") - rowsAtStart) * 1e9 / warmupNanos;

                sampler.phase = 1;
                System.out.printf(Locale.ROOT, "outage: database cut for %d s%n", s.outage.toSeconds());
                dbPath.cut();
                Thread.sleep(s.outage.toMillis()); // the outage's length
                dbPath.restore();
                long restored = System.nanoTime();
                sampler.phase = 2;
                System.out.println("outage: database back, waiting for the spool to be replayed");
                long replayMillis;
                try {
                    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(200))
                            .until(() -> sampler.spoolDepth == 0 && sampler.sampledAfter(restored));
                    replayMillis = (System.nanoTime() - restored) / 1_000_000;
                } catch (org.awaitility.core.ConditionTimeoutException notCaughtUp) {
                    replayMillis = -1; // the table says: not replayed while the feed ran
                    System.out.println("outage: the spool was not empty 10 min after the restore; stopping the feed");
                }

                // what a user sees once the spool is empty, the feed still running: every check UP again
                String health;
                try {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() ->
                            sampler.get("health").equals(HEALTH_UP));
                    health = HEALTH_UP;
                } catch (org.awaitility.core.ConditionTimeoutException stillDown) {
                    health = sampler.get("health");
                }

                // the feed stops; everything sent must now be stored
                sim.faults().setStall(true);
                long feedSeconds = (System.nanoTime() - started) / 1_000_000_000;
                long cuts = sim.stats().slowConsumerCuts();
                long reconnects = sim.stats().connectionsOpened() - 2;
                Map<String, Long> sent = new LinkedHashMap<>(sim.stats().itemsSentByStream());
                Map<String, Long> stored = new LinkedHashMap<>();
                try {
                    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                        stored.clear();
                        for (String stream : sent.keySet()) {
                            stored.put(stream, app.count(NothingLostSoakTest.rowsOf(stream)));
                        }
                        return stored.equals(sent);
                    });
                } catch (org.awaitility.core.ConditionTimeoutException notAllStored) {
                    System.out.println("outage: not everything sent was stored within 10 min (see the table)");
                }
                sampler.sample();
                long duplicates = db.queryLong("SELECT count(*) - count(DISTINCT (connector_id, message_number))"
                        + " FROM websocket_messages WHERE backfilled IS NULL");
                long backfilled = db.queryLong("SELECT count(*) FROM websocket_messages WHERE backfilled");
                return new Result(s, sent, Map.copyOf(stored), duplicates, backfilled, cuts, reconnects,
                        sampler.spoolPeakBytes, sampler.spoolPeakDepth, sampler.spoolBytes, sampler.spoolDepth,
                        replayMillis, sampler.heapPeak[0], sampler.heapPeak[1], sampler.heapPeak[2],
                        sampler.handoffPeak, sampler.backlogPeak, sampler.spooledRows, sentRate, storedRate,
                        sampler.loadPeak, health, feedSeconds, sampler.samples, sampler.failed);
            } finally {
                every.shutdownNow();
                every.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Samples the app's metrics and hand-off queue; keeps the peaks (heap per phase: warm-up, outage, after). */
    private static final class Sampler {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        private final String base;
        private String handoffMbean;
        volatile int phase;
        final long[] heapPeak = new long[3];
        volatile long spoolBytes = -1;
        volatile long spoolDepth = -1;
        volatile long spoolPeakBytes;
        volatile long spoolPeakDepth;
        volatile long handoffPeak;
        volatile long backlogPeak;
        volatile long spooledRows;
        volatile double loadPeak;
        volatile long samples;
        volatile long failed;
        private volatile long lastSampleNanos;

        Sampler(int managementPort) {
            this.base = "http://127.0.0.1:" + managementPort + "/observe/";
        }

        boolean sampledAfter(long nanos) {
            return lastSampleNanos > nanos;
        }

        synchronized void sample() {
            long startedAt = System.nanoTime();
            try {
                PrometheusScrape m = PrometheusScrape.parse(get("metrics").substring(4));
                long heap = (long) m.sum("jvm_memory_used_bytes", x -> "heap".equals(x.label("area")));
                heapPeak[phase] = Math.max(heapPeak[phase], heap);
                spoolBytes = (long) m.sum("market_etl_spool_bytes", x -> true);
                spoolDepth = (long) m.sum("market_etl_spool_depth", x -> true);
                spoolPeakBytes = Math.max(spoolPeakBytes, spoolBytes);
                spoolPeakDepth = Math.max(spoolPeakDepth, spoolDepth);
                backlogPeak = Math.max(backlogPeak, (long) m.sum("market_etl_pipeline_backlog_messages", x -> true));
                spooledRows = (long) m.sum("market_etl_spool_replayed_rows_total", x -> true);
                handoffPeak = Math.max(handoffPeak, handoffQueue());
                String[] load = Files.readString(Path.of("/proc/loadavg")).split(" ");
                loadPeak = Math.max(loadPeak, Double.parseDouble(load[0]));
                lastSampleNanos = startedAt;
                samples++;
            } catch (IOException | RuntimeException e) {
                failed++;
                System.out.println("outage: sample failed: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The seda hand-off's current size, through Jolokia (read-only without credentials). */
        private long handoffQueue() throws IOException, InterruptedException {
            if (handoffMbean == null) {
                JsonNode found = post("{\"type\":\"search\",\"mbean\":\"org.apache.camel:type=endpoints,*\"}");
                for (JsonNode name : found.path("value")) {
                    if (name.asText().contains("pipeline-handoff")) {
                        handoffMbean = name.asText();
                    }
                }
                if (handoffMbean == null) {
                    return 0;
                }
            }
            JsonNode read = post(JSON.writeValueAsString(Map.of("type", "read", "mbean", handoffMbean,
                    "attribute", "CurrentQueueSize")));
            return read.path("value").asLong();
        }

        private JsonNode post(String body) throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "jolokia"))
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        }

        String get(String path) throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() + " " + r.body();
        }
    }
}
