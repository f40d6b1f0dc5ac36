package io.marketetl.simulator;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * REST rate limits per client IP (the remote address of the connection). Event loop only.
 *
 * <p><b>Binance request weight</b>: <em>fixed</em> windows aligned to multiples of the window length since the epoch
 * (with the default 1 minute: the full minute, as Binance counts {@code REQUEST_WEIGHT 1 MINUTE}). Every request's
 * weight is added to its IP's window, the one that goes over the limit included; the sum is what
 * {@code X-MBX-USED-WEIGHT-1M} reports. Over the limit: 429 with Retry-After = seconds to the end of the window.
 * A client that sends {@code banAfterRequests} more requests before that Retry-After is up gets 418 on the last of
 * them and is banned for {@code banSeconds}: every request during the ban is 418 (weight not counted) with
 * Retry-After = the ban's remaining seconds.
 *
 * <p><b>OKX</b>: a <em>rolling</em> window per endpoint path and IP; requests refused with 429 do not count, so a
 * client that waits one window length is served again.
 */
final class RestLimits {

    /** What the Binance limiter decided; status 200 = go on. */
    record BinanceVerdict(int status, int usedWeight, long retryAfterSeconds, long bannedUntilMs) {
    }

    private static final class BinanceClient {
        long windowStart = Long.MIN_VALUE;
        int used;
        long retryUntilMs;
        int requestsDuringRetry;
        long bannedUntilMs;
    }

    private static final int MAX_KEYS = 100_000;

    private final Map<String, BinanceClient> binance = new HashMap<>();
    private final Map<String, ArrayDeque<Long>> okx = new HashMap<>();

    BinanceVerdict binance(String ip, int weight, long nowMs, int limit, long windowMs, int banAfterRequests,
                           int banSeconds) {
        if (binance.size() > MAX_KEYS) {
            binance.values().removeIf(c -> c.windowStart + windowMs <= nowMs && c.bannedUntilMs <= nowMs);
        }
        BinanceClient c = binance.computeIfAbsent(ip, k -> new BinanceClient());
        long windowStart = nowMs - Math.floorMod(nowMs, windowMs);
        if (c.windowStart != windowStart) {
            c.windowStart = windowStart;
            c.used = 0;
        }
        if (c.bannedUntilMs > nowMs) {
            return new BinanceVerdict(418, c.used, ceilSeconds(c.bannedUntilMs - nowMs), c.bannedUntilMs);
        }
        c.used += weight;
        if (c.used <= limit) {
            c.retryUntilMs = 0;
            c.requestsDuringRetry = 0;
            return new BinanceVerdict(200, c.used, 0, 0);
        }
        if (c.retryUntilMs > nowMs) {
            if (++c.requestsDuringRetry >= banAfterRequests) {
                c.bannedUntilMs = nowMs + banSeconds * 1000L;
                c.retryUntilMs = 0;
                c.requestsDuringRetry = 0;
                return new BinanceVerdict(418, c.used, banSeconds, c.bannedUntilMs);
            }
        } else {
            c.retryUntilMs = windowStart + windowMs;
            c.requestsDuringRetry = 0;
        }
        return new BinanceVerdict(429, c.used, ceilSeconds(c.retryUntilMs - nowMs), 0);
    }

    /** True when the request may proceed (and is counted), false for a 429. */
    boolean okx(String ip, String path, long nowMs, int limit, long windowMs) {
        if (okx.size() > MAX_KEYS) {
            okx.values().removeIf(d -> d.isEmpty() || d.peekLast() <= nowMs - windowMs);
        }
        ArrayDeque<Long> times = okx.computeIfAbsent(ip + " " + path, k -> new ArrayDeque<>());
        while (!times.isEmpty() && times.peekFirst() <= nowMs - windowMs) {
            times.pollFirst();
        }
        if (times.size() >= limit) {
            return false;
        }
        times.addLast(nowMs);
        return true;
    }

    void clear() {
        binance.clear();
        okx.clear();
    }

    private static long ceilSeconds(long ms) {
        return Math.max(1, (ms + 999) / 1000);
    }
}
