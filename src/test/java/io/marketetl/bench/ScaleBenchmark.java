package io.marketetl.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.source.StreamWatchdog;
import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.PrometheusScrape;
import io.marketetl.testsupport.TestDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Many streams ({@code bench/run --scenario scale}, issue #10 item 3): the packaged application with one OKX and one
 * Binance source, each subscribed to {@code streams / 4} instruments on two channels (OKX trades + tickers, Binance
 * trade + bookTicker), fed by the simulator in its own JVM at a steady {@code --frames-per-stream-s} per stream (the
 * simulator sends round-robin over a connection's subscriptions, so every stream gets the same rate). For each stream
 * count it reports the application's CPU per stream, its live heap after a full GC per stream, the streams judged
 * stale (must be 0: the rate is steady) and reconnects; and the watchdog's own cost per tick for that many streams,
 * measured in this JVM on {@link StreamWatchdog} alone. Flat per-stream figures as streams grow are the target.
 * <p>
 * {@code bench/run --scenario scale [--streams 200,1000,2000] [--frames-per-stream-s 1] [--seconds 30] [--warmup 15]
 * [--app jar|classpath]}.
 */
public final class ScaleBenchmark {

    static final String USAGE = "usage: bench/run --scenario scale [--streams 200,1000,2000] [--frames-per-stream-s 1]"
            + " [--seconds 30] [--warmup 15] [--app jar|classpath] [--out DIR]";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    record Options(List<Integer> streams, double perStream, int seconds, int warmup, String app, Path out) {
    }

    /** One stream count's measurement. */
    record Run(int streams, int instrumentsPerSource, double seconds, long frames, double framesPerSecond,
            long rows, double appCpuPercent, double appCpuUsPerStreamS, double liveHeapMb, double liveHeapKbPerStream,
            double peakHeapMb, long stale, long reconnects, long streamsWithData, double watchdogUsPerTick) {
    }

    private ScaleBenchmark() {
    }

    static boolean wanted(String[] args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--scenario") && args[i + 1].equals("scale")) {
                return true;
            }
        }
        return false;
    }

    static Options parse(String[] args) {
        List<Integer> streams = List.of(200, 1000, 2000);
        double perStream = 1;
        int seconds = 30;
        int warmup = 15;
        String app = "jar";
        Path out = Path.of("bench", "results");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--scenario" -> i++;
                case "--streams" -> streams = java.util.Arrays.stream(args[++i].split(",")).map(String::trim)
                        .map(Integer::parseInt).toList();
                case "--frames-per-stream-s" -> perStream = Double.parseDouble(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--app" -> app = args[++i];
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
            }
        }
        for (int s : streams) {
            if (s < 4 || s % 4 != 0) {
                throw new IllegalArgumentException("--streams: each count must be a multiple of 4 (2 sources x 2"
                        + " channels x instruments): " + s);
            }
        }
        if (!(perStream > 0) || seconds <= 0 || warmup < 0) {
            throw new IllegalArgumentException("--frames-per-stream-s and --seconds must be positive\n" + USAGE);
        }
        return new Options(streams, perStream, seconds, warmup, app, out);
    }

    public static List<Run> run(PrintStream out, String... args) throws Exception {
        Options o = parse(args);
        java.time.Instant started = java.time.Instant.now();
        out.printf(Locale.ROOT, "market-etl scale benchmark: packaged app (%s), one OKX and one Binance source, each"
                + " streams/4 instruments x 2 channels, simulator in its own JVM at %.1f frames/s per stream; %d s"
                + " measured after %d s; %d cores; app JVM %s%n", o.app(), o.perStream(), o.seconds(), o.warmup(),
                Runtime.getRuntime().availableProcessors(), BenchSupport.appJavaOptions());
        List<Run> runs = new ArrayList<>();
        for (int streams : o.streams()) {
            Run r = round(o, streams);
            runs.add(r);
            out.printf(Locale.ROOT, "  %,d streams: %,.0f frames/s, app %.0f%% = %.2f us CPU per stream-second,"
                    + " live heap %.0f MB (%.1f KB/stream), stale %d, reconnects %d, watchdog %.1f us/tick%n",
                    streams, r.framesPerSecond(), r.appCpuPercent(), r.appCpuUsPerStreamS(), r.liveHeapMb(),
                    r.liveHeapKbPerStream(), r.stale(), r.reconnects(), r.watchdogUsPerTick());
        }
        out.println();
        out.print(table(runs, o));
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("streams", o.streams());
        opts.put("framesPerStreamS", o.perStream());
        opts.put("seconds", o.seconds());
        opts.put("warmupSeconds", o.warmup());
        opts.put("appJavaOptions", BenchSupport.appJavaOptions());
        Files.createDirectories(o.out());
        Path json = BenchSupport.writeResults(o.out(), "scale", started, false, opts, runs, runs);
        out.println("results: " + json);
        return runs;
    }

    static String table(List<Run> runs, Options o) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Streams, one round each, %.1f frames/s per stream, %d s measured"
                + " (CPU in %% of one core; live heap: after a full GC at the end of the window)%n", o.perStream(),
                o.seconds()));
        sb.append(String.format(Locale.ROOT, "%8s %9s %10s %7s %14s %9s %10s %9s %8s %6s %10s %12s%n", "streams",
                "with data", "frames/s", "app%", "app us/strm-s", "+us/strm", "live MB", "+KB/strm", "peak MB",
                "stale", "reconnects", "watchdog us"));
        Run first = runs.get(0);
        for (Run r : runs) {
            // marginal: what each stream beyond the first row's costs (the first row's fixed costs taken out)
            boolean later = r != first && r.streams() > first.streams();
            double dStreams = r.streams() - first.streams();
            String cpuMarginal = later ? String.format(Locale.ROOT, "%.2f",
                    (r.appCpuPercent() - first.appCpuPercent()) / 100.0 * 1e6 / dStreams) : "-";
            String heapMarginal = later ? String.format(Locale.ROOT, "%.1f",
                    (r.liveHeapMb() - first.liveHeapMb()) * 1024 / dStreams) : "-";
            sb.append(String.format(Locale.ROOT, "%8d %9d %10.0f %7.1f %14.2f %9s %10.0f %9s %8.0f %6d %10d %12.1f%n",
                    r.streams(), r.streamsWithData(), r.framesPerSecond(), r.appCpuPercent(), r.appCpuUsPerStreamS(),
                    cpuMarginal, r.liveHeapMb(), heapMarginal, r.peakHeapMb(), r.stale(), r.reconnects(),
                    r.watchdogUsPerTick()));
        }
        sb.append("  (+us/strm, +KB/strm: each stream beyond the first row's, its fixed costs taken out; flat as streams"
                + " grow is the target)\n");
        sb.append("  (watchdog us: one tick of StreamWatchdog (marks + check) over a connection's streams, streams/2,"
                + " measured alone in the benchmark's JVM)\n");
        return sb.toString();
    }

    private static List<String> instruments(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.format(Locale.ROOT, "S%04d-USDT", i));
        }
        return out;
    }

    private static Run round(Options o, int streams) throws Exception {
        int perSource = streams / 4;
        List<String> instruments = instruments(perSource);
        String list = String.join(",", instruments);
        // each connection carries streams/2 streams; the simulator's --rate is per connection
        double ratePerConnection = o.perStream() * streams / 2;
        Path work = Files.createTempDirectory("bench-scale-");
        Path jar = Path.of("target", "market-etl.jar");
        ConnectorsMeasurements.Launch launch = new ConnectorsMeasurements.Launch(o.app(), jar,
                BenchSupport.appJavaOptions());
        try (SimulatorProcess sim = SimulatorProcess.start(launch.simulator(), List.of("--seed", "42", "--rate",
                String.format(Locale.ROOT, "%.3f", ratePerConnection), "--instruments", list));
                TestDatabase db = TestDatabase.create()) {
            Path routes = work.resolve("routes");
            Files.createDirectories(routes);
            Files.writeString(routes.resolve("okx-scale.camel.yaml"), route("okx-scale", "okx", "market-etl.okx.ws-url",
                    "trades,tickers", list));
            // Binance in message mode: hundreds of streams do not fit in a combined-stream URL (the simulator's
            // HTTP server, like most, refuses a request line over 4 KB), so they are subscribed by SUBSCRIBE messages
            Files.writeString(routes.resolve("binance-scale.camel.yaml"), route("binance-scale", "binance",
                    "market-etl.binance.ws-url", "trade,bookTicker", list).replace("        events:",
                    "        subscribeMode: message\n        events:"));
            Map<String, String> env = BenchSupport.appEnvironment(db, routes, Map.of());
            env.put("MARKET_ETL_ROUTES_RELOAD", "false");
            env.put("OKX_WS_URL", sim.url("okx-ws"));
            env.put("BINANCE_WS_URL", sim.url("binance-ws"));
            String metrics = "http://127.0.0.1:" + env.get("MARKET_ETL_MANAGEMENT_PORT") + "/observe/metrics";
            Path gcLog = work.resolve("gc.log");
            try (AppProcess app = AppProcess.start(launch.app(gcLog), work.resolve("app"), env)) {
                app.awaitOutput("(market-etl) started", START_TIMEOUT);
                long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
                while (db.queryLong("SELECT count(*) FROM websocket_messages") == 0) {
                    if (System.nanoTime() > deadline || !app.isAlive()) {
                        throw new IllegalStateException("nothing committed:\n" + app.stdout() + app.stderr());
                    }
                    Thread.sleep(200);
                }
                Thread.sleep(TimeUnit.SECONDS.toMillis(o.warmup()));
                long stale0 = counter(metrics, "market_etl_stale_streams_total");
                JsonNode s0 = sim.stats();
                long rows0 = db.queryLong("SELECT count(*) FROM websocket_messages");
                long gc0 = Files.exists(gcLog) ? Files.size(gcLog) : 0;
                ResourceSampler res = new ResourceSampler(app.pid());
                Thread.sleep(TimeUnit.SECONDS.toMillis(o.seconds()));
                res.close();
                long gc1 = Files.exists(gcLog) ? Files.size(gcLog) : 0;
                JsonNode s1 = sim.stats();
                long rows1 = db.queryLong("SELECT count(*) FROM websocket_messages");
                long stale1 = counter(metrics, "market_etl_stale_streams_total");
                if (!app.isAlive()) {
                    throw new IllegalStateException("the application exited:\n" + app.stdout() + app.stderr());
                }
                double live = liveHeapMb(app.pid());
                long frames = s1.path("totalFramesSent").asLong() - s0.path("totalFramesSent").asLong();
                long withData = 0;
                for (JsonNode n : s1.path("framesSentByStream")) {
                    if (n.asLong() > 0) {
                        withData++;
                    }
                }
                double cpu = res.processCpuPercent(app.pid());
                double seconds = res.seconds();
                return new Run(streams, perSource, seconds, frames, frames / seconds, rows1 - rows0, cpu,
                        cpu / 100.0 * 1e6 / streams, live, live * 1024 / streams,
                        ConnectorsMeasurements.peakHeapMb(gcLog, gc0, gc1), stale1 - stale0,
                        s1.path("connectionsOpened").asLong() - s0.path("connectionsOpened").asLong(), withData,
                        watchdogUsPerTick(streams / 2));
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
    }

    private static String route(String id, String dialect, String urlSetting, String channels, String instruments) {
        return "- route:\n"
                + "    id: " + id + "\n"
                + "    from:\n"
                + "      uri: exchange:" + id + "\n"
                + "      parameters:\n"
                + "        dialect: " + dialect + "\n"
                + "        url: \"{{" + urlSetting + "}}\"\n"
                + "        channels: " + channels + "\n"
                + "        instruments: " + instruments + "\n"
                + "        events: \"#connectorStatus\"\n"
                + "      steps:\n"
                + "        - to: direct:normalise\n";
    }

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static long counter(String url, String name) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET " + url + ": " + r.statusCode());
        }
        return (long) PrometheusScrape.parse(r.body()).named(name).stream()
                .mapToDouble(PrometheusScrape.Sample::value).sum();
    }

    /** Heap in use after a full collection in the application's JVM (jcmd GC.run, then GC.heap_info), MB. */
    private static double liveHeapMb(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "GC.run").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(30, TimeUnit.SECONDS);
        return ConnectorsMeasurements.heapUsedMb(pid);
    }

    /**
     * One watchdog tick (what a connection does every tick: its marks for health, then the check) over {@code n}
     * streams that all had data, in microseconds: the median of 200 ticks after 2,000 warm-up ticks.
     */
    static double watchdogUsPerTick(int n) {
        StreamWatchdog w = new StreamWatchdog(30_000, 5);
        long now = 1_000_000_000L;
        w.connectionOpened(now);
        String[] names = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = "trades:S" + i + "-USDT";
        }
        long[] samples = new long[200];
        long sink = 0;
        for (int tick = 0; tick < 2_200; tick++) {
            now += 1_000_000_000L;
            for (String s : names) {
                w.onData(s, now - 500_000_000L);
            }
            long t0 = System.nanoTime();
            sink += w.marks().size();
            String stale = w.check(now);
            long t1 = System.nanoTime();
            if (stale != null) {
                throw new IllegalStateException("a steady stream judged stale: " + stale);
            }
            if (tick >= 2_000) {
                samples[tick - 2_000] = t1 - t0;
            }
        }
        if (sink == 0) {
            throw new IllegalStateException("no marks");
        }
        java.util.Arrays.sort(samples);
        return samples[samples.length / 2] / 1000.0;
    }
}
