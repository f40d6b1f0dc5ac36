package io.marketetl;

import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.support.PropertyBindingSupport;

/**
 * How the project's endpoints ({@code exchange:}, {@code api:}) take their URI options: onto their configuration
 * object (the Component/Endpoint/Configuration split of camel-vertx-websocket), by setter, case-insensitively, with
 * the bound options removed from {@code parameters} so that Camel's own (bridgeErrorHandler, ...) remain for the
 * endpoint and anything left over is reported as unknown.
 */
public final class EndpointOptions {

    private EndpointOptions() {
    }

    public static void bind(CamelContext camelContext, Object configuration, Map<String, Object> parameters) {
        PropertyBindingSupport.build()
                .withCamelContext(camelContext)
                .withTarget(configuration)
                .withProperties(parameters)
                .withRemoveParameters(true)
                .withIgnoreCase(true)
                .withReflection(true)
                .withFluentBuilder(false)
                .bind();
    }
}
