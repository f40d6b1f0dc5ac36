package io.marketetl.connector.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.exchanges.ExchangeModules;
import io.marketetl.exchanges.binance.BinanceHmacAuth;
import io.marketetl.exchanges.okx.OkxHmacAuth;
import org.junit.jupiter.api.Test;

class AuthTypesTest {

    @Test
    void genericTypesFirstThenTheExchangeModulesOnes() {
        assertThat(AuthTypes.names()).startsWith("None", "ApiKey", "Bearer", "Basic")
                .containsExactlyInAnyOrder("None", "ApiKey", "Bearer", "Basic", "BinanceHmac", "OkxHmac");
        assertThat(AuthTypes.all()).hasSize(6);
        assertThat(ExchangeModules.require("binance").authTypes()).singleElement()
                .isInstanceOf(BinanceHmacAuth.class);
        assertThat(ExchangeModules.require("okx").authTypes()).singleElement().isInstanceOf(OkxHmacAuth.class);
        assertThat(ExchangeModules.require("custom").authTypes()).isEmpty();
    }

    @Test
    void lookupIgnoresCaseAndGivesTheCanonicalName() {
        assertThat(AuthTypes.find("None")).isInstanceOf(NoneAuth.class);
        assertThat(AuthTypes.find("bearer").name()).isEqualTo("Bearer");
        assertThat(AuthTypes.find("BINANCEHMAC")).isInstanceOf(BinanceHmacAuth.class);
        assertThat(AuthTypes.find("okxhmac").name()).isEqualTo("OkxHmac");
        assertThat(AuthTypes.find("OAuth2")).isNull();
        assertThat(AuthTypes.find(null)).isNull();
        for (String name : AuthTypes.names()) {
            assertThat(AuthTypes.require(name).name()).isEqualTo(name);
        }
        assertThatThrownBy(() -> AuthTypes.require("Digest"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown auth_type: Digest (known: " + String.join(", ", AuthTypes.names()) + ")");
    }
}
