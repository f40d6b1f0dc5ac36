package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactedUrlTest {

    @Test
    void credentialsInAFeedUrlNeverReachLogsOrTheConnectorTable() {
        assertThat(RedactedUrl.of("wss://alice:s3cret@feed.example.com/ws?apiKey=abc123&symbols=BTC&token=t0k"))
                .isEqualTo("wss://***@feed.example.com/ws?apiKey=***&symbols=BTC&token=***");
        assertThat(RedactedUrl.of("wss://x.example/ws?SIGNATURE=ff&passphrase=p&X-API-KEY=k#frag"))
                .isEqualTo("wss://x.example/ws?SIGNATURE=***&passphrase=***&X-API-KEY=***#frag");
    }

    @Test
    void urlsWithoutCredentialsAreUnchanged() {
        String binance = "wss://stream.binance.com:9443/stream?streams=btcusdt@trade/ethusdt@bookTicker";
        assertThat(RedactedUrl.of(binance)).isEqualTo(binance);
        assertThat(RedactedUrl.of("wss://ws.okx.com/ws/v5/public")).isEqualTo("wss://ws.okx.com/ws/v5/public");
    }
}
