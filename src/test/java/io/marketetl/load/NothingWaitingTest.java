package io.marketetl.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NothingWaitingTest {

    @Test
    void aGroupIsCompleteOnlyWhenNoBatchWaitsBehindIt() {
        assertThat(NothingWaiting.complete(0)).isTrue();
        assertThat(NothingWaiting.complete(1)).isFalse();
        assertThat(NothingWaiting.complete(40)).isFalse();
    }
}
