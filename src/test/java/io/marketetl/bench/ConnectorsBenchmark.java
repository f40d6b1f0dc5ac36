package io.marketetl.bench;

import io.marketetl.bench.ConnectorsMeasurements.Launch;
import io.marketetl.bench.ConnectorsMeasurements.Run;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The HTTP connectors scenario (issue #8): {@code bench/run --scenario connectors [--connectors 500]
 * [--interval-ms 1000] [--seconds 60] [--warmup 20] [--repeat 3] [--smoke] [--no-baselines] [--no-settle]
 * [--app jar|classpath] [--jar PATH] [--out DIR]} ({@code bench/run --connectors N} for short; {@code --runs} is
 * {@code --repeat}).
 * <p>
 * Each round, against the exchange simulator in its own JVM ({@code /generic/prices}, two items per answer):
 * <ol>
 * <li>(a) the floor: a bare java.net.http client in the benchmark's JVM polling on the same schedule;</li>
 * <li>(b) the application with no connector (what it costs idle);</li>
 * <li>(c) the packaged application ({@code java -jar target/market-etl.jar}) with N generated {@code api:} route
 * files, a throw-away database, measured for {@code --seconds} after a warm-up.</li>
 * </ol>
 * Figures are medians of {@code --repeat} rounds. Prints a table and writes every run and the medians as JSON to
 * bench/results/connectors-*.json. See bench/README.md.
 */
public final class ConnectorsBenchmark {

    static final String USAGE = "usage: bench/run --scenario connectors [--connectors N] [--interval-ms MS]"
            + " [--seconds N] [--warmup N] [--repeat N] [--smoke] [--no-baselines] [--no-settle] [--app jar|classpath]"
            + " [--jar PATH] [--out DIR]";

    static final class Options {
        boolean smoke;
        int connectors = 500;
        long intervalMs = 1000;
        int seconds = 60;
        int warmupSeconds = 20;
        int repeat = 3;
        boolean baselines = true;
        boolean settle = true;
        boolean idle = true;
        String app = "jar";
        Path jar = Path.of("target", "market-etl.jar");
        Path out = Path.of("bench", "results");

        static Options parse(String... args) {
            Options o = new Options();
            if (Arrays.asList(args).contains("--smoke")) { // smoke defaults first, so that options given override them
                o.smoke = true;
                o.connectors = 20;
                o.seconds = 4;
                o.warmupSeconds = 2;
                o.repeat = 1;
                o.idle = false;
                o.settle = false;
            }
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--smoke" -> {
                    }
                    case "--scenario" -> {
                        if (!args[++i].equals("connectors")) {
                            throw new IllegalArgumentException("--scenario " + args[i] + " is not this one");
                        }
                    }
                    case "--connectors" -> o.connectors = positive(a, args[++i]);
                    case "--interval-ms" -> o.intervalMs = positive(a, args[++i]);
                    case "--seconds" -> o.seconds = positive(a, args[++i]);
                    case "--warmup" -> o.warmupSeconds = Integer.parseInt(args[++i]);
                    case "--repeat", "--runs" -> o.repeat = positive(a, args[++i]);
                    case "--no-baselines" -> o.baselines = false;
                    case "--no-settle" -> o.settle = false;
                    case "--app" -> o.app = args[++i];
                    case "--jar" -> o.jar = Path.of(args[++i]);
                    case "--out" -> o.out = Path.of(args[++i]);
                    case "--help", "-h" -> throw new IllegalArgumentException("help");
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (!o.app.equals("jar") && !o.app.equals("classpath")) {
                throw new IllegalArgumentException("--app must be jar or classpath");
            }
            if (o.app.equals("jar") && !Files.isRegularFile(o.jar)) {
                throw new IllegalArgumentException(o.jar + " not found: build it (mvn -B -q package -DskipTests;"
                        + " bench/run does) or use --app classpath");
            }
            return o;
        }

        private static int positive(String option, String value) {
            int v = Integer.parseInt(value);
            if (v <= 0) {
                throw new IllegalArgumentException(option + " must be positive");
            }
            return v;
        }
    }

    /** What the scenario produced: the runs, their medians, the printed report and the JSON file. */
    public record Report(List<Run> runs, List<Run> medians, String text, Path json) {
    }

    /** True when the command line asks for this scenario ({@code --scenario connectors} or {@code --connectors}). */
    static boolean wanted(String... args) {
        return BenchSupport.wanted("connectors", args);
    }

    private final Options options;
    private final PrintStream out;
    private final List<Run> runs = new ArrayList<>();

    private ConnectorsBenchmark(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static Report run(PrintStream out, String... args) throws Exception {
        return new ConnectorsBenchmark(Options.parse(args), out).execute();
    }

    private Report execute() throws Exception {
        Instant started = Instant.now();
        Files.createDirectories(options.out);
        List<String> appJavaOptions = BenchSupport.appJavaOptions();
        Launch launch = new Launch(options.app, options.jar, appJavaOptions);
        int threads = quartzThreads();
        Map<String, String> extraEnv = new LinkedHashMap<>();
        if (options.smoke && System.getenv("MARKET_ETL_CONNECTOR_STATUS_INTERVAL_MS") == null) {
            // a window of a few seconds needs status rows fresher than the default 10 s
            extraEnv.put("MARKET_ETL_CONNECTOR_STATUS_INTERVAL_MS", "1000");
        }
        log(String.format(Locale.ROOT, "market-etl connectors benchmark: %d connectors every %d ms, %d s measured"
                + " after %d s warm-up, %d round(s); %d cores, Java %s; app: %s %s%s", options.connectors,
                options.intervalMs, options.seconds, options.warmupSeconds, options.repeat,
                Runtime.getRuntime().availableProcessors(), Runtime.version(), options.app.equals("jar")
                        ? "java -jar " + options.jar : "main class on the test classpath",
                String.join(" ", appJavaOptions), options.smoke ? ", smoke mode" : ""));
        for (int r = 0; r < options.repeat; r++) {
            log("round " + (r + 1) + "/" + options.repeat);
            if (options.baselines) {
                add(ConnectorsMeasurements.bareClient(launch, options.connectors, options.intervalMs,
                        Math.min(options.warmupSeconds, 5), options.seconds, threads));
                if (options.idle) {
                    add(ConnectorsMeasurements.application(launch, 0, options.intervalMs, 5,
                            Math.min(options.seconds, 15), false, extraEnv, this::log));
                }
            }
            add(ConnectorsMeasurements.application(launch, options.connectors, options.intervalMs,
                    options.warmupSeconds, options.seconds, options.settle, extraEnv, this::log));
        }
        List<Run> medians = medians(runs);
        String text = table(medians, threads, appJavaOptions);
        out.println();
        out.print(text);
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("connectors", options.connectors);
        opts.put("intervalMs", options.intervalMs);
        opts.put("seconds", options.seconds);
        opts.put("warmupSeconds", options.warmupSeconds);
        opts.put("repeat", options.repeat);
        opts.put("app", options.app);
        opts.put("appJavaOptions", appJavaOptions);
        opts.put("quartzThreads", threads);
        opts.put("settings", settingsInEffect(extraEnv));
        opts.put("smoke", options.smoke);
        Path json = BenchSupport.writeResults(options.out, "connectors", started, options.smoke, opts, medians,
                runs);
        out.println("results: " + json);
        return new Report(List.copyOf(runs), medians, text, json);
    }

    private static int quartzThreads() {
        String v = System.getenv("MARKET_ETL_CONNECTOR_THREADS");
        return v == null || v.isBlank() ? 32 : Integer.parseInt(v.trim());
    }

    private static Map<String, String> settingsInEffect(Map<String, String> extraEnv) {
        Map<String, String> m = new java.util.TreeMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("MARKET_ETL_") || k.startsWith("CAMEL_")) {
                m.put(k, v);
            }
        });
        m.putAll(extraEnv);
        return m;
    }

    private void add(Run r) {
        runs.add(r);
        log(String.format(Locale.ROOT, "  %-24s %4d conns: %7.1f calls/s of %7.1f (%s), skipped %d, lag p50 %s p99 %s"
                + " ms, app %s%%, sim %s%%, box %s%%", r.scenario(), r.connectors(), r.callsPerSecond(),
                r.expectedCallsPerSecond(), pct1(r.servedPercent()), r.skipped(), ms(r.lagP50Ms()), ms(r.lagP99Ms()),
                pct(r.appCpuPercent()), pct(r.simulatorCpuPercent()), pct(r.machineBusyPercent())));
    }

    private void log(String line) {
        out.println(line);
        out.flush();
    }

    // --------------------------------------------------------------------------------------------- reporting

    static List<Run> medians(List<Run> runs) {
        List<Run> out = new ArrayList<>();
        for (List<Run> g : BenchSupport.groups(runs, r -> r.scenario() + "|" + r.connectors())) {
            Run f = g.get(0);
            out.add(new Run(f.scenario(), f.connectors(), f.intervalMs(), median(g, Run::seconds),
                    f.expectedCallsPerSecond(), (long) median(g, Run::calls), median(g, Run::callsPerSecond),
                    median(g, Run::servedPercent), (long) median(g, Run::ticks), (long) median(g, Run::connectorCalls),
                    (long) median(g, Run::skipped), g.size() == 1 ? f.skippedByReason() : null,
                    (long) median(g, Run::connectorsWithoutCalls), (long) median(g, Run::connectorsRestarted),
                    median(g, Run::lagP50Ms), median(g, Run::lagP99Ms), median(g, Run::lateOver100MsPercent),
                    g.size() == 1 ? f.lagHistogram() : null, (long) median(g, Run::rows), median(g, Run::rowsPerSecond),
                    g.size() == 1 ? f.answersByStatus() : null, median(g, Run::appCpuPercent),
                    median(g, Run::simulatorCpuPercent), median(g, Run::dbCpuPercent),
                    median(g, Run::machineBusyPercent), median(g, Run::peakHeapMb), median(g, Run::startSeconds),
                    median(g, Run::settleSeconds)));
        }
        return out;
    }

    private static double median(List<Run> g, ToDoubleFunction<Run> f) {
        return BenchSupport.median(g.stream().mapToDouble(f).sorted().toArray());
    }

    private String table(List<Run> medians, int threads, List<String> javaOptions) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "HTTP connectors, medians of %d run(s): %d connectors every %d ms against"
                + " the simulator's /generic/prices (%d items per answer),%n  %d s measured after a %d s warm-up"
                + " (%d cores; CPU in %% of one core, box = whole machine busy %%; app JVM %s, %d Quartz threads)%n",
                options.repeat, options.connectors, options.intervalMs, ConnectorsMeasurements.INSTRUMENTS.size(),
                options.seconds, options.warmupSeconds, Runtime.getRuntime().availableProcessors(),
                String.join(" ", javaOptions), threads));
        sb.append(String.format(Locale.ROOT, "%-24s %5s %5s %8s %8s %7s %7s %7s %7s %7s %8s %5s %5s %5s %5s %6s%n",
                "scenario", "conns", "secs", "expect/s", "calls/s", "served", "skipped", "lag p50", "lag p99", ">100ms",
                "rows/s", "app%", "sim%", "db%", "box%", "heapMB"));
        sb.append("  (secs: the measured window; calls/s: requests the simulator got in it; served: calls /\n"
                + "   (conns x secs / interval); skipped: ticks the connectors skipped (busy, backoff, budget); lag:\n"
                + "   tick start minus its due time, ms, upper bound of its histogram bucket; >100ms: share of ticks\n"
                + "   later than 100 ms; rows/s: rows committed to api_connector_data; heapMB: the app's peak heap in\n"
                + "   use; for (a) app% and heapMB are the benchmark JVM's, which makes the calls)\n");
        for (Run r : medians) {
            boolean none = r.connectors() == 0;
            sb.append(String.format(Locale.ROOT, "%-24s %5d %5.1f %8s %8s %7s %7s %7s %7s %7s %8s %5s %5s %5s %5s"
                    + " %6s%n", r.scenario(), r.connectors(), r.seconds(),
                    none ? "-" : num1(r.expectedCallsPerSecond()),
                    none ? "-" : num1(r.callsPerSecond()), pct1(r.servedPercent()),
                    r.scenario().startsWith("(a)") || none ? "-" : Long.toString(r.skipped()), ms(r.lagP50Ms()),
                    ms(r.lagP99Ms()), pct2(r.lateOver100MsPercent()), none || Double.isNaN(r.rowsPerSecond()) ? "-"
                            : num1(r.rowsPerSecond()), pct(r.appCpuPercent()), pct(r.simulatorCpuPercent()),
                    pct(r.dbCpuPercent()), pct(r.machineBusyPercent()), Double.isNaN(r.peakHeapMb()) ? "-"
                            : String.format(Locale.ROOT, "%.0f", r.peakHeapMb())));
        }
        medians.stream().filter(r -> r.scenario().startsWith("(c)")).findFirst().ifPresent(c -> {
            // the window's edges cut each connector's ticks at a different phase: the count of due times in it
            // deviates from conns x window / interval by about sqrt(conns)/2 (3 such deviations allowed, at least 0.5%)
            double tolerance = Math.max(0.5, 150.0 * Math.sqrt(c.connectors()) / (c.expectedCallsPerSecond()
                    * c.seconds()));
            boolean served = c.skipped() == 0 && c.connectorsWithoutCalls() == 0
                    && c.servedPercent() >= 100 - tolerance;
            boolean lag = c.lagP99Ms() <= 100;
            boolean core = c.appCpuPercent() < 100;
            sb.append(String.format(Locale.ROOT, "Targets (issue #8), (c): every tick served: %s (%s of the expected"
                    + " calls, tolerance %.1f%%; %d skipped; %d connector(s) without a call)%n  lag p99 <= 100 ms: %s"
                    + " (%s ms); under one core: %s (app %s%%)%n", yes(served), pct1(c.servedPercent()), tolerance,
                    c.skipped(), c.connectorsWithoutCalls(), yes(lag), ms(c.lagP99Ms()), yes(core),
                    pct(c.appCpuPercent())));
            sb.append(String.format(Locale.ROOT, "Start-up, (c): \"(market-etl) started\" %.1f s after the launch;"
                    + " calls at the expected rate after %s%n  (the ticks missed while the routes started are fired"
                    + " late first)%n",
                    c.startSeconds(), Double.isNaN(c.settleSeconds()) ? "- (not waited for)"
                            : Double.isInfinite(c.settleSeconds()) ? "more than "
                            + ConnectorsMeasurements.SETTLE_TIMEOUT.toSeconds() + " s: measured before"
                            : String.format(Locale.ROOT, "%.0f s", c.settleSeconds())));
        });
        return sb.toString();
    }

    private static String yes(boolean met) {
        return met ? "met" : "MISSED";
    }

    private static String num1(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String ms(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        return Double.isInfinite(v) ? ">60000" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) || v < 0 ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }

    private static String pct1(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f%%", v);
    }

    private static String pct2(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f%%", v);
    }
}
