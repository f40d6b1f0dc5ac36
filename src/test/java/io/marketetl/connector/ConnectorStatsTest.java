package io.marketetl.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorStatsTest {

    @Test
    void lagHistogramCountsEveryTickOfTheRunByInclusiveUpperBound() {
        ConnectorStats stats = new ConnectorStats();
        for (double ms : new double[] {0, 0, 1, 4, 5, 100, 101, 60000, 60001, 3_600_000}) {
            stats.lag(ms);
        }
        assertThat(stats.lagHistogram()).containsExactly(Map.entry("0", 2L), Map.entry("1", 1L), Map.entry("5", 2L),
                Map.entry("100", 1L), Map.entry("150", 1L), Map.entry("60000", 1L), Map.entry("inf", 2L));
    }

    @Test
    void lagHistogramKeepsCountingPastThePercentileWindow() {
        ConnectorStats stats = new ConnectorStats();
        for (int i = 0; i < ConnectorStats.WINDOW * 3; i++) {
            stats.lag(i < ConnectorStats.WINDOW ? 500 : 2);
        }
        // the percentiles see the last WINDOW ticks only; the histogram sees them all
        assertThat(stats.lagPercentile(99)).isEqualTo(2);
        assertThat(stats.lagHistogram()).containsExactly(Map.entry("2", 2L * ConnectorStats.WINDOW),
                Map.entry("500", (long) ConnectorStats.WINDOW));
    }

    @Test
    void emptyBeforeTheFirstTick() {
        ConnectorStats stats = new ConnectorStats();
        assertThat(stats.lagHistogram()).isEmpty();
        assertThat(stats.lagPercentile(50)).isNaN();
    }
}
