package io.marketetl.connector.limit;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The request limits of a group of hosts that share one budget (exchanges limit per IP across all their API hosts, so
 * {@code api.binance.com} and its mirror {@code api1.binance.com} count against the same 6000 weight per minute).
 * <p>
 * A host entry is a host name ({@code api.binance.com}, any scheme and port), a host and port
 * ({@code 127.0.0.1:8765}), {@code *} (the rule of hosts that have none, one budget per host) or {@code @okx} (hosts
 * that have no rule but whose connector declares {@code exchange_name: okx}, one budget per host and exchange). Host
 * names are compared in lower case. An empty list of limits means "no windows": only {@code Retry-After}, 429 and 418
 * feedback limit the host.
 * <p>
 * {@link #toString()} writes the rule in the {@link HostBudgets#parseRules(String)} format.
 */
public record HostRule(List<String> hosts, List<Limit> limits) {

    public HostRule {
        Objects.requireNonNull(hosts, "hosts");
        Objects.requireNonNull(limits, "limits");
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("a host rule needs at least one host");
        }
        hosts = hosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).toList();
        for (String h : hosts) {
            if (h.isEmpty() || h.contains("/") || h.contains("=") || h.contains(";") || h.contains(",")) {
                throw new IllegalArgumentException("bad host '" + h + "' (a host name, host:port, * or @exchange)");
            }
        }
        limits = List.copyOf(limits);
    }

    public HostRule(String host, Limit... limits) {
        this(List.of(host), List.of(limits));
    }

    /** Counted per rule: requests or request weight. */
    public enum Kind {
        /** At most {@code amount} requests in any {@code windowMillis} (a sliding window: safe for fixed and rolling server windows). */
        REQUESTS,
        /**
         * At most {@code amount} weight per fixed window aligned to the epoch ({@code [k x window, (k+1) x window)}),
         * as Binance counts {@code REQUEST_WEIGHT} per clock minute; a fixed window is what a server's
         * used-weight header reports on.
         */
        WEIGHT
    }

    /** Where one window is kept: one for the whole host, or one per endpoint path ({@code /api/v5/market/ticker}). */
    public enum Scope {
        HOST, ENDPOINT
    }

    /**
     * One window.
     *
     * @param usedHeader for {@link Kind#WEIGHT} with {@link Scope#HOST} only: the response header that carries the
     *                   server's used weight in the current window ({@code X-MBX-USED-WEIGHT-1M}), or null
     */
    public record Limit(Kind kind, long amount, long windowMillis, Scope scope, String usedHeader) {

        public Limit {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(scope, "scope");
            if (amount <= 0) {
                throw new IllegalArgumentException("amount must be > 0: " + amount);
            }
            if (kind == Kind.REQUESTS && amount > 100_000) {
                throw new IllegalArgumentException("at most 100000 requests per window (a sliding window keeps one"
                        + " timestamp per request): " + amount);
            }
            if (windowMillis <= 0) {
                throw new IllegalArgumentException("window must be > 0 ms: " + windowMillis);
            }
            if (usedHeader != null) {
                usedHeader = usedHeader.trim();
                if (usedHeader.isEmpty()) {
                    usedHeader = null;
                } else if (kind != Kind.WEIGHT || scope != Scope.HOST) {
                    throw new IllegalArgumentException("a used-weight header only goes with a per-host weight window");
                }
            }
        }

        public static Limit requests(long amount, long windowMillis, Scope scope) {
            return new Limit(Kind.REQUESTS, amount, windowMillis, scope, null);
        }

        public static Limit weight(long amount, long windowMillis, String usedHeader) {
            return new Limit(Kind.WEIGHT, amount, windowMillis, Scope.HOST, usedHeader);
        }

        /** {@code requests:20/2s/endpoint}, {@code weight:6000/1m,header:X-MBX-USED-WEIGHT-1M}. */
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(kind == Kind.REQUESTS ? "requests:" : "weight:")
                    .append(amount).append('/').append(duration(windowMillis));
            if (scope == Scope.ENDPOINT) {
                sb.append("/endpoint");
            }
            if (usedHeader != null) {
                sb.append(",header:").append(usedHeader);
            }
            return sb.toString();
        }
    }

    /** {@code host1,host2=limit,limit}; {@code none} for no limits. */
    @Override
    public String toString() {
        return String.join(",", hosts) + "="
                + (limits.isEmpty() ? "none" : limits.stream().map(Limit::toString).collect(Collectors.joining(",")));
    }

    static String duration(long ms) {
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }
}
