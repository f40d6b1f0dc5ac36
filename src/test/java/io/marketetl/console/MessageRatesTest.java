package io.marketetl.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class MessageRatesTest {

    private static final long S = 1_000_000_000L;
    private final MessageRates rates = new MessageRates(10 * S, S);

    @Test
    void noRateUntilTwoReadingsAtLeastTheMinimumSpanApart() {
        assertThat(rates.record("a", 100, 0)).isNull();
        assertThat(rates.record("a", 150, S / 2)).isNull();
        assertThat(rates.record("a", 300, 2 * S)).isEqualTo(100.0);
    }

    @Test
    void theRateCoversTheLastWindowOfReadings() {
        rates.record("a", 0, 0);
        // 100/s for 10 s, read every 2 s, then 10/s
        for (int t = 2; t <= 10; t += 2) {
            rates.record("a", 100L * t, t * S);
        }
        assertThat(rates.record("a", 1000, 10 * S)).isEqualTo(100.0);
        double r = 0;
        for (int t = 12; t <= 30; t += 2) {
            r = rates.record("a", 1000 + 10L * (t - 10), t * S);
        }
        assertThat(r).isEqualTo(10.0);
    }

    @Test
    void anIdleSourceIsZeroAndSourcesAreApart() {
        rates.record("a", 5, 0);
        rates.record("b", 0, 0);
        assertThat(rates.record("a", 5, 2 * S)).isEqualTo(0.0);
        assertThat(rates.record("b", 40, 2 * S)).isEqualTo(20.0);
    }

    @Test
    void aCountThatWentDownOrALongUnreadSourceStartsOver() {
        rates.record("a", 1000, 0);
        assertThat(rates.record("a", 10, 2 * S)).isNull(); // deleted and registered again
        assertThat(rates.record("a", 30, 4 * S)).isEqualTo(10.0);
        // nobody looked for a minute: no average over that minute
        assertThat(rates.record("a", 6030, 64 * S)).isNull();
        assertThat(rates.record("a", 6130, 66 * S)).isEqualTo(50.0);
    }

    @Test
    void forgottenSourcesStartOver() {
        rates.record("a", 0, 0);
        rates.retainOnly(List.of("b"));
        assertThat(rates.record("a", 100, 2 * S)).isNull();
    }

    @Test
    void theSpansMustMakeSense() {
        assertThatThrownBy(() -> new MessageRates(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new MessageRates(S, 2 * S)).isInstanceOf(IllegalArgumentException.class);
    }
}
