package io.marketetl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench/run --smoke, in-process: it produces its tables and its JSON. Asserts nothing about the figures beyond their
 * being non-zero.
 */
class BenchmarkSmokeTest {

    @TempDir
    Path out;

    @Test
    void smokeRunProducesItsTables() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Benchmark.Report report;
        try (PrintStream print = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            report = Benchmark.run(print, "--smoke", "--out", out.toString());
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(printed).contains("Load path, medians", "(a) psql \\copy (ceiling)", "(b) seed: 1 INSERT/message",
                "(c) pipeline", "(d) load stage alone", "Indexes on websocket_messages", "Concurrency sweep",
                Benchmark.NO_NATURAL_KEY, "Natural keys at full speed");
        // every row stored something (the seed pattern's INSERT once failed on every message and printed 0 msgs/s)
        assertThat(report.runs()).allMatch(r -> r.messages() > 0, "every run committed messages");
        assertThat(report.json()).exists();
        assertThat(Files.readString(report.json())).contains("\"medians\"", "\"runs\"");
    }

    /**
     * bench/run --smoke --feed simulator (without the other writer, the index comparison and the sweep, which are
     * fed in-process anyway): the simulator in its own JVM, exchange: sources, Normaliser, pipeline. Asserts only
     * that the table came out and that the pipeline committed at a non-zero rate at full speed.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void smokeRunWithTheSimulatorFeedCommits() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        Benchmark.Report report;
        try (PrintStream print = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            report = Benchmark.run(print, "--smoke", "--feed", "simulator", "--no-writers", "--no-indexes",
                    "--no-natural-key-row", "--sweep", "none", "--out", out.toString());
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(printed).contains("Load path, medians", "(c) pipeline", "feed simulator");
        assertThat(report.medians()).filteredOn(r -> r.scenario().equals("(c) pipeline") && r.offered() == 0)
                .singleElement().satisfies(r -> {
                    assertThat(r.messages()).isPositive();
                    assertThat(r.messagesPerSecond()).isPositive();
                });
    }

    /**
     * bench/run --scenario connectors --smoke with 10 connectors: the simulator and the application in their own
     * JVMs (the application's main class on the test classpath: the jar is built after the tests), a few seconds
     * measured. Asserts only that the table came out with calls and rows in the application's row.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void connectorsSmokeRunCalls() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        ConnectorsBenchmark.Report report;
        try (PrintStream print = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            report = ConnectorsBenchmark.run(print, "--scenario", "connectors", "--smoke", "--connectors", "10",
                    "--warmup", "1", "--seconds", "2", "--app", "classpath", "--out", out.toString());
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(printed).contains("HTTP connectors, medians", "(a) bare HTTP client", "(c) application",
                "Targets (issue #8)");
        assertThat(report.medians()).filteredOn(r -> r.scenario().startsWith("(c)")).singleElement().satisfies(r -> {
            assertThat(r.connectors()).isEqualTo(10);
            assertThat(r.calls()).isPositive();
            assertThat(r.callsPerSecond()).isPositive();
            assertThat(r.rows()).isPositive();
        });
        assertThat(Files.readString(report.json())).contains("\"medians\"", "\"runs\"");
    }

    /**
     * bench/run --scenario e2e --smoke: the simulator and the application in their own JVMs (main classes on the test
     * classpath), the shipped okx-spot and binance-spot routes, a few seconds measured, then the same-work and
     * messages-only \copy of what it committed. Asserts only that rows were committed and copied back, not any rate.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void endToEndSmokeRunCommitsAndCopiesWhatItCommitted() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        EndToEndBenchmark.Report report;
        try (PrintStream print = new PrintStream(buffer, true, StandardCharsets.UTF_8)) {
            report = EndToEndBenchmark.run(print, "--scenario", "e2e", "--smoke", "--app", "classpath", "--out",
                    out.toString());
        }
        String printed = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(printed);
        assertThat(printed).contains("End to end, medians", "(e) app end to end", "(s) same-work \\copy",
                "(m) \\copy of its messages only", "targets (issue #10)");
        assertThat(report.runs()).singleElement().satisfies(r -> {
            assertThat(r.appMessages()).isPositive();
            assertThat(r.appUsPerMessage()).isPositive();
            assertThat(r.copyMessages()).isGreaterThanOrEqualTo(r.appMessages());
            assertThat(r.copyBatches()).isPositive();
            assertThat(r.sameWorkMessagesPerSecond()).isPositive();
            assertThat(r.messagesOnlyPerSecond()).isPositive();
        });
        assertThat(Files.readString(report.json())).contains("\"medians\"", "\"runs\"");
    }

    /** The replay scenario's smoke: every message spooled during the cut is replayed (no figure checked). */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void replaySmokeRunReplaysEverythingSpooled() throws Exception {
        ReplayBenchmark.Result r = ReplayBenchmark.once(5_000, null);
        assertThat(r.spooled()).isPositive();
        assertThat(r.replayed()).isEqualTo(r.spooled());
    }
}
