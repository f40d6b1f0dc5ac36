package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.source.ExchangeConnection.State;
import io.marketetl.source.SourceHealth.Facts;
import io.marketetl.source.SourceHealth.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The per-source health policy alone, on a simulated clock (milliseconds converted to nanos). */
class SourceHealthTest {

    private static final long GRACE_MS = 30_000;

    private static long ms(long v) {
        return v * 1_000_000L;
    }

    private static Verdict judge(boolean running, State state, boolean paused, long frames, String drop,
            List<StreamWatchdog.Mark> streams, long nowMs) {
        return SourceHealth.judge(new Facts(running, state, paused, frames, 0, drop, streams), ms(nowMs), GRACE_MS);
    }

    @Test
    void aSourceStoppedOnPurposeIsUnknownNotDown() {
        assertThat(judge(false, State.STOPPED, false, 500, null, List.of(), 60_000))
                .isEqualTo(new Verdict(SourceHealth.State.UNKNOWN, "stopped"));
        assertThat(judge(true, State.STOPPED, false, 500, null, List.of(), 60_000).state())
                .isEqualTo(SourceHealth.State.UNKNOWN);
    }

    @Test
    void aStartingSourceIsUnknownUntilItsFirstDataOrTheEndOfTheGrace() {
        assertThat(judge(true, State.CONNECTING, false, 0, null, List.of(), 1_000))
                .isEqualTo(new Verdict(SourceHealth.State.UNKNOWN, "starting: connecting"));
        assertThat(judge(true, State.OPEN, false, 0, null, List.of(), 29_999).state())
                .isEqualTo(SourceHealth.State.UNKNOWN);
        // past the grace: DOWN, connected or not
        assertThat(judge(true, State.OPEN, false, 0, null, List.of(), 30_001))
                .isEqualTo(new Verdict(SourceHealth.State.DOWN, "connected, but no data in the 30000 ms since the start"));
        assertThat(judge(true, State.WAITING, false, 0, "connect failed: refused", List.of(), 30_001))
                .isEqualTo(new Verdict(SourceHealth.State.DOWN,
                        "not connected (waiting); last drop: connect failed: refused"));
    }

    @Test
    void aDroppedConnectionIsDownEvenWithinTheGraceOnceDataHadArrived() {
        assertThat(judge(true, State.WAITING, false, 10, "closed by server 4004", List.of(), 5_000))
                .isEqualTo(new Verdict(SourceHealth.State.DOWN, "not connected (waiting); last drop: closed by server 4004"));
    }

    @Test
    void aStreamSilentBeyondItsUsualGapIsDownNamingTheWorstStream() {
        List<StreamWatchdog.Mark> streams = List.of(
                new StreamWatchdog.Mark("trades:BTC-USDT", ms(50_000), ms(3_000)),     // 10 s of 3 s: 3.3x
                new StreamWatchdog.Mark("tickers:BTC-USDT", ms(40_000), ms(30_000)));  // 20 s of 30 s: fine
        assertThat(judge(true, State.OPEN, false, 900, null, streams, 60_000)).isEqualTo(new Verdict(
                SourceHealth.State.DOWN, "no data on trades:BTC-USDT for 10000 ms (usual silence at most 3000 ms)"));
        // the same silence within the usual gap: UP
        List<StreamWatchdog.Mark> fresh = List.of(new StreamWatchdog.Mark("trades:BTC-USDT", ms(58_000), ms(3_000)),
                new StreamWatchdog.Mark("tickers:BTC-USDT", ms(40_000), ms(30_000)));
        assertThat(judge(true, State.OPEN, false, 900, null, fresh, 60_000))
                .isEqualTo(new Verdict(SourceHealth.State.UP, "connected, data flowing"));
    }

    @Test
    void readingPausedByAFullPipelineIsNotASourceOutage() {
        List<StreamWatchdog.Mark> silent = List.of(new StreamWatchdog.Mark("trades:BTC-USDT", ms(0), ms(3_000)));
        assertThat(judge(true, State.OPEN, true, 900, null, silent, 60_000))
                .isEqualTo(new Verdict(SourceHealth.State.UP, "reading paused: the pipeline is full"));
    }
}
