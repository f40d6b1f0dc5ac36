package io.marketetl.connector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Answers into rows: items, pointers, error answers and non-JSON bodies. */
class ApiExtractorTest {

    private static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");
    private static final Extract OKX = new Extract("/data", "/instId", "/last", "/ts", "ms", "ticker");

    private static ApiResponse answer(int status, String body, Extract x, boolean ok) {
        return new ApiResponse("c1", "okx", status, 12.5, body, AT, 1L, "sess-1", "sess", x, null, ok);
    }

    @Test
    void eachItemIsARowWithItsPointersAndTheRawAnswerOnTheFirstRowOnly() {
        String body = "{\"code\":\"0\",\"data\":[{\"instId\":\"BTC-USDT\",\"last\":\"97000.1\",\"ts\":\"1764583200000\"},"
                + "{\"instId\":\"eth_usdt\",\"last\":3000,\"ts\":1764583200500}]}";
        List<MarketMessage> rows = ApiExtractor.extract(answer(200, body, OKX, true));
        assertThat(rows).extracting(MarketMessage::instrument).containsExactly("BTC-USDT", "ETH-USDT");
        assertThat(rows).extracting(MarketMessage::price).containsExactly(new BigDecimal("97000.1"), new BigDecimal("3000"));
        assertThat(rows.get(0).eventTime()).isEqualTo(Instant.ofEpochMilli(1764583200000L));
        assertThat(rows.get(0).call().rawResponse()).isEqualTo(body);
        assertThat(rows.get(1).call().rawResponse()).isNull();
        assertThat(rows).allSatisfy(m -> {
            assertThat(m.call().statusCode()).isEqualTo(200);
            assertThat(m.messageType()).isEqualTo("ticker");
            assertThat(m.data()).startsWith("{\"instId\"");
        });
    }

    @Test
    void errorAnswersAndTextBodiesAreOneRowEach() {
        List<MarketMessage> error = ApiExtractor.extract(answer(429, "{\"code\":\"50011\",\"msg\":\"Too Many\"}", OKX, false));
        assertThat(error).singleElement().satisfies(m -> {
            assertThat(m.call().statusCode()).isEqualTo(429);
            assertThat(m.price()).isNull();
            assertThat(m.data()).contains("50011");
        });
        List<MarketMessage> text = ApiExtractor.extract(answer(200, "plain\ttext", Extract.NONE, true));
        assertThat(text).singleElement().satisfies(m -> assertThat(m.data()).isEqualTo("\"plain\\ttext\""));
        // an array body without items: each element
        assertThat(ApiExtractor.extract(answer(200, "[{\"p\":1},{\"p\":2}]",
                new Extract(null, null, "/p", null, null, null), true))).hasSize(2);
    }

    @Test
    void aMissingValueIsEmptyButAWrongOneIsMalformed() {
        assertThat(ApiExtractor.extract(answer(200, "{\"data\":[{\"instId\":\"BTC-USDT\"}]}", OKX, true)))
                .singleElement().satisfies(m -> {
                    assertThat(m.price()).isNull();
                    assertThat(m.eventTime()).isNull();
                });
        assertThatThrownBy(() -> ApiExtractor.extract(answer(200, "{\"data\":[{\"last\":\"n/a\"}]}", OKX, true)))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("price");
        assertThatThrownBy(() -> ApiExtractor.extract(answer(200, "{\"data\":{}}", OKX, true)))
                .isInstanceOf(MalformedFrameException.class).hasMessageContaining("/data");
    }
}
