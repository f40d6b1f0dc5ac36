package io.marketetl.normalise;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PlausibilityTest {

    private static final Instant RECEIVED = Instant.parse("2026-12-03T08:00:00Z");
    private final Plausibility policy = new Plausibility(Duration.ofMinutes(10));

    private static MarketMessage message(String price, Instant event) {
        return new MarketMessage("bn", "binance", "Binance", "trade", "BTC-USDT",
                price == null ? null : new BigDecimal(price), "{}", "1", event, RECEIVED, 0, 2);
    }

    @Test
    void plausibleMessagesAreNotFlagged() {
        MarketMessage m = message("108250.01", RECEIVED.minusMillis(150));
        policy.check(m);
        assertThat(m.flags()).isEmpty();
        assertThat(m.timestamp()).isEqualTo(RECEIVED.minusMillis(150));
        assertThat(m.latencyMs()).isEqualTo(150.0);
        MarketMessage noPriceNoTime = message(null, null);
        policy.check(noPriceNoTime);
        assertThat(noPriceNoTime.flags()).isEmpty();
    }

    @Test
    void zeroAndNegativePricesAreFlagged() {
        for (String price : new String[] {"-5", "0", "0.00000000"}) {
            MarketMessage m = message(price, RECEIVED);
            policy.check(m);
            assertThat(m.flags()).containsExactly(Plausibility.PRICE_NOT_POSITIVE);
            assertThat(m.price()).isEqualByComparingTo(price); // kept as sent
        }
    }

    @Test
    void anEventTimeBeyondTheSkewIsFlaggedAndTheRowTakesTheReceiveTime() {
        MarketMessage epochMinusOne = message("-5", Instant.ofEpochMilli(-1));
        policy.check(epochMinusOne);
        assertThat(epochMinusOne.flags()).containsExactly(Plausibility.PRICE_NOT_POSITIVE,
                Plausibility.EVENT_TIME_IMPLAUSIBLE);
        assertThat(epochMinusOne.timestamp()).isEqualTo(RECEIVED);
        assertThat(epochMinusOne.latencyMs()).isNull();
        assertThat(epochMinusOne.eventTime()).isEqualTo(Instant.ofEpochMilli(-1)); // what the exchange said

        MarketMessage future = message("1", RECEIVED.plus(Duration.ofMinutes(10)).plusMillis(1));
        policy.check(future);
        assertThat(future.flags()).containsExactly(Plausibility.EVENT_TIME_IMPLAUSIBLE);
        MarketMessage farFuture = message("1", Instant.MAX);
        policy.check(farFuture);
        assertThat(farFuture.flags()).containsExactly(Plausibility.EVENT_TIME_IMPLAUSIBLE);
        MarketMessage atTheLimit = message("1", RECEIVED.minus(Duration.ofMinutes(10)));
        policy.check(atTheLimit);
        assertThat(atTheLimit.flags()).isEmpty();
    }
}
