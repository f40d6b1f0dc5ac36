package io.marketetl.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchRowBuilderTest {

    @Test
    void messagesPerSecondIsMessagesOverTheReceiveSpan() {
        // 1,000 messages arriving over 500 ms
        assertThat(BatchRowBuilder.messagesPerSecond(1000, 500_000_000L, 520_000_000L))
                .isEqualByComparingTo("2000.00");
    }

    @Test
    void withoutASpanTheBatchWindowIsUsed() {
        // one message (span 0), batch open for 500 ms (time completion): 2 per second
        assertThat(BatchRowBuilder.messagesPerSecond(1, 0, 500_000_000L)).isEqualByComparingTo("2.00");
        // one frame of 3 messages, completed 250 ms after it arrived
        assertThat(BatchRowBuilder.messagesPerSecond(3, 0, 250_000_000L)).isEqualByComparingTo("12.00");
        // a burst within 1 ms, completed at once: the window is at least 1 ms
        assertThat(BatchRowBuilder.messagesPerSecond(5, 200_000, 300_000)).isEqualByComparingTo("5000.00");
        assertThat(BatchRowBuilder.messagesPerSecond(0, 0, 0)).isEqualByComparingTo(BigDecimal.ZERO);
    }

    @Test
    void theRateFitsItsColumn() {
        assertThat(BatchRowBuilder.messagesPerSecond(Integer.MAX_VALUE, 1_000_000, 1_000_000))
                .isEqualByComparingTo("99999999.99");
    }

    @Test
    void instrumentsBecomeAQuotedTextArrayLiteral() {
        assertThat(BatchRowBuilder.textArray(List.of("BTC-USDT", "ETH-USDT"))).isEqualTo("{\"BTC-USDT\",\"ETH-USDT\"}");
        assertThat(BatchRowBuilder.textArray(List.of("A,B", "x\"y", "back\\slash", "{}")))
                .isEqualTo("{\"A,B\",\"x\\\"y\",\"back\\\\slash\",\"{}\"}");
        assertThat(BatchRowBuilder.textArray(List.of())).isEqualTo("{}");
    }

    @Test
    void percentilesAreNearestRank() {
        long[] v = new long[100];
        for (int i = 0; i < 100; i++) {
            v[i] = i + 1;
        }
        assertThat(BatchRowBuilder.percentile(v, 100, 50)).isEqualTo(50);
        assertThat(BatchRowBuilder.percentile(v, 100, 99)).isEqualTo(99);
        assertThat(BatchRowBuilder.percentile(new long[] {7}, 1, 99)).isEqualTo(7);
    }
}
