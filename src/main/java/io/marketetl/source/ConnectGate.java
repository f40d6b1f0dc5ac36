package io.marketetl.source;

import java.util.HashMap;
import java.util.Map;

/**
 * Spaces connection attempts to the same host across all sources of a component, because exchanges limit new
 * connections per IP (OKX: 3 per second; Binance: 300 per 5 minutes): each attempt reserves the next free slot of its
 * host, at least {@code intervalMs} after the previous one. Thread-safe.
 */
public final class ConnectGate {

    private final Map<String, Long> nextFreeNanos = new HashMap<>();

    /**
     * Reserves a slot for one attempt to {@code host}.
     *
     * @return milliseconds to wait before attempting (0 = now)
     */
    public synchronized long reserve(String host, long intervalMs, long nowNanos) {
        if (intervalMs <= 0) {
            return 0;
        }
        long next = nextFreeNanos.getOrDefault(host, Long.MIN_VALUE);
        long slot = next == Long.MIN_VALUE || next - nowNanos <= 0 ? nowNanos : next;
        nextFreeNanos.put(host, slot + intervalMs * 1_000_000L);
        return (slot - nowNanos + 999_999L) / 1_000_000L;
    }
}
