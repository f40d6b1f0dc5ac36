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
    void parsesTheRestOptions() throws Exception {
        SimulatorMain.Options o = SimulatorMain.parse(new String[] {"--binance-weight-limit", "50",
                "--binance-weight-window=2", "--binance-ban-after", "1", "--binance-ban-seconds", "2",
                "--okx-rest-limit", "5", "--okx-rest-window", "0.5", "--okx-body-error", "50001",
                "--rest-delay-ms", "250", "--rest-fail-ratio", "0.1", "--rest-fail-status", "503",
                "--rest-timeout-ratio", "0.05", "--api-key-header", "X-Key", "--api-key", "k", "--bearer-token", "t",
                "--basic-user", "u", "--basic-password", "p", "--binance-api-key", "bk", "--binance-api-secret", "bs",
                "--okx-api-key", "ok", "--okx-api-secret", "os", "--okx-passphrase", "op", "--request-log-capacity", "99"});
        SimulatorConfig c = o.config();
        assertThat(c.binanceWeightLimit()).isEqualTo(50);
        assertThat(c.binanceWeightWindow()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.binanceBanAfterRequests()).isEqualTo(1);
        assertThat(c.binanceBanSeconds()).isEqualTo(2);
        assertThat(c.okxRestLimit()).isEqualTo(5);
        assertThat(c.okxRestWindow()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.requestLogCapacity()).isEqualTo(99);
        assertThat(c.credentials()).isEqualTo(new SimulatorConfig.Credentials("X-Key", "k", "t", "u", "p", "bk", "bs",
                "ok", "os", "op"));
        assertThat(o.okxBodyError()).isEqualTo("50001");
        assertThat(o.restDelay()).isEqualTo(Duration.ofMillis(250));
        assertThat(o.restFailRatio()).isEqualTo(0.1);
        assertThat(o.restFailStatus()).isEqualTo(503);
        assertThat(o.restTimeoutRatio()).isEqualTo(0.05);

        SimulatorConfig d = SimulatorMain.parse(new String[0]).config();
        assertThat(d.binanceWeightLimit()).isEqualTo(6000);
        assertThat(d.binanceWeightWindow()).isEqualTo(Duration.ofMinutes(1));
        assertThat(d.okxRestLimit()).isEqualTo(20);
        assertThat(d.okxRestWindow()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.credentials()).isEqualTo(SimulatorConfig.Credentials.defaults());
        assertThat(d.tradeHistoryRetention()).isEqualTo(10_000);
        assertThat(d.slowConsumerCutAfter()).isEqualTo(Duration.ofSeconds(30));
        assertThat(d.unreadTradesPerSecond()).isZero();
        SimulatorConfig h = SimulatorMain.parse(new String[] {"--trade-history-retention", "500",
                "--slow-consumer-cut", "2.5", "--unread-trades-per-second=100"}).config();
        assertThat(h.tradeHistoryRetention()).isEqualTo(500);
        assertThat(h.slowConsumerCutAfter()).isEqualTo(Duration.ofMillis(2500));
        assertThat(h.unreadTradesPerSecond()).isEqualTo(100.0);
        for (String[] bad : List.of(new String[] {"--okx-body-error", "5001"}, new String[] {"--rest-fail-status", "404"},
                new String[] {"--trade-history-retention", "0"},
                new String[] {"--binance-weight-window", "0"}, new String[] {"--api-key-header", "bad header"})) {
            assertThatThrownBy(() -> SimulatorMain.parse(bad)).as(String.join(" ", bad))
                    .isInstanceOf(SimulatorMain.UsageException.class);
        }
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
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--disconnect-every", "--rest-429", "/sim/faults",
                "--binance-weight-limit", "--okx-rest-limit", "--rest-timeout-ratio", "--okx-api-secret", "/sim/requests");

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
