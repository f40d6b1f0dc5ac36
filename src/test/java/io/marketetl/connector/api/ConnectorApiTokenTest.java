package io.marketetl.connector.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;

/**
 * With no MARKET_ETL_API_TOKEN the write API is refused (403, saying which variable enables it) before it touches
 * anything: the services are absent here, and every write still answers 403.
 */
class ConnectorApiTokenTest {

    @Test
    void withoutAConfiguredTokenEveryWriteIsForbiddenWithTheVariableNamed() throws Exception {
        ConnectorApi api = new ConnectorApi(null, null, null, new io.marketetl.rest.ApiToken("", false));
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            for (String op : new String[] {"create", "update", "delete", "start", "stop", "test"}) {
                Exchange e = new DefaultExchange(context);
                e.getIn().setHeader("id", "c1");
                e.getIn().setHeader("Authorization", "Bearer anything");
                e.getIn().setBody("{\"name\":\"x\"}");
                ConnectorApi.class.getMethod(op, Exchange.class).invoke(api, e);
                assertThat(e.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE)).as(op).isEqualTo(403);
                assertThat(e.getMessage().getBody(String.class)).as(op).contains("MARKET_ETL_API_TOKEN");
            }
        }
    }
}
