package io.marketetl.connector;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.camel.Consumer;
import org.apache.camel.Endpoint;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;

/**
 * {@link PlaceholderGuard}: the placeholders of an {@code api:} URI's credential, header and query values are
 * encoded in the route model, so that a route dump resolving placeholders cannot print the secret, and Camel's URI
 * parsing still hands the component the placeholder text.
 */
class PlaceholderGuardTest {

    @Test
    void encodesThePlaceholdersOfCredentialHeaderAndQueryValuesOnly() {
        assertThat(PlaceholderGuard.guard("api:c?url={{base}}/x&credentials.token={{env:T}}&header.X-Key=k-{{env:K}}"
                + "&query.q={{env:Q}}&rules.code_pointer={{p}}&flag&interval=5"))
                .isEqualTo("api:c?url={{base}}/x&credentials.token=%7B%7Benv:T%7D%7D&header.X-Key=k-%7B%7Benv:K%7D%7D"
                        + "&query.q=%7B%7Benv:Q%7D%7D&rules.code_pointer={{p}}&flag&interval=5");
        // a single brace is the connector's own {instrument}, no placeholder
        assertThat(PlaceholderGuard.guard("api:c?query.instId={instrument}&credentials.token=plain"))
                .isEqualTo("api:c?query.instId={instrument}&credentials.token=plain");
        // other components are not touched
        assertThat(PlaceholderGuard.guard("http://h/x?credentials.token={{env:T}}"))
                .isEqualTo("http://h/x?credentials.token={{env:T}}");
        assertThat(PlaceholderGuard.guard("api:c")).isEqualTo("api:c");
    }

    @Test
    void aRawValueWithAPlaceholderBecomesAnEncodedPlainValue() {
        assertThat(PlaceholderGuard.guard("api:c?credentials.secret=RAW(a&b {{env:S}}+)&interval=5"))
                .isEqualTo("api:c?credentials.secret=RAW(a&b %7B%7Benv:S%7D%7D+)&interval=5");
        assertThat(PlaceholderGuard.guard("api:c?credentials.secret=RAW{x)&y}&url={{u}}"))
                .as("no placeholder in it: as written").isEqualTo("api:c?credentials.secret=RAW{x)&y}&url={{u}}");
    }

    @Test
    void camelStillGivesTheComponentThePlaceholderAndNoDumpResolvesIt() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            Properties props = new Properties();
            props.setProperty("my.token", "s3cr3t-token");
            props.setProperty("my.secret", "s3cr3t-secret");
            context.getPropertiesComponent().setInitialProperties(props);
            Capturing api = new Capturing();
            context.addComponent("api", api);
            PlaceholderGuard.install(context);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("api:c?credentials.token={{my.token}}&credentials.secret=RAW(x&{{my.secret}})&interval=5")
                            .routeId("c").to("log:x");
                }
            });
            RouteDefinition route = context.getCamelContextExtension().getContextPlugin(Model.class)
                    .getRouteDefinition("c");
            String uri = route.getInput().getUri();
            assertThat(uri).isEqualTo("api:c?credentials.token=%7B%7Bmy.token%7D%7D"
                    + "&credentials.secret=RAW(x&%7B%7Bmy.secret%7D%7D)&interval=5");

            for (boolean resolve : new boolean[] { true, false }) {
                String xml = PluginHelper.getModelToXMLDumper(context).dumpModelAsXml(context, route, resolve, false,
                        false);
                assertThat(xml).contains("credentials.token=%7B%7Bmy.token%7D%7D").doesNotContain("s3cr3t");
            }

            context.getEndpoint(uri);
            assertThat(api.parameters).containsEntry("credentials.token", "{{my.token}}")
                    .containsEntry("credentials.secret", "x&%7B%7Bmy.secret%7D%7D").containsEntry("interval", "5");
            assertThat(PlaceholderGuard.decode((String) api.parameters.get("credentials.secret")))
                    .as("a RAW value as the component reads it").isEqualTo("x&{{my.secret}}");
            assertThat(PlaceholderGuard.decode("a%7Bb")).isEqualTo("a%7Bb");
        }
    }

    /** Records the parameters Camel hands a component. */
    static final class Capturing extends DefaultComponent {
        final Map<String, Object> parameters = new LinkedHashMap<>();

        @Override
        protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> params) {
            parameters.putAll(params);
            params.clear();
            return new DefaultEndpoint(uri, this) {
                @Override
                public Producer createProducer() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public Consumer createConsumer(Processor processor) {
                    throw new UnsupportedOperationException();
                }
            };
        }
    }
}
