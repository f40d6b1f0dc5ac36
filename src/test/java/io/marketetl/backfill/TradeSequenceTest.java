package io.marketetl.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.exchanges.binance.BinanceTradeIds;
import io.marketetl.exchanges.okx.OkxTradeIds;
import org.junit.jupiter.api.Test;

class TradeSequenceTest {

    @Test
    void consecutiveBinanceTradesHaveNoGap() {
        TradeSequence s = new TradeSequence();
        for (long t = 100; t < 110; t++) {
            assertThat(s.observe(BinanceTradeIds.trade(t))).isEmpty();
        }
        assertThat(s.lastId()).contains(109L);
    }

    @Test
    void skippedBinanceTradeIdsAreOneGap() {
        TradeSequence s = new TradeSequence();
        s.observe(BinanceTradeIds.trade(100));
        assertThat(s.observe(BinanceTradeIds.trade(105))).contains(new TradeSequence.Gap(101, 104));
        assertThat(s.observe(BinanceTradeIds.trade(106))).isEmpty();
    }

    @Test
    void aggTradesAreContiguousWhenFirstFollowsPreviousLast() {
        TradeSequence s = new TradeSequence();
        s.observe(BinanceTradeIds.aggTrade(10, 14));
        assertThat(s.observe(BinanceTradeIds.aggTrade(15, 15))).isEmpty();
        assertThat(s.observe(BinanceTradeIds.aggTrade(18, 20))).contains(new TradeSequence.Gap(16, 17));
    }

    @Test
    void okxAggregatedTradesCoverTradeIdMinusCount() {
        TradeSequence s = new TradeSequence();
        s.observe(OkxTradeIds.trades(120, 1));
        assertThat(s.observe(OkxTradeIds.trades(123, 3))).isEmpty(); // 121..123
        assertThat(s.observe(OkxTradeIds.trades(130, 2))).contains(new TradeSequence.Gap(124, 128));
        assertThat(s.observe(OkxTradeIds.trades(131, 0))).isEmpty(); // count missing: one trade
    }

    @Test
    void replaysAfterReconnectAreNotGapsAndDoNotMoveBack() {
        TradeSequence s = new TradeSequence();
        s.observe(BinanceTradeIds.trade(50));
        assertThat(s.observe(BinanceTradeIds.trade(48))).isEmpty();
        assertThat(s.observe(BinanceTradeIds.trade(50))).isEmpty();
        assertThat(s.lastId()).contains(50L);
        assertThat(s.observe(BinanceTradeIds.trade(51))).isEmpty();
    }

    @Test
    void restartGapIsMeasuredFromTheLastCommittedTrade() {
        TradeSequence s = new TradeSequence();
        s.resumeAfter(1_000);
        assertThat(s.observe(BinanceTradeIds.trade(1_250))).contains(new TradeSequence.Gap(1_001, 1_249));
        TradeSequence none = new TradeSequence();
        none.resumeAfter(1_000);
        assertThat(none.observe(BinanceTradeIds.trade(1_001))).isEmpty();
    }

    @Test
    void firstUnitWithoutSeedIsNoGap() {
        TradeSequence s = new TradeSequence();
        assertThat(s.lastId()).isEmpty();
        assertThat(s.observe(BinanceTradeIds.trade(7_000))).isEmpty();
        assertThat(new TradeSequence.Gap(3, 5).size()).isEqualTo(3);
    }
}
