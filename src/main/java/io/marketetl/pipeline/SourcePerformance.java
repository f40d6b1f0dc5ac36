package io.marketetl.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import io.marketetl.exchanges.Json;
import io.marketetl.status.ConnectorEvents;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;

/**
 * The load route's last step (registry name {@code sourcePerformance}): a committed batch's performance becomes its
 * source's {@code connector_status.performance_metrics}: the batch row's metrics plus {@code messages_per_second},
 * {@code load_commit_ms} and {@code load_elapsed_ms} (body: {@link io.marketetl.batch.BatchRowBuilder#performance}).
 * It goes to the connectors' status writer like every other status change: latest wins, written off this thread, so
 * a writer thread (and a stop) never waits for the database because of a status row.
 */
public final class SourcePerformance implements Processor {

    private static final TypeReference<LinkedHashMap<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final ConnectorEvents status;

    public SourcePerformance(ConnectorEvents status) {
        this.status = Objects.requireNonNull(status, "status");
    }

    @Override
    public void process(Exchange exchange) throws IOException {
        @SuppressWarnings("unchecked")
        Map<String, Object> batch = exchange.getIn().getBody(Map.class);
        if (batch == null) {
            return; // nothing committed by this exchange (a spooled batch, API connector rows)
        }
        Object metrics = batch.get("metrics");
        Map<String, Object> performance = metrics == null ? new LinkedHashMap<>()
                : Json.MAPPER.readValue(metrics.toString(), OBJECT);
        performance.put("messages_per_second", batch.get("messages_per_second"));
        performance.put("load_commit_ms", batch.get("load_commit_ms"));
        performance.put("load_elapsed_ms", batch.get("load_elapsed_ms"));
        status.performance((String) batch.get("connector_id"), performance);
    }
}
