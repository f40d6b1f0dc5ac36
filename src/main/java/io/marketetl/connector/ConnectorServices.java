package io.marketetl.connector;

import io.marketetl.status.ConnectorEvents;
import java.time.Clock;

/**
 * What every connector run shares (registry bean {@value #BEAN}): the HTTP client with its per-host budgets, the
 * connector_status writer, the stored definitions and the settings.
 */
public record ConnectorServices(ApiClient client, ConnectorEvents status, ConnectorStore store,
        ConnectorSettings settings, Clock clock) {

    public static final String BEAN = "connectorServices";

    public ConnectorValidation validation() {
        return new ConnectorValidation(settings);
    }
}
