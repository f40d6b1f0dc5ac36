package io.marketetl.exchanges.custom;

import io.marketetl.exchanges.FrameInfo;
import static io.marketetl.exchanges.Frames.frame;
import io.marketetl.exchanges.Frames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.source.SourceConfig;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CustomDialectTest {

    private static SourceConfig base() {
        return new SourceConfig().sourceId("kraken-ish").dialect("custom").url("ws://127.0.0.1:1/feed")
                .channels("trade").instruments("XBT/USD,ETH/USD");
    }

    @Test
    void subscribeTemplates() {
        assertThat(new CustomDialect(base().subscribeMessage(
                "{\"event\":\"subscribe\",\"pair\":${instruments},\"subscription\":{\"name\":\"${channels}\"}}"))
                .subscribeMessages())
                .containsExactly("{\"event\":\"subscribe\",\"pair\":[\"XBT/USD\",\"ETH/USD\"],\"subscription\":{\"name\":\"[\"trade\"]\"}}");
        assertThat(new CustomDialect(base().channels("trade,ticker")
                .subscribeMessage("{\"op\":\"sub\",\"topic\":\"${channel}.${instrument}\",\"from\":\"${sourceId}\"}"))
                .subscribeMessages())
                .containsExactly("{\"op\":\"sub\",\"topic\":\"trade.XBT/USD\",\"from\":\"kraken-ish\"}",
                        "{\"op\":\"sub\",\"topic\":\"trade.ETH/USD\",\"from\":\"kraken-ish\"}",
                        "{\"op\":\"sub\",\"topic\":\"ticker.XBT/USD\",\"from\":\"kraken-ish\"}",
                        "{\"op\":\"sub\",\"topic\":\"ticker.ETH/USD\",\"from\":\"kraken-ish\"}");
        assertThat(new CustomDialect(base()).subscribeMessages()).isEmpty();
    }

    @Test
    void camelPlaceholderEscapesAreUndoneInTemplates() {
        // Camel strips the backslash only when the URI also has a {{placeholder}}; both forms must work
        assertThat(new CustomDialect(base().subscribeMessage("{\"a\":{\"b\":${instruments}\\}}")).subscribeMessages())
                .containsExactly("{\"a\":{\"b\":[\"XBT/USD\",\"ETH/USD\"]}}");
        assertThat(new CustomDialect(base().subscribeMessage("{\"a\":{\"b\":${instruments} } }")).subscribeMessages())
                .containsExactly("{\"a\":{\"b\":[\"XBT/USD\",\"ETH/USD\"] } }");
    }

    @Test
    void pointerMapping() {
        CustomDialect d = new CustomDialect(base().exchangeName("kraken").instrumentPointer("/pair")
                .pricePointer("/t/price").timestampPointer("/t/time").timestampUnit("s").typePointer("/kind")
                .tradeIdPointer("/t/id"));
        String text = "{\"kind\":\"trade\",\"pair\":\"XBT/USD\",\"t\":{\"price\":64000.5,\"time\":\"1752139200.25\",\"id\":77}}";
        MarketMessage m = d.normalise(frame(d, text)).get(0);
        assertThat(m.exchange()).isEqualTo("kraken");
        assertThat(m.format()).isEqualTo("custom");
        assertThat(m.instrument()).isEqualTo("XBT-USD");
        assertThat(m.price()).isEqualByComparingTo("64000.5");
        assertThat(m.messageType()).isEqualTo("trade");
        assertThat(m.tradeId()).isEqualTo("77");
        assertThat(m.eventTime()).isEqualTo(Instant.ofEpochMilli(1752139200250L));
        assertThat(m.data()).isEqualTo(text);
        assertThat(d.classify(text)).isEqualTo(FrameInfo.data("trade:XBT/USD"));
    }

    @Test
    void timestampUnitsAndFixedType() {
        String[][] cases = {
                {"ms", "1752139200123", "2025-07-10T09:20:00.123Z"},
                {"us", "1752139200123456", "2025-07-10T09:20:00.123456Z"},
                {"ns", "1752139200123456789", "2025-07-10T09:20:00.123456789Z"},
                {"s", "1752139200", "2025-07-10T09:20:00Z"},
                {"iso", "\"2025-07-10T09:20:00.251Z\"", "2025-07-10T09:20:00.251Z"}};
        for (String[] c : cases) {
            CustomDialect d = new CustomDialect(base().pricePointer("/p").timestampPointer("/ts").timestampUnit(c[0])
                    .messageType("ticker"));
            MarketMessage m = d.normalise(frame(d, "{\"p\":\"1.5\",\"ts\":" + c[1] + "}")).get(0);
            assertThat(m.eventTime()).as(c[0]).isEqualTo(Instant.parse(c[2]));
            assertThat(m.messageType()).isEqualTo("ticker");
            assertThat(m.exchange()).isEqualTo("kraken-ish");
            assertThat(m.instrument()).isNull();
        }
    }

    @Test
    void itemsPointerGivesOneMessagePerElement() {
        CustomDialect d = new CustomDialect(base().itemsPointer("/trades").instrumentPointer("/s").pricePointer("/p")
                .messageType("trade"));
        String text = "{\"type\":\"batch\",\"trades\":[{\"s\":\"BTCUSDT\",\"p\":\"1\"},{\"s\":\"ETHUSDT\",\"p\":\"2\"}]}";
        List<MarketMessage> out = d.normalise(frame(d, text));
        assertThat(out).extracting(MarketMessage::instrument).containsExactly("BTC-USDT", "ETH-USDT");
        assertThat(out.get(1).data()).isEqualTo("{\"s\":\"ETHUSDT\",\"p\":\"2\"}");
        assertThat(out.get(0).bytes() + out.get(1).bytes()).isEqualTo(text.length());
    }

    @Test
    void keepaliveAndControlFrames() {
        CustomDialect d = new CustomDialect(base().pingText("{\"op\":\"ping\"}").pongText("{\"op\":\"pong\"}")
                .pingIntervalMs(5000).controlRegex("\"event\":\"(heartbeat|subscribed)\""));
        assertThat(d.pingText()).isEqualTo("{\"op\":\"ping\"}");
        assertThat(d.pingIntervalMs()).isEqualTo(5000);
        assertThat(d.classify("{\"op\":\"pong\"}").kind()).isEqualTo(FrameInfo.Kind.PONG);
        assertThat(d.classify("{\"event\":\"heartbeat\"}").kind()).isEqualTo(FrameInfo.Kind.CONTROL);
        assertThat(d.classify("{\"price\":1}").kind()).isEqualTo(FrameInfo.Kind.DATA);
        assertThat(new CustomDialect(base()).pingText()).isNull();
    }

    @Test
    void malformedFramesSayWhy() {
        CustomDialect d = new CustomDialect(base().instrumentPointer("/s").pricePointer("/p").typePointer("/e"));
        assertReason(d, "{\"p\":\"1\",\"e\":\"trade\"}", "missing_field:/s");
        assertReason(d, "{\"s\":\"BTCUSDT\",\"e\":\"trade\"}", "missing_field:/p");
        assertReason(d, "{\"s\":\"BTCUSDT\",\"p\":\"1\"}", "missing_field:/e");
        assertReason(d, "{\"s\":\"BTCUSDT\",\"p\":\"one\",\"e\":\"trade\"}", "bad_number:/p");
        assertReason(d, "{oops", "invalid_json");
        CustomDialect items = new CustomDialect(base().itemsPointer("/d"));
        assertReason(items, "{\"x\":1}", "missing_field:/d");
        assertReason(items, "{\"d\":{}}", "not_an_array:/d");
        assertReason(items, "{\"d\":[]}", "empty_data");
        CustomDialect ts = new CustomDialect(base().timestampPointer("/t").timestampUnit("iso"));
        assertReason(ts, "{\"t\":\"yesterday\"}", "bad_timestamp:/t");
    }

    @Test
    void badOptionsFailEarly() {
        assertThatThrownBy(() -> new CustomDialect(base().url(""))).hasMessageContaining("url");
        assertThatThrownBy(() -> new CustomDialect(base().pricePointer("price"))).hasMessageContaining("JSON pointer");
    }

    private static void assertReason(CustomDialect d, String text, String reason) {
        assertThatThrownBy(() -> d.normalise(frame(d, text)))
                .isInstanceOfSatisfying(MalformedFrameException.class, e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.frameText()).isEqualTo(text);
                });
    }
}
