package io.marketetl.bench;

import io.marketetl.db.DatabaseSettings;
import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TestDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The end-to-end scenario (issue #10): {@code bench/run --scenario e2e [--seconds 30] [--warmup 10] [--repeat 3]
 * [--jar PATH[,PATH...]] [--sources N] [--smoke] [--out DIR]}.
 * <p>
 * Measured as a user runs it: the packaged application ({@code java -jar target/market-etl.jar}) in its own JVM, its
 * routes folder holding the shipped {@code okx-spot} and {@code binance-spot} route files (OKX_WS_URL and
 * BINANCE_WS_URL pointing at the simulator), fed over its WebSockets by the exchange simulator in another JVM
 * ({@code simulator --rate 0 --seed 42}: as fast as the sockets take). After {@code --warmup} seconds of data, it
 * counts the committed websocket_messages rows over {@code --seconds} and the CPU of the application, the simulator
 * and PostgreSQL. Then the simulator stalls, the application drains and is stopped, and in the same round:
 * <ul>
 * <li>(s) the same-work ceiling: psql {@code \copy} of exactly the rows that run committed (its websocket_batches
 * and websocket_messages rows, exported with {@code \copy ... TO}) into an empty, migrated copy of the schema, one
 * psql session, wall time;</li>
 * <li>(m) the same websocket_messages rows alone, the messages-only reference.</li>
 * </ul>
 * Every ratio is the application's msgs/s against (s) (and against (m)) of the same round; figures are medians of
 * {@code --repeat} rounds. With several {@code --jar}s each round runs each of them back to back (a baseline and a
 * variant in the same conditions). {@code --sources N} (default 1) starts N copies of each shipped source route
 * (ids {@code okx-spot-<i>}, {@code binance-spot-<i>}), each its own connection.
 * App CPU per message = the application's process CPU time in the window / messages committed in it.
 * {@code --app classpath} runs the application's and the simulator's main classes on this JVM's classpath instead
 * of the jar (BenchmarkSmokeTest's way: the jar is built after the tests).
 */
public final class EndToEndBenchmark {

    static final String USAGE = "usage: bench/run --scenario e2e [--seconds N] [--warmup N] [--repeat N]"
            + " [--jar PATH[,PATH...]] [--app jar|classpath] [--sources N] [--smoke] [--out DIR]";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final List<String> SHIPPED = List.of("okx-spot", "binance-spot");

    static final class Options {
        boolean smoke;
        int seconds = 30;
        int warmupSeconds = 10;
        int repeat = 3;
        int sources = 1;
        List<Path> jars = List.of(Path.of("target", "market-etl.jar"));
        /** jar: java -jar each --jar; classpath: the main classes on this JVM's classpath (the smoke test's way). */
        String app = "jar";
        Path out = Path.of("bench", "results");

        static Options parse(String... args) {
            Options o = new Options();
            if (Arrays.asList(args).contains("--smoke")) {
                o.smoke = true;
                o.seconds = 3;
                o.warmupSeconds = 2;
                o.repeat = 1;
            }
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--smoke", "--e2e" -> {
                    }
                    case "--scenario" -> {
                        if (!args[++i].equals("e2e")) {
                            throw new IllegalArgumentException("--scenario " + args[i] + " is not this one");
                        }
                    }
                    case "--seconds" -> o.seconds = Integer.parseInt(args[++i]);
                    case "--warmup" -> o.warmupSeconds = Integer.parseInt(args[++i]);
                    case "--repeat" -> o.repeat = Integer.parseInt(args[++i]);
                    case "--sources" -> o.sources = Integer.parseInt(args[++i]);
                    case "--jar" -> o.jars = Arrays.stream(args[++i].split(",")).map(Path::of).toList();
                    case "--app" -> o.app = args[++i];
                    case "--out" -> o.out = Path.of(args[++i]);
                    case "--help", "-h" -> throw new IllegalArgumentException("help");
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (!o.app.equals("jar") && !o.app.equals("classpath")) {
                throw new IllegalArgumentException("--app must be jar or classpath");
            }
            if (o.app.equals("classpath")) {
                o.jars = List.of(Path.of("classpath"));
            }
            for (Path j : o.app.equals("jar") ? o.jars : List.<Path>of()) {
                if (!Files.isRegularFile(j)) {
                    throw new IllegalArgumentException(j + " not found: build it (mvn -B -q package -DskipTests;"
                            + " bench/run does for target/market-etl.jar)");
                }
            }
            if (o.seconds <= 0 || o.repeat <= 0 || o.sources <= 0 || o.warmupSeconds < 0) {
                throw new IllegalArgumentException("--seconds, --repeat and --sources must be positive");
            }
            return o;
        }
    }

    /**
     * One round for one jar: (e) the application's window, (s) and (m) the \copy of what it committed.
     *
     * @param appMessages      websocket_messages rows committed in the window
     * @param appUsPerMessage  application process CPU time in the window / appMessages, microseconds
     * @param dbUsPerMessage   all PostgreSQL processes' CPU in the window / appMessages, microseconds
     * @param copyMessages     rows the whole run committed (what (s) and (m) copy)
     * @param copyBatches      websocket_batches rows the whole run committed
     */
    record Run(String jar, int round, int sources, double seconds, long appMessages, double appMessagesPerSecond,
            double appCpuPercent, double appUsPerMessage, double dbCpuPercent, double dbUsPerMessage,
            double simulatorCpuPercent, double machineBusyPercent, double peakHeapMb, long copyMessages,
            long copyBatches, double sameWorkSeconds, double sameWorkMessagesPerSecond, double sameWorkBoxPercent,
            double messagesOnlySeconds, double messagesOnlyPerSecond, double vsSameWork, double vsMessagesOnly) {
    }

    public record Report(List<Run> runs, List<Run> medians, String text, Path json) {
    }

    /** True when the command line asks for this scenario ({@code --scenario e2e} or {@code --e2e}). */
    static boolean wanted(String... args) {
        return BenchSupport.wanted("e2e", args);
    }

    private final Options options;
    private final PrintStream out;
    private final List<Run> runs = new ArrayList<>();

    private EndToEndBenchmark(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static Report run(PrintStream out, String... args) throws Exception {
        return new EndToEndBenchmark(Options.parse(args), out).execute();
    }

    private Report execute() throws Exception {
        Instant started = Instant.now();
        Files.createDirectories(options.out);
        log(String.format(Locale.ROOT, "market-etl end-to-end benchmark: packaged app (%s) fed by the simulator"
                + " (own JVM, --rate 0) through the shipped okx-spot and binance-spot routes x%d; %d s measured after"
                + " %d s warm-up, %d round(s); %d cores, Java %s; app JVM %s", jarNames(), options.sources,
                options.seconds, options.warmupSeconds, options.repeat, Runtime.getRuntime().availableProcessors(),
                Runtime.version(), String.join(" ", BenchSupport.appJavaOptions())));
        for (int r = 0; r < options.repeat; r++) {
            for (Path jar : options.jars) {
                log("round " + (r + 1) + "/" + options.repeat + ", " + jar);
                Run run = round(jar, r + 1);
                runs.add(run);
                log(String.format(Locale.ROOT, "  (e) %,d msgs in %.1f s = %,.0f msgs/s, app %.0f%% = %.1f us/msg,"
                        + " db %.0f%% = %.1f us/msg, sim %.0f%%, box %.0f%%; (s) %,d msgs + %,d batches in %.2f s"
                        + " = %,.0f msgs/s; (m) %.2f s = %,.0f msgs/s; ratio %.2f (vs m %.2f)", run.appMessages(),
                        run.seconds(), run.appMessagesPerSecond(), run.appCpuPercent(), run.appUsPerMessage(),
                        run.dbCpuPercent(), run.dbUsPerMessage(), run.simulatorCpuPercent(),
                        run.machineBusyPercent(), run.copyMessages(), run.copyBatches(), run.sameWorkSeconds(),
                        run.sameWorkMessagesPerSecond(), run.messagesOnlySeconds(), run.messagesOnlyPerSecond(),
                        run.vsSameWork(), run.vsMessagesOnly()));
            }
        }
        List<Run> medians = medians(runs);
        String text = table(medians);
        out.println();
        out.print(text);
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("seconds", options.seconds);
        opts.put("warmupSeconds", options.warmupSeconds);
        opts.put("repeat", options.repeat);
        opts.put("sources", options.sources);
        opts.put("jars", options.jars.stream().map(Path::toString).toList());
        opts.put("appJavaOptions", BenchSupport.appJavaOptions());
        Path json = BenchSupport.writeResults(options.out, "e2e", started, options.smoke, opts, medians, runs);
        out.println("results: " + json);
        return new Report(List.copyOf(runs), medians, text, json);
    }

    private String jarNames() {
        return String.join(", ", options.jars.stream().map(Path::toString).toList());
    }

    // ------------------------------------------------------------------------------------------------- a round

    private Run round(Path jar, int round) throws Exception {
        Path work = Files.createTempDirectory("bench-e2e-");
        ConnectorsMeasurements.Launch launch = new ConnectorsMeasurements.Launch(options.app, jar,
                BenchSupport.appJavaOptions());
        try {
            long appMessages;
            double seconds;
            ResourceSampler res;
            double heap;
            Path batchesFile = work.resolve("batches.copy");
            Path messagesFile = work.resolve("messages.copy");
            long copyMessages;
            long copyBatches;
            long appPid;
            long simPid;
            try (SimulatorProcess sim = SimulatorProcess.start(launch.simulator(),
                    List.of("--seed", "42", "--rate", "0"));
                    TestDatabase db = TestDatabase.create()) {
                Path routes = work.resolve("routes");
                writeRoutes(routes, options.sources);
                Map<String, String> env = BenchSupport.appEnvironment(db, routes, Map.of());
                env.put("MARKET_ETL_ROUTES_RELOAD", "false");
                env.put("OKX_WS_URL", sim.url("okx-ws"));
                env.put("BINANCE_WS_URL", sim.url("binance-ws"));
                Path gcLog = work.resolve("gc.log");
                AppProcess app = AppProcess.start(launch.app(gcLog), work.resolve("app"), env);
                appPid = app.pid();
                simPid = sim.pid();
                try {
                    app.awaitOutput("(market-etl) started", START_TIMEOUT);
                    awaitRows(db, app);
                    Thread.sleep(TimeUnit.SECONDS.toMillis(options.warmupSeconds));
                    long gc0 = Files.exists(gcLog) ? Files.size(gcLog) : 0;
                    ConnectorsMeasurements.Timed<Long> rows0 = ConnectorsMeasurements.timed(() -> committed(db));
                    res = new ResourceSampler(app.pid(), sim.pid());
                    Thread.sleep(TimeUnit.SECONDS.toMillis(options.seconds));
                    res.close();
                    ConnectorsMeasurements.Timed<Long> rows1 = ConnectorsMeasurements.timed(() -> committed(db));
                    long gc1 = Files.exists(gcLog) ? Files.size(gcLog) : 0;
                    if (!app.isAlive()) {
                        throw new IllegalStateException("the application exited during the measurement:\n"
                                + app.stdout() + "\n" + app.stderr());
                    }
                    appMessages = rows1.value() - rows0.value();
                    seconds = rows1.seconds(rows0);
                    heap = ConnectorsMeasurements.peakHeapMb(gcLog, gc0, gc1);
                    sim.faults("{\"stall\":true}");
                    awaitStable(db);
                } finally {
                    app.stop(Duration.ofSeconds(30));
                }
                copyMessages = db.queryLong("SELECT count(*) FROM websocket_messages");
                copyBatches = db.queryLong("SELECT count(*) FROM websocket_batches");
                psql(db.settings(), "\\copy websocket_batches TO '" + batchesFile.toAbsolutePath() + "'");
                psql(db.settings(), "\\copy websocket_messages TO '" + messagesFile.toAbsolutePath() + "'");
            }
            double sameWork;
            double sameWorkBox;
            double messagesOnly;
            try (TestDatabase empty = TestDatabase.create()) {
                ResourceSampler copyRes = new ResourceSampler();
                long t0 = System.nanoTime();
                psql(empty.settings(), "\\copy websocket_batches FROM '" + batchesFile.toAbsolutePath() + "'",
                        "\\copy websocket_messages FROM '" + messagesFile.toAbsolutePath() + "'");
                sameWork = (System.nanoTime() - t0) / 1e9;
                copyRes.close();
                sameWorkBox = copyRes.machineBusyPercent();
                check(empty, "websocket_messages", copyMessages);
                check(empty, "websocket_batches", copyBatches);
                empty.execute("TRUNCATE websocket_messages, websocket_batches");
                empty.execute("CHECKPOINT");
                t0 = System.nanoTime();
                psql(empty.settings(), "\\copy websocket_messages FROM '" + messagesFile.toAbsolutePath() + "'");
                messagesOnly = (System.nanoTime() - t0) / 1e9;
                check(empty, "websocket_messages", copyMessages);
            }
            double rate = appMessages / seconds;
            double appCpu = res.processCpuPercent(appPid);
            double db = res.postgresCpuPercent();
            return new Run(jar.toString(), round, options.sources, seconds, appMessages, rate, appCpu,
                    appCpu / 100.0 * res.seconds() * 1e6 / appMessages, db,
                    db / 100.0 * res.seconds() * 1e6 / appMessages, res.processCpuPercent(simPid),
                    res.machineBusyPercent(), heap, copyMessages, copyBatches, sameWork, copyMessages / sameWork,
                    sameWorkBox, messagesOnly, copyMessages / messagesOnly, rate / (copyMessages / sameWork),
                    rate / (copyMessages / messagesOnly));
        } finally {
            BenchSupport.deleteTree(work);
        }
    }

    /** N copies of each shipped source route (the shipped files as they are when N = 1). */
    static void writeRoutes(Path routes, int sources) throws IOException {
        Files.createDirectories(routes);
        for (String name : SHIPPED) {
            String yaml = Files.readString(Path.of("routes", name + ".camel.yaml"));
            if (sources == 1) {
                Files.writeString(routes.resolve(name + ".camel.yaml"), yaml);
                continue;
            }
            for (int i = 0; i < sources; i++) {
                String copy = yaml.replace("id: " + name, "id: " + name + "-" + i)
                        .replace("uri: exchange:" + name, "uri: exchange:" + name + "-" + i);
                Files.writeString(routes.resolve(name + "-" + i + ".camel.yaml"), copy);
            }
        }
    }

    private static long committed(TestDatabase db) {
        return db.queryLong("SELECT count(*) FROM websocket_messages");
    }

    private static void awaitRows(TestDatabase db, AppProcess app) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (committed(db) == 0) {
            if (System.nanoTime() > deadline || !app.isAlive()) {
                throw new IllegalStateException("no message committed " + START_TIMEOUT.toSeconds()
                        + " s after the start:\n" + app.stdout() + "\n" + app.stderr());
            }
            Thread.sleep(100);
        }
    }

    /** Until the committed count stops moving for a second (the simulator stalled, the app drained). */
    private static void awaitStable(TestDatabase db) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = committed(db);
        while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            long now = committed(db);
            if (now == last) {
                return;
            }
            last = now;
        }
        throw new IllegalStateException("rows still being committed 60 s after the stall");
    }

    private static void check(TestDatabase db, String table, long expected) {
        long n = db.queryLong("SELECT count(*) FROM " + table);
        if (n != expected) {
            throw new IllegalStateException("\\copy stored " + n + " of " + expected + " rows in " + table);
        }
    }

    /** One psql session running {@code commands} in order; fails on the first error. */
    static void psql(DatabaseSettings s, String... commands) throws IOException, InterruptedException {
        List<String> c = new ArrayList<>(List.of("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", s.host(), "-p",
                Integer.toString(s.port()), "-U", s.user(), "-d", s.database()));
        for (String command : commands) {
            c.add("-c");
            c.add(command);
        }
        ProcessBuilder pb = new ProcessBuilder(c).redirectErrorStream(true);
        if (!s.password().isEmpty()) {
            pb.environment().put("PGPASSWORD", s.password());
        }
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        if (exit != 0) {
            throw new IllegalStateException("psql " + String.join(" ; ", commands) + " failed (" + exit + "): "
                    + output);
        }
    }

    // --------------------------------------------------------------------------------------------- reporting

    static List<Run> medians(List<Run> runs) {
        List<Run> out = new ArrayList<>();
        for (List<Run> g : BenchSupport.groups(runs, Run::jar)) {
            Run f = g.get(0);
            out.add(new Run(f.jar(), 0, f.sources(), median(g, Run::seconds), (long) median(g, Run::appMessages),
                    median(g, Run::appMessagesPerSecond), median(g, Run::appCpuPercent),
                    median(g, Run::appUsPerMessage), median(g, Run::dbCpuPercent), median(g, Run::dbUsPerMessage),
                    median(g, Run::simulatorCpuPercent), median(g, Run::machineBusyPercent),
                    median(g, Run::peakHeapMb), (long) median(g, Run::copyMessages),
                    (long) median(g, Run::copyBatches), median(g, Run::sameWorkSeconds),
                    median(g, Run::sameWorkMessagesPerSecond), median(g, Run::sameWorkBoxPercent),
                    median(g, Run::messagesOnlySeconds), median(g, Run::messagesOnlyPerSecond),
                    median(g, Run::vsSameWork), median(g, Run::vsMessagesOnly)));
        }
        return out;
    }

    private static double median(List<Run> g, ToDoubleFunction<Run> f) {
        return BenchSupport.median(g.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray());
    }

    private String table(List<Run> medians) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "End to end, medians of %d round(s): packaged app fed over its sockets by"
                + " the simulator (own JVM, --rate 0), okx-spot + binance-spot x%d, %d s after %d s warm-up%n"
                + "  (%d cores shared; CPU in %% of one core; us/msg = process CPU time / messages committed in the"
                + " window;%n   every ratio against (s) of the same round: psql \\copy of exactly the rows that run"
                + " committed, both tables)%n", options.repeat, options.sources, options.seconds,
                options.warmupSeconds, Runtime.getRuntime().availableProcessors()));
        sb.append(String.format(Locale.ROOT, "%-52s %10s %9s %6s %6s %6s %7s %6s %5s %5s %6s%n", "row", "msgs",
                "msgs/s", "vs(s)", "vs(m)", "app%", "app us", "db%", "db us", "box%", "heapMB"));
        for (Run r : medians) {
            String jar = options.jars.size() > 1 ? " [" + Path.of(r.jar()).getFileName() + "]" : "";
            sb.append(String.format(Locale.ROOT, "%-52s %10d %9.0f %6.2f %6.2f %6.0f %7.1f %6.0f %5.1f %5.0f %6.0f%n",
                    "(e) app end to end" + jar, r.appMessages(), r.appMessagesPerSecond(), r.vsSameWork(),
                    r.vsMessagesOnly(), r.appCpuPercent(), r.appUsPerMessage(), r.dbCpuPercent(), r.dbUsPerMessage(),
                    r.machineBusyPercent(), r.peakHeapMb()));
            sb.append(String.format(Locale.ROOT, "%-52s %10d %9.0f %6.2f %6s %6s %7s %6s %5s %5.0f %6s%n",
                    "(s) same-work \\copy, both tables" + jar, r.copyMessages(), r.sameWorkMessagesPerSecond(), 1.0,
                    "-", "-", "-", "-", "-", r.sameWorkBoxPercent(), "-"));
            sb.append(String.format(Locale.ROOT, "%-52s %10d %9.0f %6.2f %6.2f %6s %7s %6s %5s %5s %6s%n",
                    "(m) \\copy of its messages only" + jar, r.copyMessages(), r.messagesOnlyPerSecond(),
                    r.messagesOnlyPerSecond() / r.sameWorkMessagesPerSecond(), 1.0, "-", "-", "-", "-", "-", "-"));
            sb.append(String.format(Locale.ROOT, "  targets (issue #10)%s: >= 0.9 of (s): %s (%.2f); app <= 15 us/msg:"
                    + " %s (%.1f); sim %.0f%% of a core%n", jar, r.vsSameWork() >= 0.9 ? "met" : "MISSED", r.vsSameWork(),
                    r.appUsPerMessage() <= 15 ? "met" : "MISSED", r.appUsPerMessage(), r.simulatorCpuPercent()));
        }
        return sb.toString();
    }

    private void log(String line) {
        out.println(line);
        out.flush();
    }
}
