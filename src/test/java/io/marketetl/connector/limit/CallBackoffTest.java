package io.marketetl.connector.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class CallBackoffTest {

    @Test
    void failuresPushTheNextCallBackWithinACapThatDoublesToTheMaximum() {
        CallBackoff b = new CallBackoff(500, 30_000, new Random(3));
        assertThat(b.mayCall(0)).isTrue();
        long now = 10_000;
        long[] caps = {500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000};
        for (long cap : caps) {
            assertThat(b.nextCapMillis()).isEqualTo(cap);
            long notBefore = b.onFailure(now);
            assertThat(notBefore - now).isBetween(0L, cap);
            assertThat(b.notBeforeMillis()).isEqualTo(notBefore);
            assertThat(b.mayCall(notBefore)).isTrue();
            if (notBefore > now) {
                assertThat(b.mayCall(notBefore - 1)).isFalse();
            }
            now = notBefore;
        }
        // forever: no give-up, the cap holds
        for (int i = 0; i < 1_000; i++) {
            long notBefore = b.onFailure(now);
            assertThat(notBefore - now).isBetween(0L, 30_000L);
        }
        assertThat(b.failures()).isEqualTo(caps.length + 1_000);
    }

    @Test
    void successResets() {
        CallBackoff b = new CallBackoff(500, 30_000, new Random(5));
        for (int i = 0; i < 10; i++) {
            b.onFailure(0);
        }
        b.onSuccess();
        assertThat(b.failures()).isZero();
        assertThat(b.mayCall(0)).isTrue();
        assertThat(b.nextCapMillis()).isEqualTo(500);
        assertThat(b.onFailure(1_000)).isBetween(1_000L, 1_500L);
    }

    @Test
    void outcomes() {
        CallBackoff b = new CallBackoff(500, 30_000, new Random(9));
        b.onOutcome(ResponseOutcome.TIMEOUT, 0);
        b.onOutcome(ResponseOutcome.SERVER_ERROR, 0);
        b.onOutcome(ResponseOutcome.BODY_ERROR, 0);
        b.onOutcome(ResponseOutcome.IO_ERROR, 0);
        b.onOutcome(ResponseOutcome.CLIENT_ERROR, 0);
        assertThat(b.failures()).isEqualTo(5);
        // the host budget handles rate limits and bans
        long before = b.notBeforeMillis();
        assertThat(b.onOutcome(ResponseOutcome.RATE_LIMITED, 99_999)).isEqualTo(before);
        assertThat(b.onOutcome(ResponseOutcome.BANNED, 99_999)).isEqualTo(before);
        assertThat(b.failures()).isEqualTo(5);
        assertThat(b.onOutcome(ResponseOutcome.OK, 0)).isEqualTo(Long.MIN_VALUE);
        assertThat(b.failures()).isZero();
    }
}
