package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Simulated clock: times in milliseconds, converted to nanos. */
class StreamWatchdogTest {

    private static long ms(long v) {
        return v * 1_000_000L;
    }

    @Test
    void quietStreamDoesNotMakeABusyConnectionFlap() {
        StreamWatchdog w = new StreamWatchdog(500, 4.0);
        w.connectionOpened(0);
        // fast stream every 50 ms, slow stream every 1500 ms (3x the floor) for a minute
        for (long t = 0; t <= 60_000; t += 10) {
            if (t % 50 == 0) {
                w.onData("fast", ms(t));
            }
            if (t % 1500 == 700) {
                w.onData("slow", ms(t));
            }
            assertThat(w.check(ms(t))).as("t=%d", t).isNull();
        }
        assertThat(w.typicalGapMs("slow")).isEqualTo(1500);
        assertThat(w.thresholdMs("slow")).isEqualTo(6000);
        assertThat(w.thresholdMs("fast")).isEqualTo(500);
    }

    @Test
    void stallOfAllStreamsIsDetectedByTheFastestOne() {
        StreamWatchdog w = new StreamWatchdog(500, 4.0);
        w.connectionOpened(0);
        for (long t = 0; t <= 5_000; t += 50) {
            w.onData("fast", ms(t));
            if (t % 1000 == 0) {
                w.onData("slow", ms(t));
            }
        }
        assertThat(w.check(ms(5_400))).isNull();
        assertThat(w.check(ms(5_600))).isEqualTo("fast");
    }

    @Test
    void nothingAtAllAfterSubscribingIsStale() {
        StreamWatchdog w = new StreamWatchdog(500, 4.0);
        w.connectionOpened(ms(1000));
        assertThat(w.check(ms(1400))).isNull();
        assertThat(w.check(ms(1600))).isEqualTo(StreamWatchdog.NO_DATA);
        // next connection: the window doubles while nothing ever arrives (no tight loop against a dead feed)
        w.connectionOpened(ms(2000));
        assertThat(w.check(ms(2900))).isNull();
        assertThat(w.check(ms(3100))).isEqualTo(StreamWatchdog.NO_DATA);
    }

    @Test
    void learnedGapsSurviveAReconnectAndSilenceCountsFromTheNewConnection() {
        StreamWatchdog w = new StreamWatchdog(500, 4.0);
        w.connectionOpened(0);
        for (long t = 0; t <= 10_000; t += 1000) {
            w.onData("slow", ms(t));
        }
        w.connectionOpened(ms(20_000)); // gap across connections is not learned
        assertThat(w.typicalGapMs("slow")).isEqualTo(1000);
        // nothing at all on the new connection: judged with the learned threshold (4 x 1000 ms), not the 500 ms floor
        assertThat(w.check(ms(23_900))).isNull();
        assertThat(w.check(ms(24_100))).isEqualTo(StreamWatchdog.NO_DATA);
    }

    @Test
    void repeatedDetectionOfAHaltedStreamBacksOff() {
        StreamWatchdog w = new StreamWatchdog(500, 4.0);
        w.connectionOpened(0);
        for (long t = 0; t <= 2_000; t += 100) {
            w.onData("halted", ms(t));
            w.onData("busy", ms(t));
        }
        assertThat(w.check(ms(2_600))).isIn("halted", "busy");
        w.connectionOpened(ms(3_000));
        for (long t = 3_000; t <= 10_000; t += 100) {
            w.onData("busy", ms(t));
            String stale = w.check(ms(t));
            if (t < 3_000 + 1000) {
                assertThat(stale).isNull();
            }
            if (stale != null) {
                assertThat(stale).isEqualTo("halted");
                assertThat(t - 3_000).isGreaterThanOrEqualTo(1000); // doubled threshold, not 500 ms
                return;
            }
        }
    }

    @Test
    void pausedTimeIsNotSilence() {
        StreamWatchdog w = new StreamWatchdog(500, 4.0);
        w.connectionOpened(0);
        for (long t = 0; t <= 1_000; t += 50) {
            w.onData("fast", ms(t));
        }
        w.resumed(ms(5_000)); // reading was paused by backpressure from 1000 to 5000
        assertThat(w.check(ms(5_400))).isNull();
        assertThat(w.check(ms(5_600))).isEqualTo("fast");
    }

    @Test
    void marksGiveEachStreamsLastDataAcrossReconnectsAndItsUsualSilenceWithoutStrikes() {
        StreamWatchdog w = new StreamWatchdog(500, 4.0);
        w.connectionOpened(0);
        for (long t = 0; t <= 2_000; t += 100) {
            w.onData("s", ms(t));
        }
        assertThat(w.check(ms(2_000 + 600))).isEqualTo("s"); // strike: its threshold doubles for the watchdog
        w.connectionOpened(ms(3_000));
        assertThat(w.marks()).containsExactly(new StreamWatchdog.Mark("s", ms(2_000), ms(500)));
    }
}
