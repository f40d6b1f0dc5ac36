package io.marketetl.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PlainInsertFirstTest {

    @Test
    void triesThePlainInsertUntilAnInsertMeetsDuplicates() {
        PlainInsertFirst odds = new PlainInsertFirst();
        assertThat(odds.tryPlain()).isTrue();
        for (int i = 0; i < 1000; i++) {
            odds.inserted(false);
        }
        assertThat(odds.tryPlain()).isTrue();
        odds.inserted(true);
        assertThat(odds.tryPlain()).isFalse();
    }

    @Test
    void afterDuplicatesItWaitsForPatienceCleanInsertsInARow() {
        PlainInsertFirst odds = new PlainInsertFirst();
        odds.inserted(true);
        for (int i = 1; i < PlainInsertFirst.PATIENCE; i++) {
            odds.inserted(false);
            assertThat(odds.tryPlain()).as("after %d clean inserts", i).isFalse();
        }
        odds.inserted(false);
        assertThat(odds.tryPlain()).isTrue();
    }

    @Test
    void aDuplicateInTheMiddleStartsTheCountAgain() {
        PlainInsertFirst odds = new PlainInsertFirst();
        odds.inserted(true);
        for (int i = 0; i < PlainInsertFirst.PATIENCE - 1; i++) {
            odds.inserted(false);
        }
        odds.inserted(true);
        for (int i = 0; i < PlainInsertFirst.PATIENCE - 1; i++) {
            odds.inserted(false);
        }
        assertThat(odds.tryPlain()).isFalse();
        odds.inserted(false);
        assertThat(odds.tryPlain()).isTrue();
    }
}
