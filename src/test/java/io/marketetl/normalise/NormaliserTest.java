package io.marketetl.normalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.source.RawFrame;
import io.marketetl.source.SourceConfig;
import io.marketetl.exchanges.ExchangeDialect;
import java.time.Instant;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

class NormaliserTest {

    private final ExchangeDialect okx = ExchangeDialect.create(new SourceConfig().sourceId("okx-n").dialect("okx")
            .channels("trades").instruments("BTC-USDT").validate());

    @Test
    void rawFrameBecomesAListOfMessagesAndTheStartIsStamped() {
        long received = System.nanoTime();
        String text = "{\"arg\":{\"channel\":\"trades\",\"instId\":\"BTC-USDT\"},\"data\":["
                + "{\"instId\":\"BTC-USDT\",\"tradeId\":\"1\",\"px\":\"1.5\",\"sz\":\"1\",\"side\":\"buy\",\"ts\":\"1752139200123\"},"
                + "{\"instId\":\"BTC-USDT\",\"tradeId\":\"2\",\"px\":\"1.6\",\"sz\":\"1\",\"side\":\"buy\",\"ts\":\"1752139200124\"}]}";
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(new RawFrame("okx-n", okx, text, Instant.now(), received));
        new Normaliser().process(exchange);
        long start = exchange.getMessage().getHeader(Normaliser.START_NANOS_HEADER, Long.class);
        assertThat(start).isGreaterThanOrEqualTo(received).isLessThanOrEqualTo(System.nanoTime());
        List<?> body = exchange.getMessage().getBody(List.class);
        assertThat(body).hasSize(2).allSatisfy(m -> assertThat(m).isInstanceOf(MarketMessage.class));
        assertThat(((MarketMessage) body.get(1)).tradeId()).isEqualTo("2");
    }

    @Test
    void malformedFrameRaisesWithReasonAndTextAndKeepsTheStamp() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody(new RawFrame("okx-n", okx, "<html>502</html>", Instant.now(), System.nanoTime()));
        assertThatThrownBy(() -> new Normaliser().process(exchange))
                .isInstanceOfSatisfying(MalformedFrameException.class, e -> {
                    assertThat(e.reason()).isEqualTo("invalid_json");
                    assertThat(e.frameText()).isEqualTo("<html>502</html>");
                    assertThat(e.getMessage()).contains("invalid_json").contains("<html>502</html>");
                });
        assertThat(exchange.getMessage().getHeader(Normaliser.START_NANOS_HEADER)).isNotNull();
    }

    @Test
    void aBodyThatIsNoRawFrameIsReportedNotDropped() {
        Exchange exchange = new DefaultExchange(new DefaultCamelContext());
        exchange.getMessage().setBody("{\"x\":1}");
        assertThatThrownBy(() -> new Normaliser().process(exchange))
                .isInstanceOfSatisfying(MalformedFrameException.class, e -> {
                    assertThat(e.reason()).isEqualTo("not_a_raw_frame:String");
                    assertThat(e.frameText()).isEqualTo("{\"x\":1}");
                });
    }
}
