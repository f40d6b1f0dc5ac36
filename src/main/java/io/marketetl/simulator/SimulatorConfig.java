package io.marketetl.simulator;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Static settings of an {@link ExchangeSimulator}. Defaults follow the real exchanges
 * (see /work/shared/exchange-protocols.md); tests shrink the timeouts to seconds or less.
 * Anything that must change while the simulator runs lives in {@link SimulatorFaults} instead.
 *
 * @param host                        bind address (default 127.0.0.1; URLs always name 127.0.0.1 unless bound elsewhere)
 * @param port                        listen port, 0 = ephemeral
 * @param seed                        drives prices, sizes, trade ids, connIds and malformed-frame choices
 * @param ratePerConnection           initial offered data frames/s per connection, 0 = as fast as backpressure allows
 * @param instruments                 known instruments in OKX form ({@code BTC-USDT}); Binance symbol = without the dash
 * @param okxIdleTimeout              OKX closes with 4004 after this long without any client frame
 * @param okxIdleCountsPushedData     false (default, strict): only client frames keep an OKX connection alive;
 *                                    true: data the server pushed counts too, as OKX documents ("no subscription or
 *                                    pushed data for 30 s"), so a client that pings only after silence survives
 * @param okxNoticeLead               delay between a 64008 notice and the close
 * @param okxMaxSubscribeRequestsPerHour (un)subscribe requests per connection per rolling hour before 60014
 * @param binancePingInterval         server ping frame interval
 * @param binancePongTimeout          close when a ping stays unanswered this long
 * @param binanceLifetime             hard connection lifetime (24 h on the real exchange)
 * @param binanceMaxIncomingPerSecond incoming messages (text, ping, pong) allowed in any rolling second
 * @param binanceMaxStreams           streams per connection
 * @param binanceShutdownLead         delay between a serverShutdown event and the close
 * @param restRetryAfterSeconds       value of the Retry-After header in REST 429 mode
 * @param tick                        pacing granularity of the data pump
 * @param binanceWeightLimit          initial Binance request weight allowed per client IP and weight window (6000);
 *                                    changeable at runtime ({@link SimulatorFaults#setBinanceWeightLimit})
 * @param binanceWeightWindow         initial length of the Binance weight window, whole seconds (1 minute); fixed
 *                                    windows aligned to multiples of this length since the epoch, so a 1-minute
 *                                    window starts at the full minute as Binance's does
 * @param binanceBanAfterRequests     initial number of requests a client may send while the Retry-After of a 429 runs;
 *                                    the Nth gets HTTP 418 and an IP ban (1 = any request before Retry-After is up)
 * @param binanceBanSeconds           initial length of that ban (the real exchange bans for 2 minutes to 3 days)
 * @param okxRestLimit                initial OKX REST requests allowed per endpoint path per client IP and window (20)
 * @param okxRestWindow               initial length of the OKX rolling window (2 s)
 * @param credentials                 what the private and signed REST endpoints accept
 * @param requestLogCapacity          REST requests kept for {@code GET /sim/requests} (the oldest are dropped)
 * @param tradeHistoryRetention       initial number of trades per exchange and instrument the REST trade history
 *                                    ({@code historicalTrades}, {@code history-trades}) keeps (10,000); changeable at
 *                                    runtime ({@link SimulatorFaults#setTradeHistoryRetention})
 * @param slowConsumerCutAfter        initial time a WebSocket's write queue may stay full (its client not reading)
 *                                    before the connection is cut, as exchanges drop slow consumers (30 s); zero =
 *                                    never; changeable at runtime ({@link SimulatorFaults#setSlowConsumerCutAfter})
 * @param unreadTradesPerSecond       initial trades per second a trade stream's market makes while nobody reads it
 *                                    (0 = the tape waits for the next reader, so a reconnect sees no gap); those
 *                                    trades are in the REST history only ({@link SimulatorFaults#setUnreadTradesPerSecond})
 */
public record SimulatorConfig(
        String host,
        int port,
        long seed,
        double ratePerConnection,
        List<String> instruments,
        Duration okxIdleTimeout,
        boolean okxIdleCountsPushedData,
        Duration okxNoticeLead,
        int okxMaxSubscribeRequestsPerHour,
        Duration binancePingInterval,
        Duration binancePongTimeout,
        Duration binanceLifetime,
        int binanceMaxIncomingPerSecond,
        int binanceMaxStreams,
        Duration binanceShutdownLead,
        int restRetryAfterSeconds,
        Duration tick,
        int binanceWeightLimit,
        Duration binanceWeightWindow,
        int binanceBanAfterRequests,
        int binanceBanSeconds,
        int okxRestLimit,
        Duration okxRestWindow,
        Credentials credentials,
        int requestLogCapacity,
        int tradeHistoryRetention,
        Duration slowConsumerCutAfter,
        double unreadTradesPerSecond) {

    public static final List<String> DEFAULT_INSTRUMENTS = List.of("BTC-USDT", "ETH-USDT", "SOL-USDT");

    /**
     * Credentials of the private REST endpoints ({@code /private/...}, Binance {@code /api/v3/account} and
     * {@code /openOrders}, OKX {@code /api/v5/account/balance} and {@code /trade/order-echo}).
     *
     * @param apiKeyHeader   header name of {@code GET /private/apikey-header} (default {@code X-API-KEY})
     * @param apiKey         key expected in that header and in the {@code api_key} query parameter
     * @param bearerToken    token of {@code Authorization: Bearer ...}
     * @param basicUser      user of HTTP basic authentication
     * @param basicPassword  password of HTTP basic authentication
     * @param binanceApiKey  value of {@code X-MBX-APIKEY}
     * @param binanceSecret  HMAC-SHA256 secret of Binance signatures
     * @param okxApiKey      value of {@code OK-ACCESS-KEY}
     * @param okxSecret      HMAC-SHA256 secret of OKX signatures
     * @param okxPassphrase  value of {@code OK-ACCESS-PASSPHRASE}
     */
    public record Credentials(String apiKeyHeader, String apiKey, String bearerToken, String basicUser,
                              String basicPassword, String binanceApiKey, String binanceSecret, String okxApiKey,
                              String okxSecret, String okxPassphrase) {

        public Credentials {
            for (String v : new String[] {apiKeyHeader, apiKey, bearerToken, basicUser, basicPassword, binanceApiKey,
                    binanceSecret, okxApiKey, okxSecret, okxPassphrase}) {
                if (v == null || v.isEmpty()) {
                    throw new IllegalArgumentException("credentials must not be empty");
                }
            }
            if (!apiKeyHeader.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+")) {
                throw new IllegalArgumentException("apiKeyHeader is not a header name: " + apiKeyHeader);
            }
            if (basicUser.contains(":")) {
                throw new IllegalArgumentException("basicUser must not contain ':'");
            }
        }

        public static Credentials defaults() {
            return new Credentials("X-API-KEY", "sim-api-key", "sim-bearer-token", "sim-user", "sim-password",
                    "sim-binance-key", "sim-binance-secret", "sim-okx-key", "sim-okx-secret", "sim-okx-passphrase");
        }
    }

    public SimulatorConfig {
        Objects.requireNonNull(host, "host");
        instruments = List.copyOf(instruments);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        if (ratePerConnection < 0 || Double.isNaN(ratePerConnection)) {
            throw new IllegalArgumentException("rate must be >= 0: " + ratePerConnection);
        }
        if (instruments.isEmpty()) {
            throw new IllegalArgumentException("at least one instrument is needed");
        }
        for (String i : instruments) {
            if (!i.matches("[A-Z0-9]+-[A-Z0-9]+")) {
                throw new IllegalArgumentException("instrument must look like BTC-USDT: " + i);
            }
        }
        requirePositive(okxIdleTimeout, "okxIdleTimeout");
        requireNonNegative(okxNoticeLead, "okxNoticeLead");
        requirePositive(binancePingInterval, "binancePingInterval");
        requirePositive(binancePongTimeout, "binancePongTimeout");
        requirePositive(binanceLifetime, "binanceLifetime");
        requireNonNegative(binanceShutdownLead, "binanceShutdownLead");
        requirePositive(tick, "tick");
        if (okxMaxSubscribeRequestsPerHour < 1 || binanceMaxIncomingPerSecond < 1 || binanceMaxStreams < 1) {
            throw new IllegalArgumentException("limits must be >= 1");
        }
        if (restRetryAfterSeconds < 0) {
            throw new IllegalArgumentException("restRetryAfterSeconds must be >= 0");
        }
        requireBinanceWindow(binanceWeightWindow);
        requirePositive(okxRestWindow, "okxRestWindow");
        if (binanceWeightLimit < 1 || binanceBanAfterRequests < 1 || binanceBanSeconds < 1 || okxRestLimit < 1
                || requestLogCapacity < 1) {
            throw new IllegalArgumentException("REST limits, ban seconds and the request log capacity must be >= 1");
        }
        Objects.requireNonNull(credentials, "credentials");
        if (tradeHistoryRetention < 1) {
            throw new IllegalArgumentException("tradeHistoryRetention must be >= 1");
        }
        requireNonNegative(slowConsumerCutAfter, "slowConsumerCutAfter");
        if (!(unreadTradesPerSecond >= 0) || Double.isInfinite(unreadTradesPerSecond)) {
            throw new IllegalArgumentException("unreadTradesPerSecond must be >= 0");
        }
    }

    /** The Binance weight window must be whole seconds: Retry-After and the limit's interval are in seconds. */
    static void requireBinanceWindow(Duration d) {
        requirePositive(d, "binanceWeightWindow");
        if (d.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("binanceWeightWindow must be whole seconds: " + d);
        }
    }

    public static SimulatorConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0");
        }
    }

    static void requireNonNegative(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0");
        }
    }

    /** Mutable builder; every setter returns {@code this}. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 0;
        private long seed = 42L;
        private double ratePerConnection = 100;
        private List<String> instruments = DEFAULT_INSTRUMENTS;
        private Duration okxIdleTimeout = Duration.ofSeconds(30);
        private boolean okxIdleCountsPushedData = false;
        private Duration okxNoticeLead = Duration.ofSeconds(60);
        private int okxMaxSubscribeRequestsPerHour = 480;
        private Duration binancePingInterval = Duration.ofSeconds(20);
        private Duration binancePongTimeout = Duration.ofSeconds(60);
        private Duration binanceLifetime = Duration.ofHours(24);
        private int binanceMaxIncomingPerSecond = 5;
        private int binanceMaxStreams = 1024;
        private Duration binanceShutdownLead = Duration.ofSeconds(10);
        private int restRetryAfterSeconds = 2;
        private Duration tick = Duration.ofMillis(5);
        private int binanceWeightLimit = 6000;
        private Duration binanceWeightWindow = Duration.ofMinutes(1);
        private int binanceBanAfterRequests = 3;
        private int binanceBanSeconds = 10;
        private int okxRestLimit = 20;
        private Duration okxRestWindow = Duration.ofSeconds(2);
        private Credentials credentials = Credentials.defaults();
        private int requestLogCapacity = 10_000;
        private int tradeHistoryRetention = 10_000;
        private Duration slowConsumerCutAfter = Duration.ofSeconds(30);
        private double unreadTradesPerSecond = 0;

        private Builder() {
        }

        private Builder(SimulatorConfig c) {
            host = c.host;
            port = c.port;
            seed = c.seed;
            ratePerConnection = c.ratePerConnection;
            instruments = c.instruments;
            okxIdleTimeout = c.okxIdleTimeout;
            okxIdleCountsPushedData = c.okxIdleCountsPushedData;
            okxNoticeLead = c.okxNoticeLead;
            okxMaxSubscribeRequestsPerHour = c.okxMaxSubscribeRequestsPerHour;
            binancePingInterval = c.binancePingInterval;
            binancePongTimeout = c.binancePongTimeout;
            binanceLifetime = c.binanceLifetime;
            binanceMaxIncomingPerSecond = c.binanceMaxIncomingPerSecond;
            binanceMaxStreams = c.binanceMaxStreams;
            binanceShutdownLead = c.binanceShutdownLead;
            restRetryAfterSeconds = c.restRetryAfterSeconds;
            tick = c.tick;
            binanceWeightLimit = c.binanceWeightLimit;
            binanceWeightWindow = c.binanceWeightWindow;
            binanceBanAfterRequests = c.binanceBanAfterRequests;
            binanceBanSeconds = c.binanceBanSeconds;
            okxRestLimit = c.okxRestLimit;
            okxRestWindow = c.okxRestWindow;
            credentials = c.credentials;
            requestLogCapacity = c.requestLogCapacity;
            tradeHistoryRetention = c.tradeHistoryRetention;
            slowConsumerCutAfter = c.slowConsumerCutAfter;
            unreadTradesPerSecond = c.unreadTradesPerSecond;
        }

        public Builder host(String v) { host = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        /** Offered data frames per second per connection; 0 = as fast as possible (backpressure-bound). */
        public Builder ratePerConnection(double v) { ratePerConnection = v; return this; }
        public Builder instruments(List<String> v) { instruments = v; return this; }
        public Builder instruments(String... v) { instruments = List.of(v); return this; }
        public Builder okxIdleTimeout(Duration v) { okxIdleTimeout = v; return this; }
        public Builder okxIdleCountsPushedData(boolean v) { okxIdleCountsPushedData = v; return this; }
        public Builder okxNoticeLead(Duration v) { okxNoticeLead = v; return this; }
        public Builder okxMaxSubscribeRequestsPerHour(int v) { okxMaxSubscribeRequestsPerHour = v; return this; }
        public Builder binancePingInterval(Duration v) { binancePingInterval = v; return this; }
        public Builder binancePongTimeout(Duration v) { binancePongTimeout = v; return this; }
        public Builder binanceLifetime(Duration v) { binanceLifetime = v; return this; }
        public Builder binanceMaxIncomingPerSecond(int v) { binanceMaxIncomingPerSecond = v; return this; }
        public Builder binanceMaxStreams(int v) { binanceMaxStreams = v; return this; }
        public Builder binanceShutdownLead(Duration v) { binanceShutdownLead = v; return this; }
        public Builder restRetryAfterSeconds(int v) { restRetryAfterSeconds = v; return this; }
        public Builder tick(Duration v) { tick = v; return this; }
        public Builder binanceWeightLimit(int v) { binanceWeightLimit = v; return this; }
        public Builder binanceWeightWindow(Duration v) { binanceWeightWindow = v; return this; }
        public Builder binanceBanAfterRequests(int v) { binanceBanAfterRequests = v; return this; }
        public Builder binanceBanSeconds(int v) { binanceBanSeconds = v; return this; }
        public Builder okxRestLimit(int v) { okxRestLimit = v; return this; }
        public Builder okxRestWindow(Duration v) { okxRestWindow = v; return this; }
        public Builder credentials(Credentials v) { credentials = v; return this; }
        public Builder requestLogCapacity(int v) { requestLogCapacity = v; return this; }
        public Builder tradeHistoryRetention(int v) { tradeHistoryRetention = v; return this; }
        public Builder slowConsumerCutAfter(Duration v) { slowConsumerCutAfter = v; return this; }
        public Builder unreadTradesPerSecond(double v) { unreadTradesPerSecond = v; return this; }

        /** Header name and key of {@code /private/apikey-header}; the key also serves {@code /private/apikey-query}. */
        public Builder apiKey(String header, String key) {
            Credentials c = credentials;
            credentials = new Credentials(header, key, c.bearerToken(), c.basicUser(), c.basicPassword(),
                    c.binanceApiKey(), c.binanceSecret(), c.okxApiKey(), c.okxSecret(), c.okxPassphrase());
            return this;
        }

        public Builder bearerToken(String token) {
            Credentials c = credentials;
            credentials = new Credentials(c.apiKeyHeader(), c.apiKey(), token, c.basicUser(), c.basicPassword(),
                    c.binanceApiKey(), c.binanceSecret(), c.okxApiKey(), c.okxSecret(), c.okxPassphrase());
            return this;
        }

        public Builder basicAuth(String user, String password) {
            Credentials c = credentials;
            credentials = new Credentials(c.apiKeyHeader(), c.apiKey(), c.bearerToken(), user, password,
                    c.binanceApiKey(), c.binanceSecret(), c.okxApiKey(), c.okxSecret(), c.okxPassphrase());
            return this;
        }

        public Builder binanceKeys(String apiKey, String secret) {
            Credentials c = credentials;
            credentials = new Credentials(c.apiKeyHeader(), c.apiKey(), c.bearerToken(), c.basicUser(),
                    c.basicPassword(), apiKey, secret, c.okxApiKey(), c.okxSecret(), c.okxPassphrase());
            return this;
        }

        public Builder okxKeys(String apiKey, String secret, String passphrase) {
            Credentials c = credentials;
            credentials = new Credentials(c.apiKeyHeader(), c.apiKey(), c.bearerToken(), c.basicUser(),
                    c.basicPassword(), c.binanceApiKey(), c.binanceSecret(), apiKey, secret, passphrase);
            return this;
        }

        public SimulatorConfig build() {
            return new SimulatorConfig(host, port, seed, ratePerConnection, instruments, okxIdleTimeout,
                    okxIdleCountsPushedData, okxNoticeLead, okxMaxSubscribeRequestsPerHour, binancePingInterval, binancePongTimeout,
                    binanceLifetime, binanceMaxIncomingPerSecond, binanceMaxStreams, binanceShutdownLead,
                    restRetryAfterSeconds, tick, binanceWeightLimit, binanceWeightWindow, binanceBanAfterRequests,
                    binanceBanSeconds, okxRestLimit, okxRestWindow, credentials, requestLogCapacity,
                    tradeHistoryRetention, slowConsumerCutAfter, unreadTradesPerSecond);
        }
    }
}
