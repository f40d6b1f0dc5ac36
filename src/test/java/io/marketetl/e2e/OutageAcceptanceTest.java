package io.marketetl.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.e2e.OutageAcceptance.Result;
import io.marketetl.e2e.OutageAcceptance.Settings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * #11's outage acceptance in the suite: a short {@link OutageAcceptance} (8 s database cut at about 1,000 frames/s,
 * the simulator cutting clients that stop reading for 2 s; {@code bench/run --outage} is the 60 s run at 5,000).
 * Afterwards every item sent is one row, per stream; no message number twice; the sources were never made to stop
 * reading (no slow-consumer cut); the outage went to the spool and the spool is empty again; health is UP.
 */
class OutageAcceptanceTest {

    @TempDir
    Path workDir;

    @Test
    void aDatabaseCutUnderLoadLosesNothingDoublesNothingAndNeverStallsTheSources() throws Exception {
        Result r = OutageAcceptance.run(workDir, new Settings(1000, Duration.ofSeconds(3), Duration.ofSeconds(8),
                Duration.ofSeconds(2)));
        System.out.println(r.table());

        assertThat(r.sentByStream()).hasSize(8);
        assertThat(r.storedByStream()).isEqualTo(r.sentByStream());
        assertThat(r.duplicates()).isZero();
        assertThat(r.slowConsumerCuts()).isZero();
        assertThat(r.reconnects()).isZero();
        assertThat(r.spoolPeakDepth()).as("the outage went to the spool").isPositive();
        assertThat(r.spooledRows()).isPositive();
        assertThat(r.spoolDepthAfter()).isZero();
        assertThat(r.spoolBytesAfter()).isZero();
        assertThat(r.healthAfter()).isEqualTo(OutageAcceptance.HEALTH_UP);
    }
}
