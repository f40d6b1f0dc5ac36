package io.marketetl.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bench/hawtio-check} (Hawtio 4 in Tomcat 10 and headless Chromium against the packaged application;
 * README, "Hawtio"). It takes about a minute and needs tomcat10, chromium and Maven Central for the war, so it runs
 * only when asked: {@code mvn test -Dtest=HawtioCheckTest -Dhawtio.check=true}.
 */
@EnabledIfSystemProperty(named = "hawtio.check", matches = "true")
class HawtioCheckTest {

    @TempDir
    Path workDir;

    @Test
    void hawtioShowsTheApplicationsRoutesWithTheirStatistics() throws Exception {
        Path output = workDir.resolve("hawtio-check.out");
        Path screenshot = workDir.resolve("hawtio.png");
        ProcessBuilder check = new ProcessBuilder("bench/hawtio-check").redirectErrorStream(true)
                .redirectOutput(output.toFile());
        check.environment().put("HAWTIO_CHECK_SCREENSHOT", screenshot.toString());
        Process process = check.start();
        boolean ended = process.waitFor(10, TimeUnit.MINUTES);
        if (!ended) {
            process.destroy(); // the script's trap stops Tomcat, the application and the browser
            process.waitFor(1, TimeUnit.MINUTES);
        }
        String printed = Files.readString(output);
        assertThat(ended).as("bench/hawtio-check ended within 10 minutes:%n%s", printed).isTrue();
        assertThat(process.exitValue()).as("exit code of bench/hawtio-check:%n%s", printed).isZero();
        assertThat(printed).contains("Log in to market-etl")
                .contains("pipeline-load Started").contains("aggregate1: aggregate").contains("hawtio-check: OK");
        byte[] png = Files.readAllBytes(screenshot);
        assertThat(png).as("a PNG screenshot").startsWith(0x89, 'P', 'N', 'G');
    }
}
