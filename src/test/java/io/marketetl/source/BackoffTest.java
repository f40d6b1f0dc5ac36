package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void capDoublesUpToTheMaximum() {
        Backoff b = new Backoff(100, 5_000);
        assertThat(b.capMs(0)).isEqualTo(100);
        assertThat(b.capMs(1)).isEqualTo(200);
        assertThat(b.capMs(5)).isEqualTo(3_200);
        assertThat(b.capMs(6)).isEqualTo(5_000);
        assertThat(b.capMs(1000)).isEqualTo(5_000);
    }

    @Test
    void delaysAreJitteredWithinTheCapAndNeverGiveUp() {
        Backoff b = new Backoff(100, 5_000, new Random(7));
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            long cap = b.capMs(b.failures());
            long d = b.nextDelayMs();
            assertThat(d).isBetween(0L, cap);
            delays.add(d);
        }
        assertThat(b.failures()).isEqualTo(200);
        List<Long> late = delays.subList(20, 200);
        assertThat(late).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(5_000));
        // full jitter: spread over the whole range, not clustered at the cap
        assertThat(late.stream().distinct().count()).isGreaterThan(100);
        assertThat(late.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(1_000);
        assertThat(late.stream().mapToLong(Long::longValue).max().orElseThrow()).isGreaterThan(4_000);
    }

    @Test
    void resetStartsOver() {
        Backoff b = new Backoff(100, 5_000, new Random(1));
        for (int i = 0; i < 10; i++) {
            b.nextDelayMs();
        }
        b.reset();
        assertThat(b.failures()).isZero();
        assertThat(b.nextDelayMs()).isLessThanOrEqualTo(100);
    }
}
