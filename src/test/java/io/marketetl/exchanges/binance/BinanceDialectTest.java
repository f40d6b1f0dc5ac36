package io.marketetl.exchanges.binance;

import io.marketetl.exchanges.FrameInfo;
import static io.marketetl.exchanges.Frames.frame;
import io.marketetl.exchanges.Frames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.source.SourceConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BinanceDialectTest {

    static final String TRADE = "{\"e\":\"trade\",\"E\":1752139200123,\"s\":\"BTCUSDT\",\"t\":5123456789,\"p\":\"108250.01000000\","
            + "\"q\":\"0.00150000\",\"T\":1752139200122,\"m\":false,\"M\":true}";
    static final String AGG = "{\"e\":\"aggTrade\",\"E\":1752139200123,\"s\":\"ETHUSDT\",\"a\":987654,\"p\":\"2500.10\",\"q\":\"1.5\","
            + "\"f\":100,\"l\":102,\"T\":1752139200122,\"m\":true,\"M\":true}";
    static final String TICKER = "{\"e\":\"24hrTicker\",\"E\":1752139201000,\"s\":\"BTCUSDT\",\"p\":\"-812.34\",\"P\":\"-0.745\","
            + "\"w\":\"108700.12\",\"x\":\"109062.35\",\"c\":\"108250.01\",\"Q\":\"0.0015\",\"b\":\"108250.00\",\"B\":\"3.2101\","
            + "\"a\":\"108250.01\",\"A\":\"0.8123\",\"o\":\"109062.35\",\"h\":\"109500.00\",\"l\":\"107900.00\",\"v\":\"15234.5\","
            + "\"q\":\"1656000000.12\",\"O\":1752052801000,\"C\":1752139201000,\"F\":5121000000,\"L\":5123456789,\"n\":2456790}";
    static final String MINI = "{\"e\":\"24hrMiniTicker\",\"E\":1752139201000,\"s\":\"BTCUSDT\",\"c\":\"108250.01\",\"o\":\"109062.35\","
            + "\"h\":\"109500.00\",\"l\":\"107900.00\",\"v\":\"15234.5\",\"q\":\"1656000000.12\"}";
    static final String BOOK = "{\"u\":73456123456,\"s\":\"BTCUSDT\",\"b\":\"108250.00000000\",\"B\":\"3.21010000\","
            + "\"a\":\"108250.01000000\",\"A\":\"0.81230000\"}";

    private final BinanceDialect bn = Frames.binance("trades,tickers,book_ticker", "BTC-USDT,ETH-USDT");

    @Test
    void rawTrade() {
        MarketMessage m = single(TRADE);
        assertThat(m.exchange()).isEqualTo("binance");
        assertThat(m.format()).isEqualTo("Binance");
        assertThat(m.messageType()).isEqualTo("trade");
        assertThat(m.instrument()).isEqualTo("BTC-USDT");
        assertThat(m.price()).isEqualByComparingTo("108250.01");
        assertThat(m.tradeId()).isEqualTo("5123456789");
        assertThat(m.eventTime()).isEqualTo(Instant.ofEpochMilli(1752139200123L));
        assertThat(m.data()).isEqualTo(TRADE);
        assertThat(m.bytes()).isEqualTo(TRADE.length());
    }

    @Test
    void combinedStreamWrapperIsRemovedFromData() {
        String wrapped = "{\"stream\":\"btcusdt@trade\",\"data\":" + TRADE + "}";
        MarketMessage m = single(wrapped);
        assertThat(m.data()).isEqualTo(TRADE);
        assertThat(m.tradeId()).isEqualTo("5123456789");
        assertThat(m.bytes()).isEqualTo(wrapped.getBytes(StandardCharsets.UTF_8).length);
        String wrappedBook = "{\"stream\":\"btcusdt@bookTicker\",\"data\":" + BOOK + "}";
        assertThat(single(wrappedBook).data()).isEqualTo(BOOK);
    }

    @Test
    void theCombinedStreamsDataIsTheSameTextWhateverTheLayout() {
        // the usual layout is cut out without a second parse; any other goes through the parser: same result
        List<String> frames = List.of(
                "{\"stream\":\"btcusdt@trade\",\"data\":" + TRADE + "}",
                "{\"data\":" + TRADE + ",\"stream\":\"btcusdt@trade\"}",
                "{\"stream\":\"btcusdt@trade\", \"data\": " + TRADE + " }",
                "{\"stream\":\"btc\\u0075sdt@trade\",\"data\":" + TRADE + "}",
                "{\"stream\":\"btcusdt@trade\",\"data\":" + TRADE.replace("\"M\":true", "\"M\":true,\"x\":{\"y\":\"}\"}") + "}",
                "{\"stream\":\"btcusdt@trade\",\"data\":" + TRADE.replace("\"M\":true", "\"x\":\"caf\u00e9 \u20ac \ud83d\ude00\"") + "}");
        for (String f : frames) {
            assertThat(single(f).data()).as(f).isEqualTo(io.marketetl.exchanges.Json.rawField(f, "data"));
            assertThat(single(f).bytes()).as(f).isEqualTo(f.getBytes(StandardCharsets.UTF_8).length);
        }
        assertThat(BinanceDialect.combinedData(frames.get(0))).isEqualTo(TRADE);
        assertThat(BinanceDialect.combinedData(frames.get(1))).isNull();
        assertThat(BinanceDialect.combinedData(frames.get(2))).isNull();
        assertThat(BinanceDialect.combinedData(frames.get(3))).isNull();
    }

    @Test
    void aggTradeTickerMiniTickerAndBookTicker() {
        MarketMessage agg = single(AGG);
        assertThat(agg.messageType()).isEqualTo("agg_trade");
        assertThat(agg.tradeId()).isEqualTo("987654");
        assertThat(agg.instrument()).isEqualTo("ETH-USDT");

        MarketMessage ticker = single(TICKER);
        assertThat(ticker.messageType()).isEqualTo("ticker");
        assertThat(ticker.price()).isEqualByComparingTo("108250.01");
        assertThat(ticker.eventTime()).isEqualTo(Instant.ofEpochMilli(1752139201000L));
        assertThat(ticker.tradeId()).isNull();

        MarketMessage mini = single(MINI);
        assertThat(mini.messageType()).isEqualTo("mini_ticker");
        assertThat(mini.price()).isEqualByComparingTo("108250.01");

        MarketMessage book = single(BOOK);
        assertThat(book.messageType()).isEqualTo("book_ticker");
        assertThat(book.price()).isEqualByComparingTo("108250.005");
        assertThat(book.eventTime()).isNull();
        assertThat(book.timestamp()).isEqualTo(Frames.RECEIVED);
        assertThat(book.data()).contains("\"b\":\"108250.00000000\"").contains("\"a\":\"108250.01000000\"");
    }

    @Test
    void combinedArrayStreamGivesOneMessagePerItem() {
        String arr = "{\"stream\":\"!miniTicker@arr\",\"data\":[" + MINI + "," + MINI.replace("BTCUSDT", "ETHUSDT") + "]}";
        List<MarketMessage> out = bn.normalise(frame(bn, arr));
        assertThat(out).extracting(MarketMessage::instrument).containsExactly("BTC-USDT", "ETH-USDT");
        assertThat(out.get(0).bytes() + out.get(1).bytes()).isEqualTo(arr.length());
    }

    @Test
    void classifiesControlFramesAndStreams() {
        assertThat(bn.classify("{\"result\":null,\"id\":1}").kind()).isEqualTo(FrameInfo.Kind.ACK);
        FrameInfo nested = bn.classify("{\"error\":{\"code\":2,\"msg\":\"Invalid request: invalid stream\"},\"id\":3}");
        assertThat(nested.kind()).isEqualTo(FrameInfo.Kind.ERROR);
        assertThat(nested.detail()).contains("2").contains("invalid stream");
        assertThat(bn.classify("{\"code\":2,\"msg\":\"Invalid request: x\"}").kind()).isEqualTo(FrameInfo.Kind.ERROR);
        assertThat(bn.classify("{\"e\":\"serverShutdown\",\"E\":1770123456789}").kind())
                .isEqualTo(FrameInfo.Kind.RECONNECT_NOTICE);
        assertThat(bn.classify("{\"stream\":\"!serverShutdown\",\"data\":{\"e\":\"serverShutdown\",\"E\":1770123456789}}").kind())
                .isEqualTo(FrameInfo.Kind.RECONNECT_NOTICE);
        assertThat(bn.classify(TRADE).stream()).isEqualTo("btcusdt@trade");
        assertThat(bn.classify("{\"stream\":\"btcusdt@trade\",\"data\":" + TRADE + "}").stream()).isEqualTo("btcusdt@trade");
        assertThat(bn.classify(BOOK).stream()).isEqualTo("btcusdt@bookTicker");
        assertThat(bn.classify(TICKER).stream()).isEqualTo("btcusdt@ticker");
        assertThat(bn.classify(AGG).stream()).isEqualTo("ethusdt@aggTrade");
        assertThat(bn.classify("garbage")).isEqualTo(FrameInfo.UNKNOWN_DATA);
    }

    @Test
    void urlModePutsEveryStreamInTheUrl() {
        assertThat(bn.streams()).containsExactly("btcusdt@trade", "ethusdt@trade", "btcusdt@ticker", "ethusdt@ticker",
                "btcusdt@bookTicker", "ethusdt@bookTicker");
        assertThat(bn.connectUrl()).isEqualTo("wss://stream.binance.com:9443/stream?streams="
                + "btcusdt@trade/ethusdt@trade/btcusdt@ticker/ethusdt@ticker/btcusdt@bookTicker/ethusdt@bookTicker");
        assertThat(bn.subscribeMessages()).isEmpty();
        assertThat(bn.pingText()).isNull();
        BinanceDialect local = new BinanceDialect(config("trade", "BTCUSDT").url("ws://127.0.0.1:9/"));
        assertThat(local.connectUrl()).isEqualTo("ws://127.0.0.1:9/stream?streams=btcusdt@trade");
        BinanceDialect given = new BinanceDialect(config("trade", "BTCUSDT").url("ws://127.0.0.1:9/ws/btcusdt@trade"));
        assertThat(given.connectUrl()).isEqualTo("ws://127.0.0.1:9/ws/btcusdt@trade");
    }

    @Test
    void messageModeSendsBatchedSubscribes() {
        BinanceDialect d = new BinanceDialect(config("trade,bookTicker", "BTCUSDT,ETHUSDT,SOLUSDT")
                .subscribeMode("message").subscribeBatchSize(4).url("ws://127.0.0.1:9/stream"));
        assertThat(d.connectUrl()).isEqualTo("ws://127.0.0.1:9/ws");
        assertThat(d.subscribeMessages()).containsExactly(
                "{\"method\":\"SUBSCRIBE\",\"params\":[\"btcusdt@trade\",\"ethusdt@trade\",\"solusdt@trade\",\"btcusdt@bookTicker\"],\"id\":1}",
                "{\"method\":\"SUBSCRIBE\",\"params\":[\"ethusdt@bookTicker\",\"solusdt@bookTicker\"],\"id\":2}");
    }

    @Test
    void moreThan1024StreamsIsRefused() {
        String many = IntStream.range(0, 1025).mapToObj(i -> "C" + i + "USDT").collect(Collectors.joining(","));
        assertThatThrownBy(() -> new BinanceDialect(config("trade", many)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
    }

    @Test
    void malformedFramesSayWhy() {
        assertReason("{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"t\":1}", "missing_field:p");
        assertReason("{\"e\":\"trade\",\"E\":1,\"s\":\"BTCUSDT\",\"p\":\"1\"}", "missing_field:t");
        assertReason("{\"e\":\"trade\",\"E\":1,\"t\":1,\"p\":\"1\"}", "missing_field:s");
        assertReason("{\"e\":\"depthUpdate\",\"E\":1,\"s\":\"BTCUSDT\"}", "unsupported_event:depthUpdate");
        assertReason("{\"u\":1,\"s\":\"BTCUSDT\",\"b\":\"x\",\"a\":\"1\"}", "bad_number:b");
        assertReason("{\"foo\":1}", "unrecognised_message");
        assertReason("{\"result\":null,\"id\":1}", "control_frame");
        assertReason("{\"stream\":\"x\",\"data\":5}", "bad_field:data");
        assertReason("{\"e\":\"trade\"", "invalid_json");
    }

    private static SourceConfig config(String channels, String instruments) {
        return new SourceConfig().sourceId("bn-2").dialect("binance").channels(channels).instruments(instruments);
    }

    private MarketMessage single(String text) {
        List<MarketMessage> out = bn.normalise(frame(bn, text));
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private void assertReason(String text, String reason) {
        assertThatThrownBy(() -> bn.normalise(frame(bn, text)))
                .isInstanceOfSatisfying(MalformedFrameException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.frameText()).isEqualTo(text);
                });
    }
}
