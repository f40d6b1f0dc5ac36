package io.marketetl.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.backfill.TradeGapDetector.FirstSeen;
import io.marketetl.backfill.TradeGapDetector.Found;
import io.marketetl.backfill.TradeGapDetector.Stream;
import io.marketetl.normalise.MarketMessage;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gap-detection step alone: streams kept apart, gaps held for the grace period, what is not followed. */
class TradeGapDetectorTest {

    private final MutableClock clock = new MutableClock();
    private final List<String> asked = new ArrayList<>();
    private final TradeGapDetector detector = new TradeGapDetector((exchange, type) -> {
        asked.add(exchange + "/" + type);
        return exchange.equals("binance") && type.equals("trade");
    }, clock);

    private static MarketMessage trade(String exchange, String type, String instrument, long first, long last) {
        MarketMessage m = new MarketMessage("src-" + exchange, exchange, exchange, type, instrument,
                BigDecimal.ONE, "{}", Long.toString(last), Instant.EPOCH, Instant.EPOCH, 0, 2);
        m.setTradeIds(new TradeIdRange(first, last));
        return m;
    }

    @Test
    void aGapIsReportedOnceAfterItsGracePeriodPerStream() {
        detector.observe(trade("binance", "trade", "BTCUSDT", 100, 100));
        detector.observe(trade("binance", "trade", "ETHUSDT", 7, 7));
        assertThat(detector.takeFirstSeen()).containsExactly(
                new FirstSeen(new Stream("binance", "BTCUSDT", "trade"), "src-binance", 100),
                new FirstSeen(new Stream("binance", "ETHUSDT", "trade"), "src-binance", 7));
        assertThat(detector.takeFirstSeen()).isEmpty();

        detector.observe(trade("binance", "trade", "BTCUSDT", 105, 105)); // 101..104 missing
        detector.observe(trade("binance", "trade", "ETHUSDT", 8, 8));     // no gap in the other stream
        assertThat(detector.takeDue(1_000)).isEmpty();
        clock.advance(999);
        assertThat(detector.takeDue(1_000)).isEmpty();
        clock.advance(1);
        assertThat(detector.takeDue(1_000)).containsExactly(new Found(new Stream("binance", "BTCUSDT", "trade"),
                "src-binance", new TradeSequence.Gap(101, 104)));
        assertThat(detector.takeDue(1_000)).isEmpty();
    }

    @Test
    void lateTradesWithinTheGracePeriodNarrowTheGap() {
        detector.observe(trade("binance", "trade", "BTCUSDT", 1, 1));
        detector.observe(trade("binance", "trade", "BTCUSDT", 6, 6));
        detector.observe(trade("binance", "trade", "BTCUSDT", 2, 3)); // a late unit from the other socket
        clock.advance(2_000);
        assertThat(detector.takeDue(1_000)).extracting(Found::gap).containsExactly(new TradeSequence.Gap(4, 5));
    }

    @Test
    void aKindNotFollowedIsAskedAboutOnceAndNeverTracked() {
        for (int i = 1; i <= 50; i++) {
            detector.observe(trade("okx", "trade", "BTC-USDT", i * 10, i * 10)); // gaps, but not followed
            detector.observe(trade("binance", "aggTrade", "BTCUSDT", i * 10, i * 10));
            detector.observe(trade("binance", "trade", "BTCUSDT", i, i));
        }
        assertThat(asked).containsExactly("okx/trade", "binance/aggTrade", "binance/trade");
        clock.advance(60_000);
        assertThat(detector.takeDue(1_000)).isEmpty();
        assertThat(detector.takeFirstSeen()).extracting(FirstSeen::stream)
                .containsExactly(new Stream("binance", "BTCUSDT", "trade"));
    }

    private static final class MutableClock extends Clock {
        private long millis = 1_000_000;

        void advance(long ms) {
            millis += ms;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
