package io.marketetl.normalise;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class InstrumentsTest {

    @Test
    void delimitedFormsBecomeBaseDashQuote() {
        assertThat(Instruments.normalise("BTC-USDT")).isEqualTo("BTC-USDT");
        assertThat(Instruments.normalise("BTC_USDT")).isEqualTo("BTC-USDT");
        assertThat(Instruments.normalise("btc/usdt")).isEqualTo("BTC-USDT");
        assertThat(Instruments.normalise(" eth_btc ")).isEqualTo("ETH-BTC");
        assertThat(Instruments.normalise("BTC-USDT-SWAP")).isEqualTo("BTC-USDT-SWAP");
    }

    @Test
    void undelimitedFormsSplitAtTheLongestKnownQuote() {
        assertThat(Instruments.normalise("BTCUSDT")).isEqualTo("BTC-USDT");
        assertThat(Instruments.normalise("btcusdt")).isEqualTo("BTC-USDT");
        assertThat(Instruments.normalise("BTCTUSD")).isEqualTo("BTC-TUSD"); // not BTCT-USD
        assertThat(Instruments.normalise("BTCFDUSD")).isEqualTo("BTC-FDUSD");
        assertThat(Instruments.normalise("ETHBTC")).isEqualTo("ETH-BTC");
        assertThat(Instruments.normalise("USDCUSDT")).isEqualTo("USDC-USDT");
        assertThat(Instruments.normalise("BTCEUR")).isEqualTo("BTC-EUR");
    }

    @Test
    void unknownQuoteIsKeptUpperCased() {
        assertThat(Instruments.normalise("foobar")).isEqualTo("FOOBAR");
        assertThat(Instruments.normalise("USDT")).isEqualTo("USDT"); // a quote alone is no pair
        assertThat(Instruments.normalise(null)).isNull();
        assertThat(Instruments.normalise("  ")).isNull();
    }

    @Test
    void exchangeSymbols() {
        assertThat(Instruments.toBinanceSymbol("BTC-USDT")).isEqualTo("btcusdt");
        assertThat(Instruments.toBinanceSymbol("eth_usdc")).isEqualTo("ethusdc");
        assertThat(Instruments.toOkxInstId("btcusdt")).isEqualTo("BTC-USDT");
    }
}
