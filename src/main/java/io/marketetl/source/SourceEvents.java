package io.marketetl.source;

import java.time.Duration;

/**
 * Listener for the connection lifecycle of an {@code exchange:} source, set on the endpoint with
 * {@code events=#beanName}. All methods default to doing nothing.
 * <p>
 * Calls for one source arrive in order on a dedicated thread of that source (never on the Vert.x event loop), so an
 * implementation may block briefly, e.g. to update a {@code connector_status} row. An exception thrown by a method is
 * logged and otherwise ignored.
 */
public interface SourceEvents {

    /** The no-op listener. */
    SourceEvents NONE = new SourceEvents() {
    };

    /** A connection attempt starts; {@code attempt} counts attempts since the last healthy connection (1 = first). */
    default void connecting(String sourceId, int attempt) {
    }

    /** The WebSocket handshake succeeded. */
    default void connected(String sourceId) {
    }

    /** Every subscribe message of this connection has been sent (immediately after connect when there is none). */
    default void subscribed(String sourceId) {
    }

    /**
     * The connection ended or was abandoned.
     *
     * @param reason    human-readable cause ({@code "closed by server 4004 No data received in 30s."},
     *                  {@code "stale trades:BTC-USDT"}, {@code "connect failed: ..."}, {@code "stopped"}, ...)
     * @param closeCode the server's WebSocket close code, 1006 when the connection was lost without a close frame,
     *                  null when the source closed it itself (stale, no pong, notice, max age, stopped) or the
     *                  attempt failed before a socket existed
     */
    default void disconnected(String sourceId, String reason, Integer closeCode) {
    }

    /** A new connection attempt is scheduled after {@code delay}; {@code attempt} is the attempt it will be. */
    default void reconnectScheduled(String sourceId, Duration delay, int attempt) {
    }

    /** A stream (channel + instrument) went silent beyond its threshold; a reconnect follows. */
    default void staleDetected(String sourceId, String stream) {
    }

    /** A problem reported by the exchange (e.g. a subscribe error) or by the source itself. */
    default void error(String sourceId, String message) {
    }
}
