package io.marketetl.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.marketetl.testsupport.AppProcess;
import io.marketetl.testsupport.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What the benchmark scenarios share: choosing a scenario from the command line, the application's JVM options and
 * environment, medians of rounds, the results file, and removing a round's work directory.
 */
final class BenchSupport {

    private BenchSupport() {
    }

    /** True when the command line asks for the scenario: {@code --scenario <name>} or {@code --<name>}. */
    static boolean wanted(String name, String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--" + name)
                    || args[i].equals("--scenario") && i + 1 < args.length && args[i + 1].equals(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The packaged application's JVM options: BENCH_APP_JAVA_OPTS (split at white space; e.g. add
     * -XX:StartFlightRecording=... for a profile), default -Xmx512m (the heap the tests give it).
     */
    static List<String> appJavaOptions() {
        String v = System.getenv("BENCH_APP_JAVA_OPTS");
        return v == null || v.isBlank() ? List.of("-Xmx512m") : List.of(v.trim().split("\\s+"));
    }

    /**
     * The packaged application's environment for a round: this process's {@code MARKET_ETL_*} variables, then
     * {@code extra}, then the round's database, its routes folder and a free management port (these win over both).
     * A mutable map: the caller may add its own.
     */
    static Map<String, String> appEnvironment(TestDatabase db, Path routes, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("MARKET_ETL_")) {
                env.put(k, v);
            }
        });
        env.putAll(extra);
        env.put("POSTGRES_HOST", db.settings().host());
        env.put("POSTGRES_PORT", Integer.toString(db.settings().port()));
        env.put("POSTGRES_USER", db.settings().user());
        env.put("POSTGRES_PASSWORD", db.settings().password());
        env.put("POSTGRES_DB", db.name());
        env.put("MARKET_ETL_ROUTES_DIR", routes.toAbsolutePath().toString());
        env.put("MARKET_ETL_MANAGEMENT_PORT", Integer.toString(AppProcess.freePort()));
        return env;
    }

    /** The runs grouped by {@code key} (the rounds of one row), groups in the order of their first run. */
    static <R> Collection<List<R>> groups(List<R> runs, Function<R, String> key) {
        Map<String, List<R>> groups = new LinkedHashMap<>();
        for (R r : runs) {
            groups.computeIfAbsent(key.apply(r), k -> new ArrayList<>()).add(r);
        }
        return groups.values();
    }

    /** The median of values sorted in ascending order (the mean of the middle two for an even count); NaN if none. */
    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * Writes a scenario's results as indented JSON to {@code <dir>/<prefix>-<yyyyMMdd-HHmmss of started, UTC>.json}
     * ({@code -smoke} before {@code .json} for a smoke run): when it started, the cores, the Java version, the
     * options, the medians and every run. Returns the file.
     */
    static Path writeResults(Path dir, String prefix, Instant started, boolean smoke, Map<String, ?> options,
            List<?> medians, List<?> runs) throws IOException {
        Path json = dir.resolve(prefix + "-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
                .withZone(ZoneOffset.UTC).format(started) + (smoke ? "-smoke" : "") + ".json");
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("started", started.toString());
        doc.put("cores", Runtime.getRuntime().availableProcessors());
        doc.put("java", Runtime.version().toString());
        doc.put("options", options);
        doc.put("medians", medians);
        doc.put("runs", runs);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), doc);
        return json;
    }

    /** Deletes the directory and everything in it (a round's work directory). */
    static void deleteTree(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
