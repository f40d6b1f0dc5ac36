package io.marketetl.simulator;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatorMainTest {

    @Test
    void parsesEveryOption() throws Exception {
        SimulatorMain.Options o = SimulatorMain.parse(new String[] {"--port", "9000", "--rate=2000", "--seed", "7",
                "--disconnect-every", "5", "--stall", "--malformed-ratio", "0.1", "--gap-every", "50", "--gap-size", "3",
                "--refuse-for", "2.5", "--binance-lifetime", "30", "--okx-idle-timeout", "1.5", "--rest-429",
                "--instruments", "BTC-USDT,XRP-USDT", "--okx-idle-counts-pushed-data"});
        SimulatorConfig c = o.config();
        assertThat(c.port()).isEqualTo(9000);
        assertThat(c.ratePerConnection()).isEqualTo(2000);
        assertThat(c.seed()).isEqualTo(7);
        assertThat(c.binanceLifetime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.okxIdleTimeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(c.instruments()).containsExactly("BTC-USDT", "XRP-USDT");
        assertThat(c.okxIdleCountsPushedData()).isTrue();
        assertThat(o.disconnectEvery()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.stall()).isTrue();
        assertThat(o.malformedRatio()).isEqualTo(0.1);
        assertThat(o.gapEvery()).isEqualTo(50);
        assertThat(o.gapSize()).isEqualTo(3);
        assertThat(o.refuseFor()).isEqualTo(Duration.ofMillis(2500));
        assertThat(o.rest429()).isTrue();
        assertThat(SimulatorMain.parse(new String[0]).config().port()).isEqualTo(8765);
    }

    @Test
    void badArgumentsGiveOneLineAndExitCode2() {
        for (String[] args : List.of(new String[] {"--rate", "fast"}, new String[] {"--port"},
                new String[] {"--malformed-ratio", "1.5"}, new String[] {"--bogus"}, new String[] {"--port", "70000"},
                new String[] {"--okx-idle-timeout", "0"}, new String[] {"--instruments", "btc"})) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = SimulatorMain.run(args, new PrintStream(out), new PrintStream(err), false);
            assertThat(code).as(String.join(" ", args)).isEqualTo(2);
            String text = err.toString(StandardCharsets.UTF_8);
            assertThat(text.lines().count()).as(text).isEqualTo(1);
            assertThat(text).startsWith("simulator: ");
            assertThat(out.size()).isZero();
        }
        assertThatThrownBy(() -> SimulatorMain.parse(new String[] {"--gap-every", "x"}))
                .hasMessage("--gap-every: 'x' is not a whole number");
    }

    @Test
    void helpPrintsUsageAndAStartPrintsTheUrls() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(SimulatorMain.run(new String[] {"--help"}, new PrintStream(out), System.err, false)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--disconnect-every", "--rest-429", "/sim/faults");

        out.reset();
        assertThat(SimulatorMain.run(new String[] {"--port", "0", "--stall"}, new PrintStream(out), System.err, false)).isZero();
        String line = out.toString(StandardCharsets.UTF_8).trim();
        assertThat(line.lines().count()).isEqualTo(1);
        assertThat(line).containsPattern("okx-ws=ws://127\\.0\\.0\\.1:\\d+/ws/v5/public")
                .containsPattern("binance-ws=ws://127\\.0\\.0\\.1:\\d+ ")
                .contains("okx-rest=http://127.0.0.1:", "binance-rest=http://127.0.0.1:");
    }

    private static ProcessBuilder childJvm(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new java.util.ArrayList<>(List.of(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                SimulatorMain.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd);
    }

    @Test
    void realProcessExitsWith2OnBadArguments() throws Exception {
        Process p = childJvm("--seed", "abc").start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(2);
        assertThat(err.trim()).isEqualTo("simulator: --seed: 'abc' is not a whole number (see --help)");
    }

    @Test
    void realProcessServesUntilKilled() throws Exception {
        Process p = childJvm("--port", "0", "--rate", "10").redirectErrorStream(true).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line = r.readLine();
            assertThat(line).startsWith("Exchange simulator listening:");
            String control = line.replaceAll(".*control=(\\S+).*", "$1");
            assertThat(SimulatorRestTest.get(control).statusCode()).isEqualTo(200);
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.destroy();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
