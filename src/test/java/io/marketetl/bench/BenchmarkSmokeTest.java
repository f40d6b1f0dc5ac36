package io.marketetl.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench/run --smoke, in-process: it produces its tables and its JSON. Asserts nothing about the figures. */
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
                "(c) pipeline", "(d) load stage alone", "Indexes on websocket_messages", "Concurrency sweep");
        assertThat(report.json()).exists();
        assertThat(Files.readString(report.json())).contains("\"medians\"", "\"runs\"");
    }
}
