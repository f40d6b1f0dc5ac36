package io.marketetl.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.rest.ApiToken;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * With MARKET_ETL_API_READS_NEED_TOKEN, GET /api/sources is refused (401) without the token before it reads anything
 * (there is no database here); the page itself holds no data and stays open, and refreshes as often as
 * MARKET_ETL_CONSOLE_REFRESH_MS says.
 */
class ConsoleReadTokenTest {

    @Test
    void sourcesNeedTheTokenWhenReadsDoButThePageDoesNot() throws Exception {
        Console console = new Console(null, new ApiToken("t0ken", true), 10_000, 5_000);
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            for (String auth : new String[] {null, "Bearer wrong"}) {
                Exchange e = new DefaultExchange(context);
                e.getIn().setHeader("Authorization", auth);
                console.sources(e);
                assertThat(e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(401);
                assertThat(e.getMessage().getBody(String.class)).contains("MARKET_ETL_API_TOKEN");
            }
            Exchange page = new DefaultExchange(context);
            console.page(page);
            assertThat(page.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).isEqualTo(200);
            assertThat(page.getMessage().getBody(String.class)).contains("<title>market-etl console</title>",
                    "var REFRESH_MS = 5000;"); // MARKET_ETL_CONSOLE_REFRESH_MS
        }
    }
}
