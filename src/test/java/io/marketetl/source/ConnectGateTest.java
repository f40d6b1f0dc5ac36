package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectGateTest {

    private static final long MS = 1_000_000L;

    @Test
    void attemptsToOneHostAreSpacedAndOtherHostsAreIndependent() {
        ConnectGate gate = new ConnectGate();
        assertThat(gate.reserve("a:443", 350, 0)).isZero();
        assertThat(gate.reserve("a:443", 350, 10 * MS)).isEqualTo(340);
        assertThat(gate.reserve("a:443", 350, 10 * MS)).isEqualTo(690);
        assertThat(gate.reserve("b:443", 350, 10 * MS)).isZero();
        assertThat(gate.reserve("a:443", 350, 5_000 * MS)).isZero(); // long idle: no debt carried over
        assertThat(gate.reserve("a:443", 0, 5_001 * MS)).isZero();
    }
}
