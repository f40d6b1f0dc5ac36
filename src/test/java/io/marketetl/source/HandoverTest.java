package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.exchanges.FrameInfo.Kind;
import org.junit.jupiter.api.Test;

class HandoverTest {

    private static final long MS = 1_000_000L;

    @Test
    void oneSuccessorAtATimeProvedByDataOrAck() {
        Handover h = new Handover(10_000);
        assertThat(h.enabled()).isTrue();
        assertThat(h.requested("OKX 64008")).isTrue();
        assertThat(h.phase()).isEqualTo(Handover.Phase.CONNECTING);
        // a second notice (or the max age) while the successor connects starts nothing more
        assertThat(h.requested("max connection age")).isFalse();
        assertThat(h.proves(Kind.DATA)).as("not open yet").isFalse();
        h.opened(100 * MS);
        assertThat(h.phase()).isEqualTo(Handover.Phase.OVERLAP);
        assertThat(h.requested("again")).isFalse();
        assertThat(h.proves(Kind.PONG)).isFalse();
        assertThat(h.proves(Kind.ERROR)).isFalse();
        assertThat(h.proves(Kind.CONTROL)).isFalse();
        assertThat(h.proves(Kind.RECONNECT_NOTICE)).isFalse();
        assertThat(h.proves(Kind.ACK)).isTrue();
        assertThat(h.proves(Kind.DATA)).isTrue();
        assertThat(h.reason()).isEqualTo("OKX 64008");
        h.promoted();
        assertThat(h.phase()).isEqualTo(Handover.Phase.IDLE);
        assertThat(h.reason()).isNull();
        assertThat(h.requested("next")).isTrue();
    }

    @Test
    void theOverlapIsBoundedAndAFailureAllowsAnotherTry() {
        Handover h = new Handover(10_000);
        assertThat(h.requested("serverShutdown")).isTrue();
        assertThat(h.overdue(1_000_000 * MS)).as("not open: the connect timeout guards this").isFalse();
        h.opened(500 * MS);
        assertThat(h.overlapLeftMs(500 * MS)).isEqualTo(10_000);
        assertThat(h.overlapLeftMs(9_000 * MS)).isEqualTo(1_500);
        assertThat(h.overlapLeftMs(20_000 * MS)).isEqualTo(1);
        assertThat(h.overdue(10_499 * MS)).isFalse();
        assertThat(h.overdue(10_500 * MS)).isTrue();
        h.failed();
        assertThat(h.phase()).isEqualTo(Handover.Phase.IDLE);
        assertThat(h.overdue(20_000 * MS)).isFalse();
        assertThat(h.requested("serverShutdown")).isTrue();
    }

    @Test
    void zeroOverlapMeansNoHandover() {
        Handover h = new Handover(0);
        assertThat(h.enabled()).isFalse();
        assertThat(h.requested("64008")).isFalse();
        assertThatThrownBy(() -> new Handover(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
