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

    SimulatorFaults(SimulatorConfig config, Actions actions) {
        this.config = config;
        this.actions = actions;
        this.rate = config.ratePerConnection();
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

    /** REST answers 429 with Retry-After (Binance -1003, OKX 50011) while on. */
    public SimulatorFaults setRest429(boolean on) {
        rest429 = on;
        return this;
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

    /** Back to no faults and the configured rate. */
    public SimulatorFaults clear() {
        stall = false;
        malformedRatio = 0;
        gapEveryTrades = 0;
        gapSize = 1;
        refuseUntilMs = 0;
        rate = config.ratePerConnection();
        rest429 = false;
        setDisconnectEvery(null);
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
        return m;
    }
}
