package io.marketetl.source;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Prometheus meters of one WebSocket source, label {@code source}: created once per source (they outlive the
 * source's restarts and route reloads) and handed to its consumer, so that counting a frame is one counter increment,
 * never a registry lookup.
 * <pre>
 * market_etl_messages_received_total{source}   data frames received
 * market_etl_received_bytes_total{source}      their size (UTF-8 text length)
 * market_etl_reconnects_total{source}          reconnects scheduled after a drop
 * market_etl_stale_streams_total{source}       streams found silent beyond their usual gap (each causes a reconnect)
 * market_etl_source_connected{source}          1 while the socket is open, 0 otherwise; absent while stopped
 * </pre>
 * Thread-safe. Lifecycle events arrive through {@link #events(SourceEvents)}, off the event loop.
 */
public final class SourceMeters {

    /** Meters that count nothing anywhere (a component used without the application's registry). */
    public static SourceMeters none(String sourceId) {
        return new SourceMeters(new CompositeMeterRegistry(), sourceId);
    }

    private final MeterRegistry registry;
    private final String sourceId;
    private final Received received;
    private final Counter reconnects;
    private final Counter stale;
    private final AtomicInteger connected = new AtomicInteger();
    private Gauge connectedGauge;

    public SourceMeters(MeterRegistry registry, String sourceId) {
        this.registry = registry;
        this.sourceId = sourceId;
        this.received = Received.register(registry, sourceId);
        this.reconnects = Counter.builder("market_etl_reconnects")
                .description("Reconnects scheduled after a dropped or abandoned connection").tag("source", sourceId)
                .register(registry);
        this.stale = Counter.builder("market_etl_stale_streams")
                .description("Streams silent beyond their usual gap (each one causes a reconnect)")
                .tag("source", sourceId).register(registry);
    }

    /** One data frame of {@code length} characters (UTF-8 bytes for the ASCII JSON exchanges send). */
    public void frame(int length) {
        received.add(length);
    }

    /**
     * What every source and connector receives: {@code market_etl_messages_received_total{source}} (WebSocket data
     * frames, HTTP answers) and {@code market_etl_received_bytes_total{source}} (their size).
     */
    public record Received(Counter messages, Counter bytes) {

        public static Received register(MeterRegistry registry, String source) {
            return new Received(Counter.builder("market_etl_messages_received")
                    .description("Messages received: WebSocket data frames, HTTP answers").tag("source", source)
                    .register(registry),
                    Counter.builder("market_etl_received").baseUnit("bytes")
                            .description("Bytes received in those messages").tag("source", source)
                            .register(registry));
        }

        /** One message of {@code bytes} bytes. */
        public void add(int bytes) {
            messages.increment();
            this.bytes.increment(bytes);
        }
    }

    /** The source started: its connection gauge exists (0 until connected). */
    public synchronized void started() {
        connected.set(0);
        if (connectedGauge == null) {
            connectedGauge = Gauge.builder("market_etl_source_connected", connected, AtomicInteger::get)
                    .description("1 while the source's WebSocket is open, 0 while it is not; absent while stopped")
                    .tag("source", sourceId).strongReference(true).register(registry);
        }
    }

    /** The source was stopped on purpose: its connection gauge goes away (a stopped source is not an outage). */
    public synchronized void stopped() {
        connected.set(0);
        if (connectedGauge != null) {
            registry.remove(connectedGauge);
            connectedGauge = null;
        }
    }

    /** The lifecycle listener {@code next} with these meters in front of it. */
    public SourceEvents events(SourceEvents next) {
        SourceEvents downstream = next == null ? SourceEvents.NONE : next;
        return new SourceEvents() {
            @Override
            public void connecting(String id, int attempt) {
                downstream.connecting(id, attempt);
            }

            @Override
            public void connected(String id) {
                connected.set(1);
                downstream.connected(id);
            }

            @Override
            public void subscribed(String id) {
                downstream.subscribed(id);
            }

            @Override
            public void disconnected(String id, String reason, Integer closeCode) {
                connected.set(0);
                downstream.disconnected(id, reason, closeCode);
            }

            @Override
            public void reconnectScheduled(String id, java.time.Duration delay, int attempt) {
                reconnects.increment();
                downstream.reconnectScheduled(id, delay, attempt);
            }

            @Override
            public void staleDetected(String id, String stream) {
                stale.increment();
                downstream.staleDetected(id, stream);
            }

            @Override
            public void error(String id, String message) {
                downstream.error(id, message);
            }
        };
    }
}
