package io.marketetl.connector.limit;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.exchanges.ExchangeModules;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exchange modules' request weights, host rules and response rules. */
class ExchangeBudgetDefaultsTest {

    final ExchangeModule binance = ExchangeModules.require("binance");
    final ExchangeModule okx = ExchangeModules.require("okx");
    final ExchangeModule custom = ExchangeModules.require("custom");

    @Test
    void binanceWeights() {
        assertThat(binance.requestWeight("/api/v3/ticker/price", Map.of("symbol", "BTCUSDT"))).isEqualTo(2);
        assertThat(binance.requestWeight("/api/v3/ticker/price", Map.of())).isEqualTo(4);
        assertThat(binance.requestWeight("/api/v3/ticker/price", Map.of("symbols", "[\"BTCUSDT\",\"ETHUSDT\"]")))
                .isEqualTo(4);
        assertThat(binance.requestWeight("/api/v3/ticker/price", Map.of("symbol", ""))).isEqualTo(4);
        assertThat(binance.requestWeight("/api/v3/ticker/bookTicker", Map.of("symbol", "BTCUSDT"))).isEqualTo(2);
        assertThat(binance.requestWeight("/api/v3/ticker/bookTicker/", null)).isEqualTo(4);
        assertThat(binance.requestWeight("/api/v3/ticker/24hr", Map.of("symbol", "BTCUSDT"))).isEqualTo(2);
        assertThat(binance.requestWeight("/api/v3/ticker/24hr", Map.of())).isEqualTo(80);
        assertThat(binance.requestWeight("/api/v3/historicalTrades", Map.of("symbol", "BTCUSDT", "fromId", "1")))
                .isEqualTo(25);
        assertThat(binance.requestWeight("/api/v3/aggTrades?symbol=BTCUSDT", Map.of("symbol", "BTCUSDT"))).isEqualTo(4);
        assertThat(binance.requestWeight("/api/v3/account", Map.of())).isEqualTo(20);
        assertThat(binance.requestWeight("/api/v3/time", Map.of())).isEqualTo(1);
    }

    @Test
    void okxAndCustomCountRequestsOnly() {
        assertThat(okx.requestWeight("/api/v5/market/tickers", Map.of("instType", "SPOT"))).isEqualTo(1);
        assertThat(custom.requestWeight("/anything", Map.of())).isEqualTo(1);
        assertThat(custom.hostRules()).isEmpty();
        assertThat(custom.responseRules()).isEqualTo(ResponseRules.NONE);
    }

    @Test
    void hostRulesNameTheDocumentedHosts() {
        assertThat(binance.hostRules()).hasSize(1);
        assertThat(binance.hostRules().get(0).hosts()).contains("api.binance.com", "api-gcp.binance.com",
                "api1.binance.com", "api2.binance.com", "api3.binance.com", "api4.binance.com",
                "data-api.binance.vision");
        assertThat(binance.hostRules().get(0).toString()).endsWith("=weight:6000/1m,header:X-MBX-USED-WEIGHT-1M");
        assertThat(okx.hostRules().get(0).hosts()).contains("www.okx.com");
        assertThat(okx.hostRules().get(0).toString()).endsWith("=requests:20/2s/endpoint");
    }

    @Test
    void responseRules() {
        ResponseClassifier o = new ResponseClassifier(okx.responseRules());
        assertThat(o.classify(200, "{\"code\":\"50011\",\"msg\":\"Rate limit reached\"}").outcome())
                .isEqualTo(ResponseOutcome.RATE_LIMITED);
        assertThat(o.classify(200, "{\"code\":\"50026\",\"msg\":\"System error\"}").outcome())
                .isEqualTo(ResponseOutcome.SERVER_ERROR);
        assertThat(o.classify(200, "{\"code\":\"51001\",\"msg\":\"Instrument ID does not exist\"}").outcome())
                .isEqualTo(ResponseOutcome.BODY_ERROR);
        ResponseClassifier b = new ResponseClassifier(binance.responseRules());
        assertThat(b.classify(200, "{\"symbol\":\"BTCUSDT\",\"price\":\"108250.01\"}").outcome())
                .isEqualTo(ResponseOutcome.OK);
        assertThat(b.classify(200, "[{\"symbol\":\"BTCUSDT\",\"price\":\"108250.01\"}]").outcome())
                .isEqualTo(ResponseOutcome.OK);
        Classification c = b.classify(429, "{\"code\":-1003,\"msg\":\"Too much request weight used\"}");
        assertThat(c).isEqualTo(new Classification(ResponseOutcome.RATE_LIMITED, 429, "-1003",
                "Too much request weight used"));
        assertThat(b.classify(418, "{\"code\":-1003,\"msg\":\"Way too much request weight used; IP banned\"}").outcome())
                .isEqualTo(ResponseOutcome.BANNED);
        assertThat(b.classify(400, "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}"))
                .isEqualTo(new Classification(ResponseOutcome.CLIENT_ERROR, 400, "-1121", "Invalid symbol."));
    }
}
