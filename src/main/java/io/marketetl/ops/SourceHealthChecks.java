package io.marketetl.ops;

import io.marketetl.source.ExchangeConnection;
import io.marketetl.source.ExchangeConsumer;
import io.marketetl.source.SourceHealth;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.Route;
import org.apache.camel.ServiceStatus;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRepository;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * One health check per WebSocket source ({@code exchange:} route), named {@code source:<id>} in group
 * {@code market-etl}, judged by {@link SourceHealth}: connected, and its streams' silence against their usual gaps.
 * <p>
 * These checks are neither readiness nor liveness checks: they show in {@code /observe/health} (which is DOWN while a
 * source is), never in {@code /observe/health/ready} or {@code /live}. One exchange going dark must not take the
 * instance out of the load balancer (its REST API and the other sources still work) nor restart it (it reconnects by
 * itself). Sources come and go with their route files; the checks follow the routes present at each call.
 */
public final class SourceHealthChecks implements HealthCheckRepository {

    private final CamelContext camelContext;
    private final long startupGraceMs;
    private final Map<String, SourceCheck> checks = new ConcurrentHashMap<>();
    private volatile boolean enabled = true;

    public SourceHealthChecks(CamelContext camelContext, long startupGraceMs) {
        this.camelContext = Objects.requireNonNull(camelContext, "camelContext");
        this.startupGraceMs = startupGraceMs;
    }

    @Override
    public String getId() {
        return "market-etl-sources";
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public Stream<HealthCheck> stream() {
        if (!enabled) {
            return Stream.empty();
        }
        List<HealthCheck> out = camelContext.getRoutes().stream()
                .filter(r -> r.getConsumer() instanceof ExchangeConsumer)
                .map(r -> (HealthCheck) checks.computeIfAbsent(r.getRouteId(), id -> {
                    SourceCheck c = new SourceCheck(id);
                    c.setCamelContext(camelContext);
                    return c;
                }))
                .toList();
        checks.keySet().retainAll(out.stream().map(c -> ((SourceCheck) c).routeId).toList());
        return out.stream();
    }

    private final class SourceCheck extends AbstractHealthCheck {

        final String routeId;

        SourceCheck(String routeId) {
            super("market-etl", "source:" + routeId);
            this.routeId = routeId;
        }

        @Override
        public boolean isReadiness() {
            return false;
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            Route route = camelContext.getRoute(routeId);
            if (route == null || !(route.getConsumer() instanceof ExchangeConsumer consumer)) {
                builder.message("no such source").unknown();
                return;
            }
            ServiceStatus status = camelContext.getRouteController().getRouteStatus(routeId);
            ExchangeConnection c = consumer.getConnection();
            boolean running = status != null && status.isStarted() && c != null;
            SourceHealth.Facts facts = running
                    ? new SourceHealth.Facts(true, c.state(), c.isPaused(), c.dataFrames(), consumer.getStartedNanos(),
                            c.lastDropReason(), c.streamMarks())
                    : new SourceHealth.Facts(false, ExchangeConnection.State.STOPPED, false, 0, 0, null, List.of());
            SourceHealth.Verdict v = SourceHealth.judge(facts, System.nanoTime(), startupGraceMs);
            builder.detail("source", consumer.getEndpoint().getSourceId());
            builder.detail("connection", facts.connection().name().toLowerCase());
            if (running) {
                builder.detail("reconnects", c.reconnects());
                builder.detail("stale.detections", c.staleDetections());
                if (c.lastMessageAt() != null) {
                    builder.detail("last.message", c.lastMessageAt().toString());
                }
            }
            builder.message(v.message());
            switch (v.state()) {
                case UP -> builder.up();
                case DOWN -> builder.down();
                default -> builder.unknown();
            }
        }
    }
}
