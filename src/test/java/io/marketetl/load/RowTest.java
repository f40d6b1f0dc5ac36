package io.marketetl.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.normalise.MarketMessage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Values the columns cannot hold are fitted to them, so that they never fail a batch. */
class RowTest {

    private static MarketMessage message(String instrument, BigDecimal price, String data, Instant event,
            Instant received) {
        return new MarketMessage("src", "okx", "OKX", "trade", instrument, price, data, null, event, received, 0, 10);
    }

    @Test
    void fitsValuesToTheirColumns() {
        Instant now = Instant.parse("2026-07-10T09:20:00.123456789Z");
        MarketMessage m = message("X".repeat(150) + "\0", new BigDecimal("1000000000000.5"),
                "{\"a\":\"\\u0000\"}", now.minusSeconds(86_400), now);
        m.setExtractSeconds(-1);
        m.setTransformSeconds(1e9);
        Row r = Row.of(m);
        assertThat(r.instrument()).hasSize(100).doesNotContain("\0");
        assertThat(r.price()).isNull();
        assertThat(r.hasLatency()).isFalse(); // a day: not a latency
        assertThat(r.dataJson()).isEqualTo("{\"a\":\"\\ufffd\"}");
        assertThat(r.timestamp()).isEqualTo(Instant.parse("2026-07-09T09:20:00.123456Z")); // microseconds
        assertThat(r.extractMicros()).isZero();
        assertThat(r.transformMicros()).isEqualTo(Row.MAX_STAGE_MICROS);
    }

    @Test
    void keepsOrdinaryValuesExactly() {
        Instant event = Instant.parse("2026-07-10T09:20:00.120Z");
        MarketMessage m = message("BTC-USDT", new BigDecimal("108251.3"), "{\"px\":\"108251.3\"}", event,
                event.plusNanos(12_345_678));
        m.setMessageNumber(42);
        m.setExtractSeconds(0.0000123);
        m.setTransformSeconds(0.0000456);
        Row r = Row.of(m);
        assertThat(r.price()).isEqualByComparingTo("108251.3");
        assertThat(r.latencyThousandths()).isEqualTo(12_346);
        assertThat(Row.scaled(r.latencyThousandths(), 3)).isEqualTo("12.346");
        assertThat(r.extractMicros()).isEqualTo(12);
        assertThat(r.transformMicros()).isEqualTo(46);
        assertThat(r.messageNumber()).isEqualTo(42);
        assertThat(r.totalMicros()).isEqualTo(-1); // not loaded yet
    }

    @Test
    void copyTextEscapesBackslashesTabsAndNewlines() {
        Instant t = Instant.parse("2026-07-10T09:20:00Z");
        Row r = Row.of(message("A\tB", null, "{\"s\":\"a\\\"b\",\n\"c\":1}", null, t));
        String line = new String(CopyStagingWriter.encode(java.util.List.of(r)), StandardCharsets.UTF_8);
        assertThat(line).contains("A\\tB", "{\"s\":\"a\\\\\"b\",\\n\"c\":1}", "\t\\N\t").endsWith("\n");
        assertThat(line.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }
}
