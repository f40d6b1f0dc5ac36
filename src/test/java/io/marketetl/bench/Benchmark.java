package io.marketetl.bench;

import io.marketetl.bench.Measurements.Run;
import io.marketetl.testsupport.TestDatabase;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The load-path benchmark ({@code bench/run --scenario connectors} is {@link ConnectorsBenchmark}):
 * {@code bench/run [--smoke] [--rates 1000,5000,20000,max] [--seconds N] [--repeat N]
 * [--sources N] [--sweep 1,2,5,10,20,50] [--sweep-repeat N] [--copy-rows N] [--feed inproc|simulator]
 * [--no-writers] [--no-indexes] [--no-natural-key-row] [--out DIR]}.
 * <p>
 * In one throw-away database on the local PostgreSQL, same schema, same kind of rows:
 * <ol>
 * <li>(a) the ceiling: psql \copy of a generated file straight into websocket_messages;</li>
 * <li>(b) the seed document's pattern: one autocommitted INSERT per message over a 16-connection pool, as fast as
 * it goes;</li>
 * <li>(c) the pipeline (market-etl/pipeline.camel.yaml in an in-process CamelContext) fed at each offered rate and as
 * fast as it accepts, with the default writer, and at full speed with the other writer;</li>
 * <li>(d) the load stage alone (no feed, no routes, one thread) with each writer, 1,000-message batches;</li>
 * <li>the index comparison: (a) and (c, max) with the seed's websocket_messages indexes and with V4's;</li>
 * <li>the concurrency sweep: the pipeline at full speed with 1 to 50 sources, throughput per core.</li>
 * </ol>
 * Each figure is the median of {@code --repeat} runs. Prints tables and writes every run and median as JSON to
 * bench/results/.
 */
public final class Benchmark {

    /** The (c) row at full speed without natural keys (V8's unique index dropped, insert without ON CONFLICT). */
    static final String NO_NATURAL_KEY = "(c) pipeline, no natural key";

    static final class Options {
        boolean smoke;
        List<Double> rates = List.of(1000.0, 5000.0, 20000.0, 0.0);
        int seconds = 10;
        int repeat = 3;
        int sources = 4;
        List<Integer> sweep = List.of(1, 2, 5, 10, 20, 50);
        int sweepRepeat = 1;
        int copyRows = 300_000;
        String feed = "inproc";
        boolean writers = true;
        boolean indexes = true;
        boolean naturalKeyRow = true;
        Path out = Path.of("bench", "results");
        int seedConnections = 16;
        int warmupSeconds = 5;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--smoke" -> {
                        o.smoke = true;
                        o.rates = List.of(1000.0, 0.0);
                        o.seconds = 1;
                        o.repeat = 1;
                        o.sweep = List.of(2);
                        o.copyRows = 5_000;
                        o.warmupSeconds = 0;
                        o.seedConnections = 2;
                    }
                    case "--rates" -> o.rates = Arrays.stream(args[++i].split(","))
                            .map(r -> r.equals("max") ? 0.0 : Double.parseDouble(r)).toList();
                    case "--seconds" -> o.seconds = Integer.parseInt(args[++i]);
                    case "--repeat" -> o.repeat = Integer.parseInt(args[++i]);
                    case "--sources" -> o.sources = Integer.parseInt(args[++i]);
                    case "--sweep" -> {
                        String v = args[++i];
                        o.sweep = v.equals("none") ? List.of()
                                : Arrays.stream(v.split(",")).map(Integer::parseInt).toList();
                    }
                    case "--sweep-repeat" -> o.sweepRepeat = Integer.parseInt(args[++i]);
                    case "--copy-rows" -> o.copyRows = Integer.parseInt(args[++i]);
                    case "--feed" -> o.feed = args[++i];
                    case "--no-writers" -> o.writers = false;
                    case "--no-indexes" -> o.indexes = false;
                    case "--no-natural-key-row" -> o.naturalKeyRow = false;
                    case "--out" -> o.out = Path.of(args[++i]);
                    case "--scenario" -> {
                        if (!args[++i].equals("load")) {
                            throw new IllegalArgumentException("--scenario must be load or connectors");
                        }
                    }
                    case "--help", "-h" -> throw new IllegalArgumentException("help");
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (!o.feed.equals("inproc") && !o.feed.equals("simulator")) {
                throw new IllegalArgumentException("--feed must be inproc or simulator");
            }
            return o;
        }
    }

    /** What a benchmark produced: the runs, their medians, the printed report and the JSON file. */
    public record Report(List<Run> runs, List<Run> medians, String text, Path json) {
    }

    private final Options options;
    private final PrintStream out;
    private final List<Run> runs = new ArrayList<>();

    private Benchmark(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        int code;
        boolean connectors = ConnectorsBenchmark.wanted(args);
        try {
            if (ReplayBenchmark.wanted(args)) {
                Configurator.setLevel("io.marketetl", Level.ERROR);
                Configurator.setLevel("com.zaxxer.hikari", Level.OFF);
                ReplayBenchmark.run(System.out, args);
            } else if (EndToEndBenchmark.wanted(args)) {
                Configurator.setLevel("io.marketetl", Level.WARN);
                Configurator.setLevel("com.zaxxer.hikari", Level.OFF);
                EndToEndBenchmark.run(System.out, args);
            } else if (ScaleBenchmark.wanted(args)) {
                Configurator.setLevel("io.marketetl", Level.WARN);
                Configurator.setLevel("com.zaxxer.hikari", Level.OFF);
                ScaleBenchmark.run(System.out, args);
            } else if (connectors) {
                Configurator.setLevel("io.marketetl", Level.WARN);
                Configurator.setLevel("com.zaxxer.hikari", Level.OFF);
                ConnectorsBenchmark.run(System.out, args);
            } else {
                run(System.out, args);
            }
            code = 0;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage().equals("help") ? "" : "bench: " + e.getMessage());
            System.err.println("usage: bench/run [--scenario load] [--smoke] [--rates 1000,5000,20000,max]"
                    + " [--seconds N] [--repeat N] [--sources N] [--sweep 1,2,5,10,20,50|none] [--sweep-repeat N]"
                    + " [--copy-rows N] [--feed inproc|simulator] [--no-writers] [--no-indexes] [--no-natural-key-row]"
                    + " [--out DIR]");
            System.err.println("       b" + ConnectorsBenchmark.USAGE.substring("usage: b".length()));
            System.err.println("       b" + EndToEndBenchmark.USAGE.substring("usage: b".length()));
            System.err.println("       b" + ScaleBenchmark.USAGE.substring("usage: b".length()));
            code = 2;
        } catch (Exception e) {
            e.printStackTrace();
            code = 1;
        }
        System.exit(code);
    }

    public static Report run(PrintStream out, String... args) throws Exception {
        Options o = Options.parse(args);
        Configurator.setLevel("org.apache.camel", Level.WARN);
        Configurator.setLevel("io.marketetl", Level.WARN);
        Configurator.setLevel("com.zaxxer.hikari", Level.OFF); // a second pool's JMX name clash is harmless here
        return new Benchmark(o, out).execute();
    }

    private Report execute() throws Exception {
        Instant started = Instant.now();
        Files.createDirectories(options.out);
        String writer = defaultWriter();
        String other = writer.equals("copy") ? "sql" : "copy";
        Duration runTime = Duration.ofSeconds(options.seconds);
        log("market-etl load-path benchmark: " + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + Runtime.version() + ", default writer " + writer + (options.smoke ? ", smoke mode" : ""));
        try (TestDatabase db = TestDatabase.create()) {
            Path rowsFile = Measurements.copyFile(options.out, options.copyRows, 42);
            try {
                if (options.warmupSeconds > 0) {
                    log("warm-up: pipeline at full speed for " + options.warmupSeconds + " s (not reported)");
                    Measurements.pipeline(db, "warm-up", new Feed.Plan(options.sources, 0,
                            Duration.ofSeconds(options.warmupSeconds), 1), settings(writer), writer, "V4", false);
                }

                for (int r = 0; r < options.repeat; r++) {
                    log("round " + (r + 1) + "/" + options.repeat);
                    add(Measurements.ceiling(db, rowsFile, options.copyRows, "V4"));
                    add(Measurements.seedInserts(db, options.seedConnections, runTime, r));
                    for (double rate : options.rates) {
                        boolean pair = rate == 0 && options.naturalKeyRow;
                        if (pair && r % 2 == 1) {
                            // issue #11 item 8: next to the row it is compared with, same feed seed, the order
                            // alternating between rounds (the second of two back-to-back runs was seen faster)
                            add(Measurements.pipeline(db, NO_NATURAL_KEY, new Feed.Plan(options.sources, 0, runTime,
                                    100 + r), settings(writer), writer, "V4", false, true));
                        }
                        add(Measurements.pipeline(db, "(c) pipeline", new Feed.Plan(options.sources, rate, runTime,
                                100 + r), settings(writer), writer, "V4", options.feed.equals("simulator")));
                        if (pair && r % 2 == 0) {
                            add(Measurements.pipeline(db, NO_NATURAL_KEY, new Feed.Plan(options.sources, 0, runTime,
                                    100 + r), settings(writer), writer, "V4", false, true));
                        }
                    }
                    if (options.writers) {
                        add(Measurements.pipeline(db, "(c) pipeline", new Feed.Plan(options.sources, 0, runTime,
                                200 + r), settings(other), other, "V4", false));
                        for (String w : List.of("copy", "sql")) {
                            add(Measurements.loaderOnly(db, w, options.smoke ? 5 : 60, 1000, 500 + r));
                        }
                    }
                    if (options.indexes) {
                        // interleaved with the V4 runs of the same round, so that both sets see the same machine
                        seedIndexes(db, true);
                        try {
                            log("seed indexes, round " + (r + 1) + "/" + options.repeat);
                            add(Measurements.ceiling(db, rowsFile, options.copyRows, "seed"));
                            add(Measurements.pipeline(db, "(c) pipeline", new Feed.Plan(options.sources, 0, runTime,
                                    300 + r), settings(writer), writer, "seed", false));
                        } finally {
                            seedIndexes(db, false);
                        }
                    }
                }
                for (int r = 0; r < options.sweepRepeat; r++) {
                    for (int sources : options.sweep) {
                        log("sweep: " + sources + " sources, round " + (r + 1) + "/" + options.sweepRepeat);
                        add(Measurements.pipeline(db, "sweep", new Feed.Plan(sources, 0, runTime, 400 + r),
                                settings(writer), writer, "V4", false));
                    }
                }
            } finally {
                Files.deleteIfExists(rowsFile);
            }
        }
        List<Run> medians = medians(runs);
        String text = tables(medians);
        out.println();
        out.print(text);
        Path json = BenchSupport.writeResults(options.out, "bench", started, options.smoke, Map.of("rates", options.rates, "seconds", options.seconds, "repeat", options.repeat,
                "sources", options.sources, "sweep", options.sweep, "copyRows", options.copyRows, "feed", options.feed,
                "smoke", options.smoke, "defaultWriter", writer), medians, runs);
        out.println("results: " + json);
        return new Report(List.copyOf(runs), medians, text, json);
    }

    private String defaultWriter() {
        try (var in = Files.newBufferedReader(Path.of("application.properties"))) {
            return in.lines().filter(l -> l.startsWith("market-etl.load.writer="))
                    .map(l -> l.replaceAll(".*:(\\w+)}}.*", "$1")).findFirst().orElse("copy");
        } catch (java.io.IOException e) {
            return "copy";
        }
    }

    private static Map<String, String> settings(String writer) {
        return Map.of("market-etl.load.writer", writer);
    }

    /** Switches websocket_messages between V4's indexes and the seed's eight. */
    private static void seedIndexes(TestDatabase db, boolean seed) {
        if (seed) {
            db.execute("DROP INDEX IF EXISTS idx_websocket_messages_connector_message_number");
            db.execute("CREATE INDEX idx_websocket_messages_timestamp ON websocket_messages(timestamp DESC)");
            db.execute("CREATE INDEX idx_websocket_messages_exchange ON websocket_messages(exchange)");
            db.execute("CREATE INDEX idx_websocket_messages_instrument ON websocket_messages(instrument)");
            db.execute("CREATE INDEX idx_websocket_messages_price ON websocket_messages(price)");
            db.execute("CREATE INDEX idx_websocket_messages_message_number ON websocket_messages(message_number)");
        } else {
            for (String name : List.of("timestamp", "exchange", "instrument", "price", "message_number")) {
                db.execute("DROP INDEX IF EXISTS idx_websocket_messages_" + name);
            }
            db.execute("CREATE INDEX IF NOT EXISTS idx_websocket_messages_connector_message_number"
                    + " ON websocket_messages(connector_id, message_number)");
        }
    }

    private void add(Run run) {
        runs.add(run);
        log(String.format(Locale.ROOT, "  %-28s %-4s %-4s %3d src %8s: %,9.0f msgs/s  p50 %s  p99 %s",
                run.scenario(), run.writer(), run.indexes(), run.sources(), offered(run.offered()),
                run.messagesPerSecond(), ms(run.p50Ms()), ms(run.p99Ms())));
    }

    private void log(String line) {
        out.println(line);
        out.flush();
    }

    // --------------------------------------------------------------------------------------------- reporting

    static List<Run> medians(List<Run> runs) {
        List<Run> out = new ArrayList<>();
        for (List<Run> g : BenchSupport.groups(runs, r -> r.scenario() + "|" + r.writer() + "|" + r.indexes() + "|"
                + r.sources() + "|" + r.offered())) {
            Run f = g.get(0);
            out.add(new Run(f.scenario(), f.writer(), f.indexes(), f.sources(), f.offered(),
                    (long) median(g, Run::messages), median(g, Run::seconds), median(g, Run::messagesPerSecond),
                    median(g, Run::p50Ms), median(g, Run::p99Ms), median(g, Run::appCpuPercent),
                    median(g, Run::dbCpuPercent), median(g, Run::machineBusyPercent), median(g, Run::peakHeapMb),
                    (long) median(g, Run::peakBacklog)));
        }
        return out;
    }

    private static double median(List<Run> g, ToDoubleFunction<Run> f) {
        return BenchSupport.median(g.stream().mapToDouble(f).sorted().toArray());
    }

    private String tables(List<Run> medians) {
        StringBuilder sb = new StringBuilder();
        Run ceiling = find(medians, "(a) psql \\copy (ceiling)", "V4");
        Run seed = medians.stream().filter(r -> r.scenario().startsWith("(b)")).findFirst().orElse(null);
        int cores = Runtime.getRuntime().availableProcessors();
        sb.append(String.format(Locale.ROOT, "Load path, medians of %d run(s), %d s each, %d sources, V4 indexes"
                + " (%d cores; app/db CPU in %% of one core, box = whole machine busy %%)%n", options.repeat,
                options.seconds, options.sources, cores));
        if (options.feed.equals("simulator")) {
            sb.append("  feed simulator: the (c) rows at the listed rates come from the exchange simulator (separate"
                    + " JVM, not in app%)\n   through exchange: sources and Normaliser; the other (c) rows are fed"
                    + " in-process\n");
        }
        String header = String.format(Locale.ROOT, "%-28s %-6s %-8s %10s %7s %7s %9s %9s %6s %6s %5s %7s %8s%n",
                "scenario", "writer", "offered", "msgs/s", "vs (a)", "vs (b)", "p50 ms", "p99 ms", "app%", "db%",
                "box%", "heapMB", "backlog");
        sb.append(header);
        sb.append("  (msgs/s: committed in the steady part of a run; p50/p99: event time to commit, except (d): its\n"
                + "   COPY or camel-sql staging step per 1,000-message batch, which is each row's load_time)\n");
        for (Run r : medians) {
            if (r.scenario().equals("sweep") || !r.indexes().equals("V4") && !r.indexes().isEmpty()) {
                continue;
            }
            sb.append(row(r, ceiling, seed));
        }
        Run keyed = medians.stream().filter(r -> r.scenario().equals("(c) pipeline") && r.offered() == 0
                && r.indexes().equals("V4") && r.writer().equals(defaultWriterOf(medians))).findFirst().orElse(null);
        Run unkeyed = find(medians, NO_NATURAL_KEY, "V4");
        if (keyed != null && unkeyed != null) {
            double ratio = keyed.messagesPerSecond() / unkeyed.messagesPerSecond();
            sb.append(String.format(Locale.ROOT, "%nNatural keys at full speed (issue #11 item 8: within 5%%), medians"
                    + " of %d, same run:%n  (c) pipeline max %,.0f msgs/s with natural keys, %,.0f without:"
                    + " %.3f (%+.1f%%), target >= 0.95: %s%n", options.repeat, keyed.messagesPerSecond(),
                    unkeyed.messagesPerSecond(), ratio, (ratio - 1) * 100, ratio >= 0.95 ? "met" : "NOT met"));
        }
        List<Run> seedSet = medians.stream().filter(r -> r.indexes().equals("seed")).toList();
        if (!seedSet.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nIndexes on websocket_messages: seed (8 secondary) vs V4 (4)%n"));
            sb.append(String.format(Locale.ROOT, "%-28s %12s %12s %8s%n", "scenario", "seed msgs/s", "V4 msgs/s",
                    "V4/seed"));
            for (Run s : seedSet) {
                Run v4 = medians.stream().filter(r -> r.scenario().equals(s.scenario()) && r.writer().equals(s.writer())
                        && r.offered() == s.offered() && r.sources() == s.sources() && r.indexes().equals("V4"))
                        .findFirst().orElse(null);
                if (v4 != null) {
                    sb.append(String.format(Locale.ROOT, "%-28s %,12.0f %,12.0f %7.2fx%n", s.scenario()
                            + (s.scenario().startsWith("(c)") ? " max" : ""), s.messagesPerSecond(),
                            v4.messagesPerSecond(), v4.messagesPerSecond() / s.messagesPerSecond()));
                }
            }
        }
        List<Run> sweep = medians.stream().filter(r -> r.scenario().equals("sweep")).toList();
        if (!sweep.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nConcurrency sweep: pipeline at full speed, writer %s (median of %d)%n",
                    sweep.get(0).writer(), options.sweepRepeat));
            sb.append(String.format(Locale.ROOT, "%7s %10s %9s %8s %8s %14s %14s %14s%n", "sources", "msgs/s",
                    "p99 ms", "app%", "db%", "per app core", "per app+db core", "per box core"));
            for (Run r : sweep) {
                double appCores = r.appCpuPercent() / 100;
                double dbCores = r.dbCpuPercent() / 100;
                sb.append(String.format(Locale.ROOT, "%7d %,10.0f %9s %8.0f %8.0f %,14.0f %,14.0f %,14.0f%n",
                        r.sources(), r.messagesPerSecond(), ms(r.p99Ms()), r.appCpuPercent(), r.dbCpuPercent(),
                        r.messagesPerSecond() / appCores, r.messagesPerSecond() / (appCores + dbCores),
                        r.messagesPerSecond() / cores));
            }
        }
        return sb.toString();
    }

    /** The writer of the natural-key row (the default writer's). */
    private static String defaultWriterOf(List<Run> medians) {
        return medians.stream().filter(r -> r.scenario().equals(NO_NATURAL_KEY)).map(Run::writer).findFirst()
                .orElse("copy");
    }

    private static Run find(List<Run> medians, String scenario, String indexes) {
        return medians.stream().filter(r -> r.scenario().equals(scenario) && r.indexes().equals(indexes)).findFirst()
                .orElse(null);
    }

    private static String row(Run r, Run ceiling, Run seed) {
        String label = r.scenario() + (r.scenario().startsWith("(b)") ? " x" + r.sources() : "");
        return String.format(Locale.ROOT, "%-28s %-6s %-8s %,10.0f %7s %7s %9s %9s %6s %6s %5s %7s %8s%n", label,
                r.writer(), offered(r.offered()), r.messagesPerSecond(), ratio(r, ceiling), ratio(r, seed),
                ms(r.p50Ms()), ms(r.p99Ms()), pct(r.appCpuPercent()), pct(r.dbCpuPercent()),
                pct(r.machineBusyPercent()), Double.isNaN(r.peakHeapMb()) ? "-" : String.format(Locale.ROOT, "%.0f",
                        r.peakHeapMb()), r.peakBacklog() == 0 ? "-" : Long.toString(r.peakBacklog()));
    }

    private static String ratio(Run r, Run base) {
        return base == null ? "-" : String.format(Locale.ROOT, "%.2f", r.messagesPerSecond()
                / base.messagesPerSecond());
    }

    private static String offered(double rate) {
        if (rate < 0) {
            return "-";
        }
        return rate == 0 ? "max" : String.format(Locale.ROOT, "%,.0f", rate);
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String pct(double v) {
        return Double.isNaN(v) || v < 0 ? "-" : String.format(Locale.ROOT, "%.0f", v);
    }
}
