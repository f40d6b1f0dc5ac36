package io.marketetl.connector;

import java.util.List;

/**
 * The {@code market-etl.connector.*} settings the runtime and the validation share (defaults in
 * application.properties).
 *
 * @param minIntervalMs     the shortest polling interval accepted
 * @param allowedHosts      when not empty, the only hosts a connector may call ({@code MARKET_ETL_CONNECTOR_HOSTS})
 * @param backoffInitialMs  first pause after a failed call
 * @param backoffMaxMs      longest pause after failed calls
 * @param statusIntervalMs  how often a connector writes its performance_metrics
 * @param stopTimeoutMs     how long stopping a connector waits for its call under way (its response timeout)
 */
public record ConnectorSettings(long minIntervalMs, List<String> allowedHosts, long backoffInitialMs,
        long backoffMaxMs, long statusIntervalMs, long stopTimeoutMs) {
}
