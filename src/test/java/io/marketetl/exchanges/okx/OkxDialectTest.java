package io.marketetl.exchanges.okx;

import io.marketetl.exchanges.FrameInfo;
import static io.marketetl.exchanges.Frames.frame;
import io.marketetl.exchanges.Frames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class OkxDialectTest {

    static final String TRADE = "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instId\":\"BTC-USDT\","
            + "\"tradeId\":\"781234567\",\"px\":\"108251.3\",\"sz\":\"0.0123\",\"side\":\"buy\",\"ts\":\"1752139200123\","
            + "\"count\":\"2\",\"source\":\"0\",\"seqId\":44556677}]}";
    static final String TWO_TRADES = "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":["
            + "{\"instId\":\"BTC-USDT\",\"tradeId\":\"781234567\",\"px\":\"108251.3\",\"sz\":\"0.0123\",\"side\":\"buy\",\"ts\":\"1752139200123\",\"count\":\"1\",\"source\":\"0\",\"seqId\":44556677},"
            + "{\"instId\":\"BTC-USDT\",\"tradeId\":\"781234568\",\"px\":\"108251.4\",\"sz\":\"0.5\",\"side\":\"sell\",\"ts\":\"1752139200124\",\"count\":\"1\",\"source\":\"0\",\"seqId\":44556678}]}";
    static final String TICKER = "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instType\":\"SPOT\","
            + "\"instId\":\"BTC-USDT\",\"last\":\"108251.3\",\"lastSz\":\"0.0123\",\"askPx\":\"108251.4\",\"askSz\":\"0.52\","
            + "\"bidPx\":\"108251.3\",\"bidSz\":\"1.03\",\"open24h\":\"109010\",\"high24h\":\"109480\",\"low24h\":\"107850.1\","
            + "\"volCcy24h\":\"1234567890.12\",\"vol24h\":\"11345.67\",\"sodUtc0\":\"108800\",\"sodUtc8\":\"108500\",\"ts\":\"1752139200150\"}]}";
    static final String BBO = "{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"},\"data\":[{\"asks\":[[\"108251.4\",\"0.52\",\"0\",\"3\"]],"
            + "\"bids\":[[\"108251.3\",\"1.03\",\"0\",\"7\"]],\"ts\":\"1752139200160\",\"seqId\":998877665}]}";

    private final OkxDialect okx = Frames.okx("trades,tickers,bbo-tbt", "BTC-USDT");

    @Test
    void trade() {
        List<MarketMessage> out = okx.normalise(frame(okx, TRADE));
        assertThat(out).hasSize(1);
        MarketMessage m = out.get(0);
        assertThat(m.sourceId()).isEqualTo("okx-1");
        assertThat(m.exchange()).isEqualTo("okx");
        assertThat(m.format()).isEqualTo("OKX");
        assertThat(m.messageType()).isEqualTo("trade");
        assertThat(m.instrument()).isEqualTo("BTC-USDT");
        assertThat(m.price()).isEqualByComparingTo("108251.3");
        assertThat(m.tradeId()).isEqualTo("781234567");
        assertThat(m.eventTime()).isEqualTo(Instant.ofEpochMilli(1752139200123L));
        assertThat(m.receivedAt()).isEqualTo(Frames.RECEIVED);
        assertThat(m.receivedNanos()).isEqualTo(Frames.NANOS);
        assertThat(m.data()).isEqualTo(TRADE);
        assertThat(m.bytes()).isEqualTo(TRADE.getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void multiTradeFrameGivesOneMessagePerTradeKeepingItsOwnItem() {
        List<MarketMessage> out = okx.normalise(frame(okx, TWO_TRADES));
        assertThat(out).extracting(MarketMessage::tradeId).containsExactly("781234567", "781234568");
        assertThat(out).extracting(MarketMessage::price)
                .containsExactly(new BigDecimal("108251.3"), new BigDecimal("108251.4"));
        assertThat(out.get(1).eventTime()).isEqualTo(Instant.ofEpochMilli(1752139200124L));
        assertThat(out.get(0).data()).isEqualTo("{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":["
                + "{\"instId\":\"BTC-USDT\",\"tradeId\":\"781234567\",\"px\":\"108251.3\",\"sz\":\"0.0123\",\"side\":\"buy\",\"ts\":\"1752139200123\",\"count\":\"1\",\"source\":\"0\",\"seqId\":44556677}]}");
        assertThat(out.get(1).data()).contains("\"tradeId\":\"781234568\"").doesNotContain("781234567");
        int total = TWO_TRADES.getBytes(StandardCharsets.UTF_8).length;
        assertThat(out.get(0).bytes() + out.get(1).bytes()).isEqualTo(total);
        assertThat(out.get(1).bytes()).isEqualTo(total / 2);
    }

    @Test
    void ticker() {
        MarketMessage m = okx.normalise(frame(okx, TICKER)).get(0);
        assertThat(m.messageType()).isEqualTo("ticker");
        assertThat(m.price()).isEqualByComparingTo("108251.3");
        assertThat(m.tradeId()).isNull();
        assertThat(m.eventTime()).isEqualTo(Instant.ofEpochMilli(1752139200150L));
        assertThat(m.data()).isEqualTo(TICKER);
    }

    @Test
    void bboIsABookTickerPricedAtTheMid() {
        MarketMessage m = okx.normalise(frame(okx, BBO)).get(0);
        assertThat(m.messageType()).isEqualTo("book_ticker");
        assertThat(m.instrument()).isEqualTo("BTC-USDT");
        assertThat(m.price()).isEqualByComparingTo("108251.35");
        assertThat(m.eventTime()).isEqualTo(Instant.ofEpochMilli(1752139200160L));
        assertThat(m.data()).contains("\"asks\":[[\"108251.4\"").contains("\"bids\":[[\"108251.3\"");
    }

    @Test
    void classifiesControlFramesAndStreams() {
        assertThat(okx.classify("pong").kind()).isEqualTo(FrameInfo.Kind.PONG);
        assertThat(okx.classify("{\"id\":\"1\",\"event\":\"subscribe\",\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},\"connId\":\"a4d3ae55\"}").kind())
                .isEqualTo(FrameInfo.Kind.ACK);
        FrameInfo error = okx.classify("{\"id\":\"1512\",\"event\":\"error\",\"code\":\"60012\",\"msg\":\"Invalid request: x\",\"connId\":\"a4d3ae55\"}");
        assertThat(error.kind()).isEqualTo(FrameInfo.Kind.ERROR);
        assertThat(error.detail()).contains("60012").contains("Invalid request");
        assertThat(okx.classify("{\"event\":\"notice\",\"code\":\"64008\",\"msg\":\"The connection will soon be closed for a service upgrade. Please reconnect.\",\"connId\":\"a4d3ae55\"}").kind())
                .isEqualTo(FrameInfo.Kind.RECONNECT_NOTICE);
        assertThat(okx.classify("{\"event\":\"notice\",\"code\":\"60000\",\"msg\":\"something\"}").kind())
                .isEqualTo(FrameInfo.Kind.CONTROL);
        assertThat(okx.classify("{\"event\":\"channel-conn-count\",\"channel\":\"tickers\",\"connCount\":\"2\"}").kind())
                .isEqualTo(FrameInfo.Kind.CONTROL);
        assertThat(okx.classify(TRADE)).isEqualTo(FrameInfo.data("trades:BTC-USDT"));
        assertThat(okx.classify(BBO).stream()).isEqualTo("bbo-tbt:BTC-USDT");
        // data before arg still finds the stream
        assertThat(okx.classify("{\"data\":[{\"px\":\"1\"}],\"arg\":{\"channel\":\"tickers\",\"instId\":\"ETH-USDT\"}}").stream())
                .isEqualTo("tickers:ETH-USDT");
        assertThat(okx.classify("not json").kind()).isEqualTo(FrameInfo.Kind.DATA);
        assertThat(okx.classify("[1,2]")).isEqualTo(FrameInfo.UNKNOWN_DATA);
    }

    @Test
    void subscribeMessagesAreChunkedAndChannelNamesMapped() {
        OkxDialect d = Frames.okx("trade,ticker,book_ticker", "btcusdt,ETH_USDT");
        assertThat(d.channels()).containsExactly("trades", "tickers", "bbo-tbt");
        assertThat(d.instIds()).containsExactly("BTC-USDT", "ETH-USDT");
        assertThat(d.subscribeMessages()).containsExactly("{\"id\":\"1\",\"op\":\"subscribe\",\"args\":["
                + "{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},{\"channel\":\"trades\",\"instId\":\"ETH-USDT\"},"
                + "{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},{\"channel\":\"tickers\",\"instId\":\"ETH-USDT\"},"
                + "{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"},{\"channel\":\"bbo-tbt\",\"instId\":\"ETH-USDT\"}]}");
        assertThat(d.pingText()).isEqualTo("ping");
        assertThat(d.connectUrl()).isEqualTo("wss://ws.okx.com/ws/v5/public");

        List<String> many = OkxDialect.buildSubscribeMessages(List.of("trades", "tickers"),
                java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "COIN" + i + "-USDT").toList(), 100);
        assertThat(many).hasSize(20);
        assertThat(many).allSatisfy(m -> assertThat(m.length()).isLessThan(OkxDialect.MAX_ARGS_CHARS + 100));
        List<String> bySize = OkxDialect.buildSubscribeMessages(List.of("trades"),
                java.util.stream.IntStream.range(0, 3000).mapToObj(i -> "COIN" + i + "-USDT").toList(), 10_000);
        assertThat(bySize.size()).isGreaterThan(1);
        assertThat(bySize).allSatisfy(m -> assertThat(m.length()).isLessThan(OkxDialect.MAX_ARGS_CHARS + 100));
    }

    @Test
    void malformedFramesSayWhy() {
        assertReason("{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"tradeId\":\"1\",\"ts\":\"1\"}]}",
                "missing_field:px");
        assertReason("{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"tradeId\":\"1\",\"px\":\"abc\"}]}",
                "bad_number:px");
        assertReason("{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"tradeId\":\"1\",\"px\":\"1\",\"ts\":\"x\"}]}",
                "bad_timestamp:ts");
        assertReason("{\"arg\":{\"channel\":\"books5\",\"instId\":\"BTC-USDT\"},\"data\":[{}]}", "unsupported_channel:books5");
        assertReason("{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[]}", "empty_data");
        assertReason("{\"data\":[{}]}", "missing_field:arg");
        assertReason("{\"arg\":{\"channel\":\"trades\"}}", "missing_field:data");
        assertReason("{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":[{\"px\":\"1\"", "invalid_json");
        assertReason("pong", "invalid_json");
        assertReason("[1]", "not_an_object");
        assertReason("{\"event\":\"subscribe\",\"arg\":{}}", "control_frame:subscribe");
    }

    private void assertReason(String text, String reason) {
        assertThatThrownBy(() -> okx.normalise(frame(okx, text)))
                .isInstanceOfSatisfying(MalformedFrameException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.frameText()).isEqualTo(text);
                });
    }
}
