package io.marketetl.simulator;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Faults that can be switched while the simulator runs. Every setter is thread-safe (volatile fields read by
 * the event loop on each pump tick) and takes effect within one tick; one-shot actions are handed to the
 * event loop.
 */
public final class SimulatorFaults {

    /** What the server must do when a fault needs more than a flag read (reprogram a timer, send events). */
    interface Actions {
        void disconnectEveryChanged();

        void sendOkxNotice(Duration lead);

        void sendBinanceServerShutdown(Duration lead);

        /** Forget every client's Binance weight, 429 state and ban and every OKX rate-limit window. */
        void resetRestLimits();
    }

    private final Actions actions;
    private final SimulatorConfig config;

    private volatile long disconnectEveryMs;
    private volatile boolean stall;
    private volatile double malformedRatio;
    private volatile int gapEveryTrades;
    private volatile int gapSize = 1;
    private volatile long refuseUntilMs;
    private volatile double rate;
    private volatile boolean rest429;
    private volatile int binanceWeightLimit;
    private volatile long binanceWeightWindowMs;
    private volatile int binanceBanAfterRequests;
    private volatile int binanceBanSeconds;
    private volatile int okxRestLimit;
    private volatile long okxRestWindowMs;
    private volatile String okxBodyError;
    private volatile long restDelayMs;
    private volatile double restFailRatio;
    private volatile int restFailStatus;
    private volatile double restTimeoutRatio;
    private volatile int tradeHistoryRetention;
    private volatile long slowConsumerCutAfterMs;
    private volatile double unreadTradesPerSecond;

    SimulatorFaults(SimulatorConfig config, Actions actions) {
        this.config = config;
        this.actions = actions;
        this.rate = config.ratePerConnection();
        restLimitsFromConfig();
    }

    private void restLimitsFromConfig() {
        binanceWeightLimit = config.binanceWeightLimit();
        binanceWeightWindowMs = config.binanceWeightWindow().toMillis();
        binanceBanAfterRequests = config.binanceBanAfterRequests();
        binanceBanSeconds = config.binanceBanSeconds();
        okxRestLimit = config.okxRestLimit();
        okxRestWindowMs = config.okxRestWindow().toMillis();
        tradeHistoryRetention = config.tradeHistoryRetention();
        slowConsumerCutAfterMs = config.slowConsumerCutAfter().toMillis();
        unreadTradesPerSecond = config.unreadTradesPerSecond();
    }

    /**
     * Trades per second the market makes on a trade stream nobody reads (between a client's disconnect and its
     * reconnect): they are in the REST history but were never streamed, as on a real exchange; 0 = the tape waits.
     */
    public SimulatorFaults setUnreadTradesPerSecond(double perSecond) {
        if (!(perSecond >= 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("unreadTradesPerSecond must be >= 0: " + perSecond);
        }
        unreadTradesPerSecond = perSecond;
        return this;
    }

    public double unreadTradesPerSecond() {
        return unreadTradesPerSecond;
    }

    /** Trades per exchange and instrument the REST trade history keeps; older ones are forgotten (at the next trade). */
    public SimulatorFaults setTradeHistoryRetention(int trades) {
        if (trades < 1) {
            throw new IllegalArgumentException("tradeHistoryRetention must be >= 1");
        }
        tradeHistoryRetention = trades;
        return this;
    }

    /** How long a WebSocket's write queue may stay full (the client not reading) before it is cut; zero = never. */
    public SimulatorFaults setSlowConsumerCutAfter(Duration after) {
        SimulatorConfig.requireNonNegative(after, "slowConsumerCutAfter");
        slowConsumerCutAfterMs = after.toMillis();
        return this;
    }

    public int tradeHistoryRetention() {
        return tradeHistoryRetention;
    }

    public Duration slowConsumerCutAfter() {
        return Duration.ofMillis(slowConsumerCutAfterMs);
    }

    /** Abruptly drops every open WebSocket (no close frame, clients see 1006) every {@code every}; null/zero = off. */
    public SimulatorFaults setDisconnectEvery(Duration every) {
        long ms = every == null ? 0 : every.toMillis();
        if (ms < 0) {
            throw new IllegalArgumentException("disconnectEvery must be >= 0");
        }
        disconnectEveryMs = ms;
        actions.disconnectEveryChanged();
        return this;
    }

    /** Zombie mode: sockets stay open, pings/pongs and subscribe requests are answered, no data is sent. */
    public SimulatorFaults setStall(boolean on) {
        stall = on;
        return this;
    }

    /** Share (0..1) of data frames replaced by frames that are not JSON or not the expected shape. */
    public SimulatorFaults setMalformedRatio(double ratio) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("malformed ratio must be within 0..1: " + ratio);
        }
        malformedRatio = ratio;
        return this;
    }

    /**
     * After every {@code everyTrades} trades of a stream, skip {@code skipIds} trade ids (0 = off). Each gap is
     * recorded in {@link SimulatorStats#gaps()} with the first and last missing id.
     */
    public SimulatorFaults setTradeIdGap(int everyTrades, int skipIds) {
        if (everyTrades < 0 || skipIds < 1) {
            throw new IllegalArgumentException("gap every must be >= 0 and gap size >= 1");
        }
        gapSize = skipIds;
        gapEveryTrades = everyTrades;
        return this;
    }

    /** Rejects WebSocket upgrades with HTTP 503 for the given time (zero/null = stop refusing now). */
    public SimulatorFaults refuseConnectionsFor(Duration d) {
        refuseUntilMs = d == null || d.isZero() || d.isNegative() ? 0 : System.currentTimeMillis() + d.toMillis();
        return this;
    }

    /** Offered data frames per second per connection; 0 = as fast as backpressure allows. */
    public SimulatorFaults setRate(double framesPerSecond) {
        if (!(framesPerSecond >= 0) || Double.isInfinite(framesPerSecond)) {
            throw new IllegalArgumentException("rate must be >= 0: " + framesPerSecond);
        }
        rate = framesPerSecond;
        return this;
    }

    /**
     * Every REST endpoint answers 429 with {@code Retry-After: restRetryAfterSeconds} while on (Binance -1003,
     * OKX 50011, {@code {"error":"Too Many Requests"}} on the private and generic endpoints), independent of the
     * real rate limits.
     */
    public SimulatorFaults setRest429(boolean on) {
        rest429 = on;
        return this;
    }

    /**
     * Binance request weight allowed per client IP and weight window; going over answers 429. Takes effect with
     * the next request (weight already used in the current window stays counted).
     */
    public SimulatorFaults setBinanceWeightLimit(int weight) {
        if (weight < 1) {
            throw new IllegalArgumentException("binanceWeightLimit must be >= 1: " + weight);
        }
        binanceWeightLimit = weight;
        return this;
    }

    /** Length of the fixed Binance weight window (whole seconds; windows are aligned to multiples of it). */
    public SimulatorFaults setBinanceWeightWindow(Duration window) {
        SimulatorConfig.requireBinanceWindow(window);
        binanceWeightWindowMs = window.toMillis();
        return this;
    }

    /**
     * Requests a client may send while the Retry-After of a 429 has not expired: the Nth of them is answered 418
     * and bans the IP for {@link #setBinanceBanSeconds}. 1 = the first request before Retry-After is up.
     */
    public SimulatorFaults setBinanceBanAfterRequests(int requests) {
        if (requests < 1) {
            throw new IllegalArgumentException("binanceBanAfterRequests must be >= 1: " + requests);
        }
        binanceBanAfterRequests = requests;
        return this;
    }

    /** Length of a 418 IP ban, also the Retry-After of the first 418. */
    public SimulatorFaults setBinanceBanSeconds(int seconds) {
        if (seconds < 1) {
            throw new IllegalArgumentException("binanceBanSeconds must be >= 1: " + seconds);
        }
        binanceBanSeconds = seconds;
        return this;
    }

    /** OKX REST requests allowed per endpoint path per client IP in any rolling {@link #setOkxRestWindow window}. */
    public SimulatorFaults setOkxRestLimit(int requests) {
        if (requests < 1) {
            throw new IllegalArgumentException("okxRestLimit must be >= 1: " + requests);
        }
        okxRestLimit = requests;
        return this;
    }

    public SimulatorFaults setOkxRestWindow(Duration window) {
        SimulatorConfig.requirePositive(window, "okxRestWindow");
        okxRestWindowMs = window.toMillis();
        return this;
    }

    /**
     * Every OKX REST request (past the rate limit) is answered HTTP 200 with this business error code in the body
     * instead of data, e.g. {@code "50011"} (body-level rate limit: "Rate limit reached. ...") or {@code "50001"}
     * ("Service temporarily unavailable. ..."). Five digits; null or empty = off.
     */
    public SimulatorFaults setOkxBodyError(String code) {
        if (code != null && !code.isEmpty() && !code.matches("[1-9][0-9]{4}")) {
            throw new IllegalArgumentException("okxBodyError must be a five-digit OKX code like 50011: " + code);
        }
        okxBodyError = code == null || code.isEmpty() ? null : code;
        return this;
    }

    /** Every REST answer (data, errors, 429s) is sent this much later (a Vert.x timer; null/zero = at once). */
    public SimulatorFaults setRestDelay(Duration delay) {
        long ms = delay == null ? 0 : delay.toMillis();
        if (ms < 0) {
            throw new IllegalArgumentException("restDelay must be >= 0");
        }
        restDelayMs = ms;
        return this;
    }

    /** Share (0..1) of REST requests answered with a server error and a body (see {@link #setRestFailStatus}). */
    public SimulatorFaults setRestFailRatio(double ratio) {
        restFailRatio = ratio("restFailRatio", ratio);
        return this;
    }

    /** Status of the injected failures: 500..599, or 0 (default) = 500, 502, 503 in turn. */
    public SimulatorFaults setRestFailStatus(int status) {
        if (status != 0 && (status < 500 || status > 599)) {
            throw new IllegalArgumentException("restFailStatus must be 0 or 500..599: " + status);
        }
        restFailStatus = status;
        return this;
    }

    /**
     * Share (0..1) of REST requests that are never answered: the connection stays open and silent until the client
     * gives up (its timeout) or the simulator closes.
     */
    public SimulatorFaults setRestTimeoutRatio(double ratio) {
        restTimeoutRatio = ratio("restTimeoutRatio", ratio);
        return this;
    }

    /** Forgets every client's Binance weight, pending Retry-After and 418 ban, and the OKX rate-limit windows. */
    public SimulatorFaults resetRestLimits() {
        actions.resetRestLimits();
        return this;
    }

    private static double ratio(String name, double r) {
        if (!(r >= 0 && r <= 1)) {
            throw new IllegalArgumentException(name + " must be within 0..1: " + r);
        }
        return r;
    }

    /** Sends the OKX 64008 upgrade notice to every OKX connection and closes them after the configured lead. */
    public void sendOkxNotice() {
        sendOkxNotice(config.okxNoticeLead());
    }

    public void sendOkxNotice(Duration lead) {
        actions.sendOkxNotice(lead);
    }

    /** Sends a Binance serverShutdown event to every Binance connection and closes them after the configured lead. */
    public void sendBinanceServerShutdown() {
        sendBinanceServerShutdown(config.binanceShutdownLead());
    }

    public void sendBinanceServerShutdown(Duration lead) {
        actions.sendBinanceServerShutdown(lead);
    }

    /**
     * Back to no faults, the configured rate and the configured REST limits; also forgets the REST rate-limit
     * state ({@link #resetRestLimits}).
     */
    public SimulatorFaults clear() {
        stall = false;
        malformedRatio = 0;
        gapEveryTrades = 0;
        gapSize = 1;
        refuseUntilMs = 0;
        rate = config.ratePerConnection();
        rest429 = false;
        restLimitsFromConfig();
        okxBodyError = null;
        restDelayMs = 0;
        restFailRatio = 0;
        restFailStatus = 0;
        restTimeoutRatio = 0;
        setDisconnectEvery(null);
        resetRestLimits();
        return this;
    }

    public Duration disconnectEvery() {
        return Duration.ofMillis(disconnectEveryMs);
    }

    public boolean stall() {
        return stall;
    }

    public double malformedRatio() {
        return malformedRatio;
    }

    public int gapEveryTrades() {
        return gapEveryTrades;
    }

    public int gapSize() {
        return gapSize;
    }

    public boolean refusing() {
        return refuseUntilMs != 0 && System.currentTimeMillis() < refuseUntilMs;
    }

    /** Milliseconds of refusing left, 0 when not refusing. */
    public long refusingForMs() {
        return Math.max(0, refuseUntilMs - System.currentTimeMillis());
    }

    public double rate() {
        return rate;
    }

    public boolean rest429() {
        return rest429;
    }

    public int binanceWeightLimit() {
        return binanceWeightLimit;
    }

    public Duration binanceWeightWindow() {
        return Duration.ofMillis(binanceWeightWindowMs);
    }

    public int binanceBanAfterRequests() {
        return binanceBanAfterRequests;
    }

    public int binanceBanSeconds() {
        return binanceBanSeconds;
    }

    public int okxRestLimit() {
        return okxRestLimit;
    }

    public Duration okxRestWindow() {
        return Duration.ofMillis(okxRestWindowMs);
    }

    /** The OKX body-level error code in force, null when off. */
    public String okxBodyError() {
        return okxBodyError;
    }

    public Duration restDelay() {
        return Duration.ofMillis(restDelayMs);
    }

    public double restFailRatio() {
        return restFailRatio;
    }

    public int restFailStatus() {
        return restFailStatus;
    }

    public double restTimeoutRatio() {
        return restTimeoutRatio;
    }

    /** The current settings, shaped like the body {@code POST /sim/faults} accepts. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("disconnectEverySeconds", disconnectEveryMs / 1000.0);
        m.put("stall", stall);
        m.put("malformedRatio", malformedRatio);
        m.put("gapEvery", gapEveryTrades);
        m.put("gapSize", gapSize);
        m.put("refuseForSeconds", refusingForMs() / 1000.0);
        m.put("rate", rate);
        m.put("rest429", rest429);
        m.put("binanceWeightLimit", binanceWeightLimit);
        m.put("binanceWeightWindowSeconds", binanceWeightWindowMs / 1000.0);
        m.put("binanceBanAfterRequests", binanceBanAfterRequests);
        m.put("binanceBanSeconds", binanceBanSeconds);
        m.put("okxRestLimit", okxRestLimit);
        m.put("okxRestWindowSeconds", okxRestWindowMs / 1000.0);
        m.put("okxBodyError", okxBodyError);
        m.put("restDelayMs", restDelayMs);
        m.put("restFailRatio", restFailRatio);
        m.put("restFailStatus", restFailStatus);
        m.put("restTimeoutRatio", restTimeoutRatio);
        m.put("tradeHistoryRetention", tradeHistoryRetention);
        m.put("slowConsumerCutSeconds", slowConsumerCutAfterMs / 1000.0);
        m.put("unreadTradesPerSecond", unreadTradesPerSecond);
        return m;
    }
}
