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
        Duration tick) {

    public static final List<String> DEFAULT_INSTRUMENTS = List.of("BTC-USDT", "ETH-USDT", "SOL-USDT");

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

    private static void requirePositive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0");
        }
    }

    private static void requireNonNegative(Duration d, String name) {
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

        public SimulatorConfig build() {
            return new SimulatorConfig(host, port, seed, ratePerConnection, instruments, okxIdleTimeout,
                    okxIdleCountsPushedData, okxNoticeLead, okxMaxSubscribeRequestsPerHour, binancePingInterval, binancePongTimeout,
                    binanceLifetime, binanceMaxIncomingPerSecond, binanceMaxStreams, binanceShutdownLead,
                    restRetryAfterSeconds, tick);
        }
    }
}
