package io.marketetl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.marketetl.connector.ConnectorStats;
import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TestDatabase;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The measurements of the connectors scenario ({@link ConnectorsBenchmark}): (a) a bare HTTP client polling the
 * simulator on the same schedule in this JVM, (b) the application with no connector, (c) the application with N
 * {@code api:} connectors. The simulator and the application each run in their own JVM.
 * <p>
 * A measured window starts after a warm-up and lasts {@code seconds}; at each end the benchmark reads the simulator's
 * request counts ({@code GET /sim/stats}), the rows in {@code api_connector_data}, every connector's
 * {@code connector_status.performance_metrics} (calls, skipped ticks, the schedule-lag histogram) and the CPU ticks of
 * the processes. Counters are differenced. A connector writes its performance_metrics every
 * {@code MARKET_ETL_CONNECTOR_STATUS_INTERVAL_MS} (10 s), so each connector's share of the status figures covers a
 * window as long as the measured one that may start and end up to that much earlier: the warm-up must be longer.
 */
final class ConnectorsMeasurements {

    static final String CONNECTOR_PREFIX = "bench-";
    static final List<String> INSTRUMENTS = List.of("BTC-USDT", "ETH-USDT");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GC_HEAP = Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(240);

    private ConnectorsMeasurements() {
    }

    /**
     * One measured window. offered and expected figures come from the plan; calls from the simulator; ticks, skipped
     * ticks and lag from the connectors' performance_metrics (for (a): this JVM's own scheduler). Lag percentiles are
     * upper bounds of the histogram bucket they fall in (ConnectorStats.LAG_BUCKETS_MS); NaN where not applicable.
     */
    record Run(String scenario, int connectors, long intervalMs, double seconds, double expectedCallsPerSecond,
            long calls, double callsPerSecond, double servedPercent, long ticks, long connectorCalls, long skipped,
            Map<String, Long> skippedByReason, long connectorsWithoutCalls, long connectorsRestarted,
            double lagP50Ms, double lagP99Ms, double lateOver100MsPercent, Map<String, Long> lagHistogram,
            long rows, double rowsPerSecond, Map<String, Long> answersByStatus, double appCpuPercent,
            double simulatorCpuPercent, double dbCpuPercent, double machineBusyPercent, double peakHeapMb,
            double startSeconds, double settleSeconds) {
    }

    /** How to start the application and the simulator: the packaged jar, or the main classes on this classpath. */
    record Launch(String mode, Path jar, List<String> appJavaOptions) {

        List<String> app(Path gcLog) {
            List<String> c = new ArrayList<>();
            c.add(AppProcess.javaExecutable());
            c.addAll(appJavaOptions);
            c.add("-Xlog:gc:file=" + gcLog.toAbsolutePath());
            if (mode.equals("jar")) {
                c.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
            } else {
                c.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.marketetl.Application"));
            }
            return c;
        }

        List<String> simulator() {
            List<String> c = new ArrayList<>(List.of(AppProcess.javaExecutable(), "-Xmx512m", "-XX:+UseG1GC"));
            if (mode.equals("jar")) {
                c.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "simulator"));
            } else {
                c.addAll(List.of("-cp", System.getProperty("java.class.path"),
                        "io.marketetl.simulator.SimulatorMain"));
            }
            return c;
        }
    }

    static List<String> simulatorArgs() {
        // a small answer: one item per instrument; no WebSocket client connects, so --rate does not matter
        return List.of("--seed", "42", "--instruments", String.join(",", INSTRUMENTS));
    }

    // ------------------------------------------------------------------------------------- (a) bare HTTP client

    /**
     * The floor: {@code connectors} periodic tasks in this JVM (a ScheduledThreadPoolExecutor with as many threads as
     * the application's Quartz pool), phases spread evenly over the interval, each a blocking GET of
     * /generic/prices through java.net.http (HTTP/1.1, keep-alive), the body read and dropped. Lag is measured the
     * way ConnectorRun does (start of the run minus its due time, whole ms) into the same histogram.
     */
    static Run bareClient(Launch launch, int connectors, long intervalMs, int warmupSeconds, int seconds,
            int threads) throws Exception {
        try (SimulatorProcess sim = SimulatorProcess.start(launch.simulator(), simulatorArgs())) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(sim.restUrl() + "/generic/prices"))
                    .timeout(Duration.ofSeconds(10)).header("User-Agent", "market-etl-bench/bare").GET().build();
            ConnectorStats stats = new ConnectorStats();
            ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(threads);
            long interval = TimeUnit.MILLISECONDS.toNanos(intervalMs);
            long base = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            for (int i = 0; i < connectors; i++) {
                long first = base + interval * i / connectors;
                AtomicLong k = new AtomicLong();
                pool.scheduleAtFixedRate(() -> {
                    long due = first + k.getAndIncrement() * interval;
                    long start = System.nanoTime();
                    stats.lag(Math.max(0, (start - due) / 1_000_000));
                    try {
                        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                        stats.answered(r.statusCode(), (System.nanoTime() - start) / 1e6);
                    } catch (IOException e) {
                        stats.noAnswer();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, first - System.nanoTime(), interval, TimeUnit.NANOSECONDS);
            }
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
                Map<String, Long> hist0 = stats.lagHistogram();
                long calls0 = stats.calls();
                Timed<JsonNode> s0 = timed(sim::stats);
                ResourceSampler res = new ResourceSampler(sim.pid());
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                res.close();
                Timed<JsonNode> s1 = timed(sim::stats);
                long calls1 = stats.calls();
                Map<String, Long> hist = ordered(minus(stats.lagHistogram(), hist0));
                long ticks = hist.values().stream().mapToLong(Long::longValue).sum();
                long simCalls = genericCalls(s1.value()) - genericCalls(s0.value());
                double simSeconds = s1.seconds(s0);
                double expected = connectors * 1000.0 / intervalMs;
                return new Run("(a) bare HTTP client", connectors, intervalMs, simSeconds, expected, simCalls,
                        simCalls / simSeconds, 100.0 * simCalls / (expected * simSeconds), ticks,
                        calls1 - calls0, 0, Map.of(), -1, 0, percentile(hist, 50), percentile(hist, 99),
                        lateShare(hist, 100), hist, -1, Double.NaN, answers(s1.value(), s0.value()),
                        res.processCpuPercent(),
                        res.processCpuPercent(sim.pid()), res.postgresCpuPercent(), res.machineBusyPercent(),
                        res.peakHeapMb(), Double.NaN, Double.NaN);
            } finally {
                pool.shutdownNow();
                pool.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    // ---------------------------------------------------------------------------------- (b), (c) the application

    /**
     * The application as users run it, in its own JVM: a routes folder with one generated {@code api:} route file per
     * connector (nothing else; the pipeline's own routes are in the jar), a throw-away
     * database, the settings from the environment ({@code MARKET_ETL_*} of this process are passed on) plus
     * {@code extraEnv}. After "(market-etl) started" it waits until every connector has made a call and (with
     * {@code settle}) until the calls come at the expected rate, then the warm-up, then measures for
     * {@code seconds}.
     */
    static Run application(Launch launch, int connectors, long intervalMs, int warmupSeconds, int seconds,
            boolean settle, Map<String, String> extraEnv, PrintLog log) throws Exception {
        Path work = Files.createTempDirectory("bench-connectors-");
        try (SimulatorProcess sim = SimulatorProcess.start(launch.simulator(), simulatorArgs());
                TestDatabase db = TestDatabase.create()) {
            Path routes = work.resolve("routes");
            writeRoutes(routes, connectors, sim.restUrl(), intervalMs);
            Path gcLog = work.resolve("gc.log");
            Map<String, String> env = BenchSupport.appEnvironment(db, routes, extraEnv);
            long t0 = System.nanoTime();
            AppProcess app = AppProcess.start(launch.app(gcLog), work, env);
            try {
                app.awaitOutput("(market-etl) started", START_TIMEOUT);
                double startSeconds = (System.nanoTime() - t0) / 1e9;
                awaitEveryConnectorCalled(app, db, connectors);
                log.line(String.format(Locale.ROOT, "    started in %.1f s, all %d connector(s) called by %.1f s",
                        startSeconds, connectors, (System.nanoTime() - t0) / 1e9));
                double settleSeconds = Double.NaN;
                if (settle && connectors > 0) {
                    settleSeconds = awaitSteadyRate(app, sim, connectors, intervalMs, t0);
                    log.line(Double.isInfinite(settleSeconds) ? String.format(Locale.ROOT, "    calls not at the"
                            + " expected rate %d s after the start: measuring anyway", SETTLE_TIMEOUT.toSeconds())
                            : String.format(Locale.ROOT, "    calls at the expected rate %.1f s after the start",
                                    settleSeconds));
                }
                log.line(String.format(Locale.ROOT, "    warm-up %d s, then %d s measured", warmupSeconds, seconds));
                Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));

                long gc0 = size(gcLog);
                Map<String, Status> st0 = statuses(db);
                Timed<Long> rows0 = timed(() -> rows(db));
                Timed<JsonNode> s0 = timed(sim::stats);
                ResourceSampler res = new ResourceSampler(app.pid(), sim.pid());
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
                res.close();
                Timed<JsonNode> s1 = timed(sim::stats);
                Timed<Long> rows1 = timed(() -> rows(db));
                Map<String, Status> st1 = statuses(db);
                long gc1 = size(gcLog);
                if (!app.isAlive()) {
                    throw new IllegalStateException("the application exited during the measurement:\n"
                            + tail(app.stdout()) + "\n" + tail(app.stderr()));
                }

                // connectors' own figures, differenced per connector
                long calls = 0;
                long withoutCalls = Math.max(0, connectors - st1.size());
                long restarted = 0;
                Map<String, Long> skipped = new TreeMap<>();
                Map<String, Long> hist = new HashMap<>();
                for (Map.Entry<String, Status> e : st1.entrySet()) {
                    Status b = e.getValue();
                    Status a = st0.get(e.getKey());
                    if (a == null || !Objects.equals(a.session(), b.session())) {
                        restarted++;
                        a = Status.NONE;
                    }
                    long c = b.calls() - a.calls();
                    calls += c;
                    if (c <= 0) {
                        withoutCalls++;
                    }
                    add(skipped, minus(b.skipped(), a.skipped()));
                    add(hist, minus(b.lagHistogram(), a.lagHistogram()));
                }
                hist = ordered(hist);
                long ticks = hist.values().stream().mapToLong(Long::longValue).sum();
                long skippedTotal = skipped.values().stream().mapToLong(Long::longValue).sum();
                long simCalls = genericCalls(s1.value()) - genericCalls(s0.value());
                double simSeconds = s1.seconds(s0);
                long rows = rows1.value() - rows0.value();
                double expected = connectors * 1000.0 / intervalMs;
                String scenario = connectors == 0 ? "(b) application, idle" : "(c) application";
                return new Run(scenario, connectors, intervalMs, simSeconds, expected, simCalls,
                        simCalls / simSeconds, connectors == 0 ? Double.NaN
                        : 100.0 * simCalls / (expected * simSeconds), ticks, calls, skippedTotal, skipped,
                        withoutCalls, restarted, percentile(hist, 50), percentile(hist, 99), lateShare(hist, 100),
                        hist, rows, rows / rows1.seconds(rows0), answers(s1.value(), s0.value()),
                        res.processCpuPercent(app.pid()), res.processCpuPercent(sim.pid()), res.postgresCpuPercent(),
                        res.machineBusyPercent(), max(peakHeapMb(gcLog, gc0, gc1), heapUsedMb(app.pid())),
                        startSeconds, settleSeconds);
            } finally {
                long t = System.nanoTime();
                boolean clean = stop(app);
                log.line(String.format(Locale.ROOT, "    %s in %.1f s", clean ? "stopped (SIGTERM)" : "did not stop"
                        + " within " + STOP_WAIT.toSeconds() + " s of SIGTERM, killed", (System.nanoTime() - t) / 1e9));
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
    }

    /** A reading and when it was taken (the middle of the call, System.nanoTime). */
    record Timed<T>(T value, long nanos) {

        /** Seconds from {@code earlier} to this reading. */
        double seconds(Timed<?> earlier) {
            return (nanos - earlier.nanos) / 1e9;
        }
    }

    interface Reading<T> {
        T read() throws Exception;
    }

    /**
     * A reading timed at the middle of its call: what a counter says is as of about then (a call to a busy
     * simulator or database can take a good part of a second, which a rate must not count as window).
     */
    static <T> Timed<T> timed(Reading<T> reading) throws Exception {
        long before = System.nanoTime();
        T value = reading.read();
        return new Timed<>(value, before + (System.nanoTime() - before) / 2);
    }

    /** Where progress lines go. */
    interface PrintLog {
        void line(String text);
    }

    static void writeRoutes(Path routes, int connectors, String restUrl, long intervalMs) throws IOException {
        Files.createDirectories(routes); // the pipeline's own routes come from the jar (classpath market-etl/)
        for (int i = 1; i <= connectors; i++) {
            String id = connectorId(i);
            Files.writeString(routes.resolve(id + ".camel.yaml"), "# generated by the benchmark's connectors scenario\n"
                    + "- route:\n"
                    + "    id: " + id + "\n"
                    + "    from:\n"
                    + "      uri: \"api:" + id + "?url=" + restUrl + "/generic/prices&interval=" + intervalMs
                    + "&itemsPointer=/items&instrumentPointer=/instrument&pricePointer=/price&timestampPointer=/ts\"\n"
                    + "      steps:\n"
                    + "        - to: direct:normalise\n", StandardCharsets.UTF_8);
        }
    }

    static String connectorId(int i) {
        return String.format(Locale.ROOT, CONNECTOR_PREFIX + "%04d", i);
    }

    private static void awaitEveryConnectorCalled(AppProcess app, TestDatabase db, int connectors)
            throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        long called = 0;
        while (connectors > 0) {
            called = db.queryLong("SELECT count(*) FROM connector_status WHERE connector_id LIKE '"
                    + CONNECTOR_PREFIX + "%' AND status = 'running'"
                    + " AND coalesce((performance_metrics->>'calls')::bigint, 0) > 0");
            if (called >= connectors) {
                return;
            }
            if (!app.isAlive()) {
                throw new IllegalStateException("the application exited:\n" + tail(app.stdout()) + "\n"
                        + tail(app.stderr()));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + called + " of " + connectors + " connectors made a call"
                        + " within " + START_TIMEOUT.toSeconds() + " s of the start");
            }
            Thread.sleep(200);
        }
    }

    /**
     * Waits until the simulator sees the expected call rate: two 5 s windows in a row within 3% of it (or of the
     * window-edge sampling error, if larger). After a start the rate is first above it: the ticks the triggers missed
     * while the routes started are all fired (Quartz catches up misses shorter than its misfire threshold, 60 s).
     * Returns the seconds from the process start, or infinity after {@link #SETTLE_TIMEOUT}.
     */
    private static double awaitSteadyRate(AppProcess app, SimulatorProcess sim, int connectors, long intervalMs,
            long startNanos) throws Exception {
        double expected = connectors * 1000.0 / intervalMs;
        double windowSeconds = 5;
        double tolerance = Math.max(0.03, 1.5 * Math.sqrt(connectors) / (expected * windowSeconds));
        long deadline = startNanos + SETTLE_TIMEOUT.toNanos();
        Timed<JsonNode> last = timed(sim::stats);
        int inRow = 0;
        while (System.nanoTime() < deadline) {
            Thread.sleep((long) (windowSeconds * 1000));
            if (!app.isAlive()) {
                throw new IllegalStateException("the application exited:\n" + tail(app.stdout()) + "\n"
                        + tail(app.stderr()));
            }
            Timed<JsonNode> now = timed(sim::stats);
            double rate = (genericCalls(now.value()) - genericCalls(last.value())) / now.seconds(last);
            last = now;
            inRow = Math.abs(rate / expected - 1) <= tolerance ? inRow + 1 : 0;
            if (inRow == 2) {
                return (System.nanoTime() - startNanos) / 1e9;
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** One connector's performance_metrics (the fields the benchmark differences). */
    record Status(String session, long calls, Map<String, Long> skipped, Map<String, Long> lagHistogram) {
        static final Status NONE = new Status(null, 0, Map.of(), Map.of());
    }

    static Map<String, Status> statuses(TestDatabase db) throws IOException {
        Map<String, Status> out = new HashMap<>();
        for (List<Object> row : db.rows("SELECT connector_id, performance_metrics::text FROM connector_status"
                + " WHERE connector_id LIKE '" + CONNECTOR_PREFIX + "%' AND performance_metrics IS NOT NULL")) {
            JsonNode m = JSON.readTree((String) row.get(1));
            if (!m.has("calls")) {
                continue;
            }
            out.put((String) row.get(0), new Status(m.path("session_id").asText(null), m.path("calls").asLong(),
                    longs(m.path("skipped_ticks")), longs(m.path("schedule_lag_histogram_ms"))));
        }
        return out;
    }

    private static Map<String, Long> longs(JsonNode object) {
        Map<String, Long> m = new HashMap<>();
        object.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asLong()));
        return m;
    }

    private static long rows(TestDatabase db) {
        return db.queryLong("SELECT count(*) FROM api_connector_data");
    }

    private static long genericCalls(JsonNode stats) {
        return stats.path("restRequestsByEndpoint").path("/generic/prices").asLong();
    }

    private static Map<String, Long> answers(JsonNode after, JsonNode before) {
        return ordered(minus(longs(after.path("restAnswersByStatus")), longs(before.path("restAnswersByStatus"))));
    }

    // ------------------------------------------------------------------------------------------ histograms

    static Map<String, Long> minus(Map<String, Long> after, Map<String, Long> before) {
        Map<String, Long> m = new HashMap<>();
        after.forEach((k, v) -> {
            long d = v - before.getOrDefault(k, 0L);
            if (d != 0) {
                m.put(k, d);
            }
        });
        return m;
    }

    private static void add(Map<String, Long> into, Map<String, Long> more) {
        more.forEach((k, v) -> into.merge(k, v, Long::sum));
    }

    private static double bound(String key) {
        return key.equals("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(key);
    }

    /** Buckets in bound order (numeric keys sort as numbers, "inf" last); other maps sorted by key. */
    static Map<String, Long> ordered(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream().sorted(Comparator.comparingDouble((Map.Entry<String, Long> e) -> {
            try {
                return bound(e.getKey());
            } catch (NumberFormatException notABound) {
                return 0;
            }
        }).thenComparing(Map.Entry::getKey)).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The p-th percentile of a lag histogram: the upper bound of the bucket it falls in; NaN when empty. */
    static double percentile(Map<String, Long> hist, double p) {
        long total = hist.values().stream().mapToLong(Long::longValue).sum();
        if (total <= 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(p / 100.0 * total);
        long seen = 0;
        for (Map.Entry<String, Long> e : ordered(hist).entrySet()) {
            seen += e.getValue();
            if (seen >= rank) {
                return bound(e.getKey());
            }
        }
        return Double.POSITIVE_INFINITY;
    }

    /** Percentage of the ticks whose lag was over {@code ms} (ms must be a bucket bound); NaN when empty. */
    static double lateShare(Map<String, Long> hist, long ms) {
        long total = hist.values().stream().mapToLong(Long::longValue).sum();
        if (total <= 0) {
            return Double.NaN;
        }
        long late = hist.entrySet().stream().filter(e -> bound(e.getKey()) > ms).mapToLong(Map.Entry::getValue).sum();
        return 100.0 * late / total;
    }

    // --------------------------------------------------------------------------------------------- plumbing

    /**
     * Peak heap in use in MB from a -Xlog:gc file between two offsets: the largest before-GC figure (the heap is at
     * its fullest just before a collection); NaN when no collection ran in between.
     */
    static double peakHeapMb(Path gcLog, long from, long to) throws IOException {
        if (to <= from) {
            return Double.NaN;
        }
        byte[] bytes = new byte[(int) (to - from)];
        try (RandomAccessFile f = new RandomAccessFile(gcLog.toFile(), "r")) {
            f.seek(from);
            f.readFully(bytes);
        }
        double peak = Double.NaN;
        Matcher m = GC_HEAP.matcher(new String(bytes, StandardCharsets.UTF_8));
        while (m.find()) {
            double before = Long.parseLong(m.group(1)) * switch (m.group(2)) {
                case "K" -> 1.0 / 1024;
                case "G" -> 1024.0;
                default -> 1.0;
            };
            peak = Double.isNaN(peak) ? before : Math.max(peak, before);
        }
        return peak;
    }

    /** Heap in use now in another JVM ({@code jcmd <pid> GC.heap_info}), MB; NaN when it cannot be read. */
    static double heapUsedMb(long pid) {
        try {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                return Double.NaN;
            }
            Matcher m = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K").matcher(text);
            return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
        } catch (IOException e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private static double max(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    private static long size(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }

    /** SIGTERM, up to {@link #STOP_WAIT} for the graceful stop (nothing is measured any more), then killed. */
    private static boolean stop(AppProcess app) {
        boolean clean = true;
        try {
            app.stop(STOP_WAIT);
        } catch (AssertionError tooSlow) {
            // killed by stop(); wait until it is gone so that it does not run into the next measurement
            clean = false;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (app.isAlive() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return clean;
    }

    private static String tail(String text) {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }
}
