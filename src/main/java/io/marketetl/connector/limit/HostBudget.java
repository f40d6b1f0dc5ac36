package io.marketetl.connector.limit;

import io.marketetl.connector.limit.HostRule.Kind;
import io.marketetl.connector.limit.HostRule.Limit;
import io.marketetl.connector.limit.HostRule.Scope;
import io.marketetl.source.RedactedUrl;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * The request budget of one host (or of one group of hosts sharing a per-IP limit, see {@link HostRule}), shared by
 * every connector and every call to it. Never blocks: {@link #tryAcquire} answers at once with a {@link Permit} that
 * is either granted (and already counted, so two threads cannot both take the last slot) or says until when to wait
 * and why.
 * <p>
 * It combines:
 * <ul>
 * <li><b>blocked-until</b> from the server: a 429 with {@code Retry-After} refuses every request until that instant
 * (capped by {@link Settings#maxRetryAfterMillis()}); a 429 without it blocks for
 * {@link Settings#rateLimitedMillis()}, doubled on each further 429 up to {@link Settings#maxRateLimitedMillis()} (a
 * 429 that arrives while the host is still blocked, from a request that was already in flight, does not double);
 * a 418 (Binance's IP ban) is recorded as a ban with its end ({@code Retry-After}, capped by
 * {@link Settings#maxBanMillis()}, else {@link Settings#banMillis()} doubling); a 503 with {@code Retry-After} is
 * honoured as well. A success resets the doubling.</li>
 * <li><b>request windows</b> ({@link Kind#REQUESTS}): at most N requests in any window of the given length, per host
 * or per endpoint path;</li>
 * <li><b>weight windows</b> ({@link Kind#WEIGHT}): at most W weight per fixed, epoch-aligned window. When the rule
 * names a used-weight header, each response's value is taken as the truth for the current window <em>when it is
 * higher than our count</em> (other processes may share the IP). Our count is never lowered within a window: answers
 * arrive out of order and our count includes requests still in flight that the server's figure may not show yet. The
 * server's figure is as old as the answer: requests granted meanwhile (still in flight) are not in it, so when the
 * answer is reported with its {@link Permit} ({@link #onResponse(Permit, Classification, Function, long)}) the weight
 * of the other requests still in flight is added to it; otherwise taking the server's figure would drop them from
 * our count, and the budget would grant their weight a second time. It drops to zero at the window boundary, as the
 * server's does.</li>
 * <li>a <b>share</b>: a caller asking with {@code share < 1} is refused once that fraction of a window's capacity is
 * used (by anyone), so full-share callers keep the rest. A request heavier than the caller's share
 * ({@code weight > floor(share x W)}) is only granted into an otherwise empty window, so it is not starved.</li>
 * </ul>
 * Times are epoch milliseconds passed in by the caller. Thread-safe: one lock per budget, held for a few array and map
 * operations (hundreds of calls per second are nothing).
 */
public final class HostBudget {

    /**
     * How long the server's signals block the host.
     *
     * @param rateLimitedMillis    a 429 without {@code Retry-After}: first block (default 1 s)
     * @param maxRateLimitedMillis ... doubling on consecutive 429s up to this (default 60 s)
     * @param maxRetryAfterMillis  cap on a 429's or 503's {@code Retry-After} (default 10 min)
     * @param banMillis            a 418 without {@code Retry-After}: first block (default 2 min, Binance's shortest ban)
     * @param maxBanMillis         cap on a 418's {@code Retry-After}, and on the doubling (default 3 days, Binance's
     *                             longest ban: sending during a ban lengthens it)
     */
    public record Settings(long rateLimitedMillis, long maxRateLimitedMillis, long maxRetryAfterMillis,
                           long banMillis, long maxBanMillis) {

        public static final Settings DEFAULTS = new Settings(1_000, 60_000, 10 * 60_000L, 120_000, 3 * 86_400_000L);

        public Settings {
            if (rateLimitedMillis <= 0 || maxRateLimitedMillis < rateLimitedMillis || maxRetryAfterMillis < 0
                    || banMillis <= 0 || maxBanMillis < banMillis) {
                throw new IllegalArgumentException("need 0 < rateLimited <= maxRateLimited, 0 <= maxRetryAfter,"
                        + " 0 < ban <= maxBan: " + this);
            }
        }
    }

    /** Why a request is refused, or why the host is blocked. {@link #label()} is the text for status and metrics. */
    public enum Reason {
        /** a request window is full */
        RATE("rate"),
        /** a weight window is full */
        WEIGHT("weight"),
        /** blocked after a 429 (with or without {@code Retry-After}) or a 503 with {@code Retry-After} */
        RETRY_AFTER("retry-after"),
        /** blocked after a 418 (IP ban) */
        BANNED("banned");

        private final String label;

        Reason(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * The answer of {@link #tryAcquire}.
     *
     * @param granted         true: send now, the request is counted
     * @param waitUntilMillis refused: the earliest instant worth trying again; granted: the time of the call
     * @param reason          refused: why; granted: null
     * @param limit           refused by a window: that window in rule form ({@code requests:20/2s/endpoint}),
     *                        followed by the path for an endpoint window; else null
     * @param weight          granted: the request's weight (in flight until its answer is reported); refused: 0
     */
    public record Permit(boolean granted, long waitUntilMillis, Reason reason, String limit, int weight) {

        static Permit granted(long nowMillis, int weight) {
            return new Permit(true, nowMillis, null, null, weight);
        }

        static Permit refused(long waitUntilMillis, Reason reason, String limit) {
            return new Permit(false, waitUntilMillis, reason, limit, 0);
        }

        /** Milliseconds from {@code nowMillis} to {@link #waitUntilMillis()}, at least 0. */
        public long waitMillis(long nowMillis) {
            return Math.max(0, waitUntilMillis - nowMillis);
        }
    }

    /**
     * The use of one window at snapshot time.
     *
     * @param path for an endpoint window, the busiest path (null when none was used); null for a host window
     * @param used requests in the window, or weight used in the current window
     */
    public record Usage(Limit limit, String path, long used) {
    }

    /**
     * A budget's state for metrics and {@code connector_status}.
     *
     * @param blockedUntilMillis instant before which everything is refused (at most {@code atMillis} when not blocked)
     * @param blockReason        {@link Reason#RETRY_AFTER} or {@link Reason#BANNED} while blocked, else null
     * @param bannedUntilMillis  end of the latest ban (418), 0 when never banned; may be in the past
     * @param nextAllowedMillis  earliest instant a weight-1, full-share request can be granted, ignoring endpoint
     *                           windows (they depend on the path)
     */
    public record Snapshot(String name, long atMillis, List<Usage> usage, long blockedUntilMillis, Reason blockReason,
                           long rateLimitedCount, long bannedCount, long bannedUntilMillis, long nextAllowedMillis,
                           long grantedCount, long refusedCount) {

        /** Requests in the fullest request window (0 without one). */
        public long requestsInWindow() {
            return usage.stream().filter(u -> u.limit().kind() == Kind.REQUESTS).mapToLong(Usage::used).max().orElse(0);
        }

        /** Weight used in the first weight window (0 without one). */
        public long weightUsed() {
            return usage.stream().filter(u -> u.limit().kind() == Kind.WEIGHT).mapToLong(Usage::used).findFirst()
                    .orElse(0);
        }

        /** Capacity of the first weight window (0 without one). */
        public long weightLimit() {
            return usage.stream().filter(u -> u.limit().kind() == Kind.WEIGHT).mapToLong(u -> u.limit().amount())
                    .findFirst().orElse(0);
        }

        public boolean blocked() {
            return blockedUntilMillis > atMillis;
        }

        public boolean banned() {
            return bannedUntilMillis > atMillis;
        }
    }

    private final String name;
    private final List<Limit> limits;
    private final Settings settings;
    private final Meter[] meters;

    // all below guarded by this
    private long blockedUntil = Long.MIN_VALUE;
    private Reason blockReason;
    private long bannedUntil;
    private int rateLimitedLevel;
    private int banLevel;
    private long rateLimitedCount;
    private long bannedCount;
    private long grantedCount;
    private long refusedCount;
    /** weight of granted requests whose answer (or failure) has not been reported through their permit */
    private long inFlightWeight;

    public HostBudget(String name, List<Limit> limits) {
        this(name, limits, Settings.DEFAULTS);
    }

    public HostBudget(String name, List<Limit> limits, Settings settings) {
        this.name = Objects.requireNonNull(name, "name");
        this.limits = List.copyOf(limits);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.meters = new Meter[this.limits.size()];
        for (int i = 0; i < meters.length; i++) {
            meters[i] = new Meter(this.limits.get(i));
        }
    }

    /**
     * The host key of a URL: lower-case scheme, host and port, the port made explicit ({@code http} and {@code ws}:
     * 80, {@code https} and {@code wss}: 443). {@code https://API.Binance.com/api/v3/ticker/price?symbol=X} gives
     * {@code https://api.binance.com:443}.
     *
     * @throws IllegalArgumentException when the URL is not absolute, has no host, or has no port and an unknown
     *                                  scheme (the message shows the URL with credentials redacted)
     */
    public static String key(String url) {
        URI u;
        try {
            u = new URI(Objects.requireNonNull(url, "url").trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: " + RedactedUrl.of(url));
        }
        String scheme = u.getScheme() == null ? null : u.getScheme().toLowerCase(Locale.ROOT);
        String host = u.getHost();
        if (scheme == null || host == null || host.isEmpty()) {
            throw new IllegalArgumentException("not an absolute URL with a host: " + RedactedUrl.of(url));
        }
        int port = u.getPort();
        if (port < 0) {
            port = switch (scheme) {
                case "http", "ws" -> 80;
                case "https", "wss" -> 443;
                default -> throw new IllegalArgumentException("no port and no default port for scheme " + scheme
                        + ": " + RedactedUrl.of(url));
            };
        }
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + ":" + port;
    }

    public String name() {
        return name;
    }

    public List<Limit> limits() {
        return limits;
    }

    public Settings settings() {
        return settings;
    }

    /** {@link #tryAcquire(String, int, long, double)} with the full share. */
    public Permit tryAcquire(String path, int weight, long nowMillis) {
        return tryAcquire(path, weight, nowMillis, 1.0);
    }

    /**
     * Asks for one request. Never blocks.
     *
     * @param path   the endpoint path ({@code /api/v5/market/ticker}; a query string is ignored); keys endpoint windows
     * @param weight the request's weight ({@code >= 0}) for weight windows; request windows count 1 per request
     * @param share  the fraction of each window's capacity this caller may use, in (0, 1]
     * @return granted and counted, or refused with the earliest instant to try again
     */
    public Permit tryAcquire(String path, int weight, long nowMillis, double share) {
        if (!(share > 0 && share <= 1)) {
            throw new IllegalArgumentException("share must be in (0, 1]: " + share);
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight must be >= 0: " + weight);
        }
        String endpoint = endpoint(path);
        synchronized (this) {
            if (blockedUntil > nowMillis) {
                refusedCount++;
                return Permit.refused(blockedUntil, blockReason, null);
            }
            long waitUntil = Long.MIN_VALUE;
            int refusing = -1;
            for (int i = 0; i < meters.length; i++) {
                long t = meters[i].allowedAt(endpoint, weight, share, nowMillis);
                if (t > nowMillis && t > waitUntil) {
                    waitUntil = t;
                    refusing = i;
                }
            }
            if (refusing >= 0) {
                refusedCount++;
                Limit l = limits.get(refusing);
                String what = l.scope() == Scope.ENDPOINT ? l + " " + endpoint : l.toString();
                return Permit.refused(waitUntil, l.kind() == Kind.REQUESTS ? Reason.RATE : Reason.WEIGHT, what);
            }
            for (Meter m : meters) {
                m.record(endpoint, weight, nowMillis);
            }
            grantedCount++;
            inFlightWeight += weight;
            return Permit.granted(nowMillis, weight);
        }
    }

    /**
     * Reports an HTTP answer judged by its status alone ({@link ResponseOutcome#ofStatus(int)}): 429 and 418 block,
     * a 503's {@code Retry-After} blocks, 2xx resets the doubling; any status feeds the used-weight headers.
     *
     * @param header the response's header by case-insensitive name, null when absent
     */
    public void onResponse(int status, Function<String, String> header, long nowMillis) {
        onResponse(status, ResponseOutcome.ofStatus(status), header, nowMillis, false);
    }

    /**
     * Reports a classified answer, so that a body-level rate limit (OKX 50011 with HTTP 200) blocks like a 429. Without
     * the answered request's permit the server's used weight is taken as it is (see
     * {@link #onResponse(Permit, Classification, Function, long)}).
     */
    public void onResponse(Classification answer, Function<String, String> header, long nowMillis) {
        onResponse(answer.status(), answer.outcome(), header, nowMillis, false);
    }

    /**
     * Reports the answer to (or the failure of, with no headers) the request {@code permit} granted: its weight is no
     * longer in flight, and the weight of the requests still in flight is added to the server's used weight, which
     * cannot show them yet. Report each granted permit once.
     */
    public void onResponse(Permit permit, Classification answer, Function<String, String> header, long nowMillis) {
        synchronized (this) {
            if (permit.granted()) {
                inFlightWeight = Math.max(0, inFlightWeight - permit.weight());
            }
            onResponse(answer.status(), answer.outcome(), header, nowMillis, true);
        }
    }

    private void onResponse(int status, ResponseOutcome outcome, Function<String, String> header, long nowMillis,
            boolean addInFlight) {
        Function<String, String> h = header == null ? n -> null : header;
        synchronized (this) {
            for (Meter m : meters) {
                if (m.limit.usedHeader() != null) {
                    m.serverUsed(h.apply(m.limit.usedHeader()), addInFlight ? inFlightWeight : 0, nowMillis);
                }
            }
            switch (outcome) {
                case RATE_LIMITED -> {
                    rateLimitedCount++;
                    if (blockedUntil <= nowMillis && rateLimitedLevel < 62) {
                        rateLimitedLevel++;
                    }
                    OptionalLong until = RetryAfter.parse(h.apply("Retry-After"), h.apply("Date"), nowMillis,
                            settings.maxRetryAfterMillis());
                    block(until.isPresent() ? until.getAsLong()
                            : nowMillis + doubled(settings.rateLimitedMillis(), settings.maxRateLimitedMillis(),
                            rateLimitedLevel), Reason.RETRY_AFTER);
                }
                case BANNED -> {
                    bannedCount++;
                    if (bannedUntil <= nowMillis && banLevel < 62) {
                        banLevel++;
                    }
                    OptionalLong until = RetryAfter.parse(h.apply("Retry-After"), h.apply("Date"), nowMillis,
                            settings.maxBanMillis());
                    long end = until.isPresent() ? until.getAsLong()
                            : nowMillis + doubled(settings.banMillis(), settings.maxBanMillis(), banLevel);
                    bannedUntil = Math.max(bannedUntil, end);
                    block(end, Reason.BANNED);
                }
                case OK -> {
                    rateLimitedLevel = 0;
                    banLevel = 0;
                }
                default -> {
                    if (status == 503) {
                        RetryAfter.parse(h.apply("Retry-After"), h.apply("Date"), nowMillis,
                                settings.maxRetryAfterMillis()).ifPresent(t -> block(t, Reason.RETRY_AFTER));
                    }
                }
            }
        }
    }

    /** A consistent view of the budget at {@code nowMillis}. */
    public synchronized Snapshot snapshot(long nowMillis) {
        List<Usage> usage = new ArrayList<>(meters.length);
        long next = Math.max(nowMillis, blockedUntil);
        for (Meter m : meters) {
            usage.add(m.usage(nowMillis));
            if (m.limit.scope() == Scope.HOST) {
                next = Math.max(next, m.allowedAt("", 1, 1.0, nowMillis));
            }
        }
        boolean blocked = blockedUntil > nowMillis;
        return new Snapshot(name, nowMillis, List.copyOf(usage), blocked ? blockedUntil : nowMillis,
                blocked ? blockReason : null, rateLimitedCount, bannedCount, bannedUntil, next, grantedCount,
                refusedCount);
    }

    /** Endpoint windows currently kept, over all limits (idle ones are swept as new paths arrive). */
    synchronized int trackedEndpoints() {
        int n = 0;
        for (Meter m : meters) {
            n += m.byEndpoint == null ? 0 : m.byEndpoint.size();
        }
        return n;
    }

    @Override
    public String toString() {
        return "HostBudget[" + name + " " + limits + "]";
    }

    private void block(long until, Reason reason) {
        if (until > blockedUntil) {
            blockedUntil = until;
            blockReason = reason;
        }
    }

    private static long doubled(long first, long max, int level) {
        int shift = Math.max(0, level - 1);
        if (shift >= 62 || first > (max >> shift)) {
            return max;
        }
        return Math.min(max, first << shift);
    }

    private static String endpoint(String path) {
        if (path == null) {
            return "";
        }
        int q = path.indexOf('?');
        int f = path.indexOf('#');
        int end = q < 0 ? f : f < 0 ? q : Math.min(q, f);
        return end < 0 ? path : path.substring(0, end);
    }

    /** One limit's windows: one for the host, or one per endpoint path. Guarded by the budget's lock. */
    private static final class Meter {
        private static final int SWEEP_FLOOR = 256;

        final Limit limit;
        private final Window host;
        private final Map<String, Window> byEndpoint;
        private int sweepAt = SWEEP_FLOOR;

        Meter(Limit limit) {
            this.limit = limit;
            if (limit.scope() == Scope.HOST) {
                host = newWindow();
                byEndpoint = null;
            } else {
                host = null;
                byEndpoint = new HashMap<>();
            }
        }

        private Window newWindow() {
            return limit.kind() == Kind.REQUESTS ? new RequestLog(limit) : new WeightWindow(limit);
        }

        long allowedAt(String endpoint, int weight, double share, long now) {
            Window w = host != null ? host : byEndpoint.get(endpoint);
            long capacity = Math.max((long) Math.floor(share * limit.amount()), limit.kind() == Kind.REQUESTS ? 1 : weight);
            return w == null ? now : w.allowedAt(limit.kind() == Kind.REQUESTS ? 1 : weight, capacity, now);
        }

        void record(String endpoint, int weight, long now) {
            Window w = host;
            if (w == null) {
                w = byEndpoint.get(endpoint);
                if (w == null) {
                    if (byEndpoint.size() >= sweepAt) {
                        byEndpoint.values().removeIf(x -> x.idle(now));
                        sweepAt = Math.max(SWEEP_FLOOR, 2 * byEndpoint.size());
                    }
                    w = newWindow();
                    byEndpoint.put(endpoint, w);
                }
            }
            w.record(weight, now);
        }

        /** The server's figure, plus {@code inFlight} weight it cannot show yet, when more than our count. */
        void serverUsed(String headerValue, long inFlight, long now) {
            if (headerValue == null || host == null) {
                return;
            }
            String v = headerValue.trim();
            if (v.isEmpty() || v.length() > 18) {
                return;
            }
            for (int i = 0; i < v.length(); i++) {
                if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                    return;
                }
            }
            ((WeightWindow) host).raise(Long.parseLong(v) + inFlight, now);
        }

        Usage usage(long now) {
            if (host != null) {
                return new Usage(limit, null, host.used(now));
            }
            String busiest = null;
            long most = 0;
            for (Iterator<Map.Entry<String, Window>> it = byEndpoint.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Window> e = it.next();
                long used = e.getValue().used(now);
                if (used > most) {
                    most = used;
                    busiest = e.getKey();
                }
            }
            return new Usage(limit, busiest, most);
        }
    }

    private interface Window {
        /** Earliest instant (>= now when refused, == now when allowed) a request of this cost fits {@code capacity}. */
        long allowedAt(int cost, long capacity, long now);

        void record(int cost, long now);

        long used(long now);

        boolean idle(long now);
    }

    /**
     * Sliding window: the times of the last {@code amount} granted requests, oldest first, in a ring. A request is
     * allowed when fewer than {@code capacity} of them are younger than the window.
     */
    private static final class RequestLog implements Window {
        private final long window;
        private final long[] times;
        private int head;
        private int size;

        RequestLog(Limit limit) {
            this.window = limit.windowMillis();
            this.times = new long[(int) limit.amount()];
        }

        private long at(int i) {
            return times[(head + i) % times.length];
        }

        /** Index of the oldest entry still in the window at {@code now} (entries at {@code t > now - window}). */
        private int firstInWindow(long now) {
            long cutoff = now - window;
            int lo = 0;
            int hi = size;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (at(mid) > cutoff) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return lo;
        }

        @Override
        public long allowedAt(int cost, long capacity, long now) {
            int first = firstInWindow(now);
            long inWindow = size - first;
            if (inWindow + 1 <= capacity) {
                return now;
            }
            // the (inWindow - capacity + 1)-th oldest entry in the window must leave it
            long k = inWindow - capacity + 1;
            return at((int) (first + k - 1)) + window;
        }

        @Override
        public void record(int cost, long now) {
            // keep the ring sorted when callers' clocks disagree by a little
            long t = size > 0 ? Math.max(now, at(size - 1)) : now;
            if (size < times.length) {
                times[(head + size) % times.length] = t;
                size++;
            } else {
                times[head] = t;
                head = (head + 1) % times.length;
            }
        }

        @Override
        public long used(long now) {
            return size - firstInWindow(now);
        }

        @Override
        public boolean idle(long now) {
            return size == 0 || at(size - 1) <= now - window;
        }
    }

    /** Fixed window aligned to the epoch: the weight used since its start. */
    private static final class WeightWindow implements Window {
        private final long window;
        private long start = Long.MIN_VALUE;
        private long used;

        WeightWindow(Limit limit) {
            this.window = limit.windowMillis();
        }

        /** Moves to the window of {@code now}; a slightly older {@code now} stays in the current one. */
        private void roll(long now) {
            long s = now - Math.floorMod(now, window);
            if (s > start) {
                start = s;
                used = 0;
            }
        }

        @Override
        public long allowedAt(int cost, long capacity, long now) {
            roll(now);
            return used + cost <= capacity ? now : start + window;
        }

        @Override
        public void record(int cost, long now) {
            roll(now);
            used += cost;
        }

        void raise(long serverUsed, long now) {
            roll(now);
            used = Math.max(used, serverUsed);
        }

        @Override
        public long used(long now) {
            long s = now - Math.floorMod(now, window);
            return s > start ? 0 : used;
        }

        @Override
        public boolean idle(long now) {
            return used(now) == 0;
        }
    }
}
