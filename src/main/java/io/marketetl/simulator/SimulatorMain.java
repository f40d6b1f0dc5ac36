package io.marketetl.simulator;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the exchange simulator standalone until killed:
 * {@code java -cp market-etl.jar io.marketetl.simulator.SimulatorMain --port 8765 --rate 2000 --seed 42}
 * (the application also dispatches {@code java -jar market-etl.jar simulator ...} here).
 * Bad arguments print one line on stderr and exit with code 2.
 */
public final class SimulatorMain {

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: simulator [options]   (runs until killed)",
            "  --port N                 listen port (default 8765; 0 = ephemeral)",
            "  --host ADDR              bind address (default 127.0.0.1)",
            "  --rate R                 data frames/s per connection (default 100; 0 = as fast as possible)",
            "  --seed N                 seed of prices, sizes and ids (default 42)",
            "  --instruments A,B        known instruments (default BTC-USDT,ETH-USDT,SOL-USDT)",
            "  --disconnect-every S     drop every connection abruptly every S seconds",
            "  --stall                  keep sockets open and answer pings, send no data",
            "  --malformed-ratio R      share 0..1 of data frames that are malformed",
            "  --gap-every N            skip trade ids after every N trades of a stream",
            "  --gap-size K             trade ids skipped per gap (default 1)",
            "  --refuse-for S           reject WebSocket upgrades (HTTP 503) for the first S seconds",
            "  --binance-lifetime S     Binance connection lifetime (default 86400)",
            "  --binance-ping-interval S  Binance server ping interval (default 20)",
            "  --binance-pong-timeout S Binance pong timeout (default 60)",
            "  --okx-idle-timeout S     OKX 4004 idle timeout (default 30)",
            "  --okx-idle-counts-pushed-data  pushed data also keeps OKX connections alive (OKX's documented rule)",
            "  --okx-notice-lead S      delay between a 64008 notice and the close (default 60)",
            "  --rest-429               REST answers 429 with Retry-After",
            "  --binance-weight-limit N Binance request weight per IP and window (default 6000)",
            "  --binance-weight-window S  Binance weight window, whole seconds, fixed and aligned (default 60)",
            "  --binance-ban-after N    requests before Retry-After is up that get 418 and an IP ban (default 3)",
            "  --binance-ban-seconds S  length of a 418 IP ban (default 10)",
            "  --okx-rest-limit N       OKX requests per endpoint per IP and rolling window (default 20)",
            "  --okx-rest-window S      OKX rate-limit window (default 2)",
            "  --okx-body-error CODE    OKX REST answers HTTP 200 with this error code, e.g. 50011 or 50001",
            "  --rest-delay-ms MS       delay every REST answer",
            "  --rest-fail-ratio R      share 0..1 of REST requests answered 500/502/503",
            "  --rest-fail-status N     status of those failures (500..599; default 500, 502, 503 in turn)",
            "  --rest-timeout-ratio R   share 0..1 of REST requests never answered",
            "  --api-key-header NAME    header of /private/apikey-header (default X-API-KEY)",
            "  --api-key K              key of /private/apikey-header and /private/apikey-query (api_key)",
            "  --bearer-token T         token of /private/bearer",
            "  --basic-user U           user of /private/basic",
            "  --basic-password P       password of /private/basic",
            "  --binance-api-key K      X-MBX-APIKEY of /api/v3/account and /api/v3/openOrders",
            "  --binance-api-secret S   HMAC secret of Binance signatures",
            "  --okx-api-key K          OK-ACCESS-KEY of /api/v5/account/balance and /api/v5/trade/order-echo",
            "  --okx-api-secret S       HMAC secret of OKX signatures",
            "  --okx-passphrase P       OK-ACCESS-PASSPHRASE",
            "  --request-log-capacity N REST requests kept for GET /sim/requests (default 10000)",
            "  --trade-history-retention N  trades per instrument kept for the REST trade history (default 10000)",
            "  --slow-consumer-cut S    drop a WebSocket whose client has not read for S seconds (default 30; 0 = never)",
            "  --unread-trades-per-second R  trades a stream's market makes while nobody reads it (default 0)",
            "  --help                   this text",
            "Control API on the same port: GET /sim/stats, GET|POST /sim/faults, POST /sim/reset,",
            "  GET /sim/requests?limit=N, POST /sim/requests/clear");

    /** Thrown for unusable command lines; the message is the one line shown to the user. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    /** The parsed command line: a config plus the faults to switch on at start. */
    record Options(SimulatorConfig config, boolean help, Duration disconnectEvery, boolean stall, double malformedRatio,
                   int gapEvery, int gapSize, Duration refuseFor, boolean rest429, String okxBodyError,
                   Duration restDelay, double restFailRatio, int restFailStatus, double restTimeoutRatio) {
    }

    private SimulatorMain() {
    }

    public static void main(String[] args) {
        int code = run(args, System.out, System.err, true);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Parses, starts and (when {@code block}) waits forever. Returns the exit code: 0 after --help, 2 for bad
     * arguments, 1 when the simulator cannot start.
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean block) {
        Options o;
        try {
            o = parse(args);
        } catch (UsageException e) {
            err.println("simulator: " + e.getMessage() + " (see --help)");
            return 2;
        }
        if (o.help()) {
            out.println(USAGE);
            return 0;
        }
        ExchangeSimulator sim;
        try {
            sim = ExchangeSimulator.start(o.config());
        } catch (RuntimeException e) {
            err.println("simulator: " + e.getMessage());
            return 1;
        }
        SimulatorFaults f = sim.faults();
        if (o.disconnectEvery() != null) {
            f.setDisconnectEvery(o.disconnectEvery());
        }
        f.setStall(o.stall()).setMalformedRatio(o.malformedRatio()).setRest429(o.rest429())
                .setOkxBodyError(o.okxBodyError()).setRestDelay(o.restDelay()).setRestFailRatio(o.restFailRatio())
                .setRestFailStatus(o.restFailStatus()).setRestTimeoutRatio(o.restTimeoutRatio());
        if (o.gapEvery() > 0) {
            f.setTradeIdGap(o.gapEvery(), o.gapSize());
        }
        if (o.refuseFor() != null) {
            f.refuseConnectionsFor(o.refuseFor());
        }
        out.println("Exchange simulator listening: okx-ws=" + sim.okxWsUrl() + " binance-ws=" + sim.binanceWsUrl()
                + " okx-rest=" + sim.okxRestUrl() + " binance-rest=" + sim.binanceRestUrl()
                + " control=" + sim.controlUrl() + "/stats");
        out.flush();
        if (!block) {
            sim.close();
            return 0;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "simulator-shutdown"));
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    static Options parse(String[] args) throws UsageException {
        SimulatorConfig.Builder b = SimulatorConfig.builder().port(8765);
        boolean help = false;
        Duration disconnectEvery = null;
        boolean stall = false;
        double malformed = 0;
        int gapEvery = 0;
        int gapSize = 1;
        Duration refuseFor = null;
        boolean rest429 = false;
        String okxBodyError = null;
        Duration restDelay = Duration.ZERO;
        double restFailRatio = 0;
        int restFailStatus = 0;
        double restTimeoutRatio = 0;
        SimulatorConfig.Credentials d = SimulatorConfig.Credentials.defaults();
        String[] cred = {d.apiKeyHeader(), d.apiKey(), d.bearerToken(), d.basicUser(), d.basicPassword(),
                d.binanceApiKey(), d.binanceSecret(), d.okxApiKey(), d.okxSecret(), d.okxPassphrase()};
        List<String> list = new ArrayList<>();
        for (String a : args) { // accept --name=value as well as --name value
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 2) {
                list.add(a.substring(0, eq));
                list.add(a.substring(eq + 1));
            } else {
                list.add(a);
            }
        }
        for (int i = 0; i < list.size(); i++) {
            String opt = list.get(i);
            switch (opt) {
                case "--help", "-h" -> help = true;
                case "--stall" -> stall = true;
                case "--rest-429" -> rest429 = true;
                case "--okx-idle-counts-pushed-data" -> b.okxIdleCountsPushedData(true);
                case "--port" -> b.port((int) whole(opt, value(list, i++), 0, 65535));
                case "--host" -> b.host(value(list, i++));
                case "--rate" -> b.ratePerConnection(decimal(opt, value(list, i++), 0, 10_000_000));
                case "--seed" -> b.seed(whole(opt, value(list, i++), Long.MIN_VALUE, Long.MAX_VALUE));
                case "--instruments" -> {
                    List<String> inst = Arrays.stream(value(list, i++).split(",")).map(String::trim)
                            .filter(s -> !s.isEmpty()).toList();
                    for (String s : inst) {
                        if (!s.matches("[A-Z0-9]+-[A-Z0-9]+")) {
                            throw new UsageException("--instruments: '" + s + "' is not like BTC-USDT");
                        }
                    }
                    if (inst.isEmpty()) {
                        throw new UsageException("--instruments needs at least one instrument");
                    }
                    b.instruments(inst);
                }
                case "--disconnect-every" -> disconnectEvery = seconds(opt, value(list, i++), false);
                case "--malformed-ratio" -> malformed = decimal(opt, value(list, i++), 0, 1);
                case "--gap-every" -> gapEvery = (int) whole(opt, value(list, i++), 1, Integer.MAX_VALUE);
                case "--gap-size" -> gapSize = (int) whole(opt, value(list, i++), 1, Integer.MAX_VALUE);
                case "--refuse-for" -> refuseFor = seconds(opt, value(list, i++), false);
                case "--binance-lifetime" -> b.binanceLifetime(seconds(opt, value(list, i++), true));
                case "--binance-ping-interval" -> b.binancePingInterval(seconds(opt, value(list, i++), true));
                case "--binance-pong-timeout" -> b.binancePongTimeout(seconds(opt, value(list, i++), true));
                case "--okx-idle-timeout" -> b.okxIdleTimeout(seconds(opt, value(list, i++), true));
                case "--okx-notice-lead" -> b.okxNoticeLead(seconds(opt, value(list, i++), false));
                case "--binance-weight-limit" -> b.binanceWeightLimit((int) whole(opt, value(list, i++), 1, Integer.MAX_VALUE));
                case "--binance-weight-window" -> b.binanceWeightWindow(
                        Duration.ofSeconds(whole(opt, value(list, i++), 1, 86_400)));
                case "--binance-ban-after" -> b.binanceBanAfterRequests((int) whole(opt, value(list, i++), 1, Integer.MAX_VALUE));
                case "--binance-ban-seconds" -> b.binanceBanSeconds((int) whole(opt, value(list, i++), 1, 86_400 * 3));
                case "--okx-rest-limit" -> b.okxRestLimit((int) whole(opt, value(list, i++), 1, Integer.MAX_VALUE));
                case "--okx-rest-window" -> b.okxRestWindow(seconds(opt, value(list, i++), true));
                case "--okx-body-error" -> {
                    okxBodyError = value(list, i++);
                    if (!okxBodyError.matches("[1-9][0-9]{4}")) {
                        throw new UsageException(opt + ": '" + okxBodyError + "' is not a five-digit OKX code like 50011");
                    }
                }
                case "--rest-delay-ms" -> restDelay = Duration.ofMillis(whole(opt, value(list, i++), 0, 3_600_000));
                case "--rest-fail-ratio" -> restFailRatio = decimal(opt, value(list, i++), 0, 1);
                case "--rest-fail-status" -> restFailStatus = (int) whole(opt, value(list, i++), 500, 599);
                case "--rest-timeout-ratio" -> restTimeoutRatio = decimal(opt, value(list, i++), 0, 1);
                case "--api-key-header" -> cred[0] = value(list, i++);
                case "--api-key" -> cred[1] = value(list, i++);
                case "--bearer-token" -> cred[2] = value(list, i++);
                case "--basic-user" -> cred[3] = value(list, i++);
                case "--basic-password" -> cred[4] = value(list, i++);
                case "--binance-api-key" -> cred[5] = value(list, i++);
                case "--binance-api-secret" -> cred[6] = value(list, i++);
                case "--okx-api-key" -> cred[7] = value(list, i++);
                case "--okx-api-secret" -> cred[8] = value(list, i++);
                case "--okx-passphrase" -> cred[9] = value(list, i++);
                case "--request-log-capacity" -> b.requestLogCapacity((int) whole(opt, value(list, i++), 1, 10_000_000));
                case "--trade-history-retention" -> b.tradeHistoryRetention((int) whole(opt, value(list, i++), 1, 10_000_000));
                case "--slow-consumer-cut" -> b.slowConsumerCutAfter(seconds(opt, value(list, i++), false));
                case "--unread-trades-per-second" -> b.unreadTradesPerSecond(decimal(opt, value(list, i++), 0, 1_000_000));
                default -> throw new UsageException("unknown argument '" + opt + "'");
            }
        }
        SimulatorConfig config;
        try {
            b.credentials(new SimulatorConfig.Credentials(cred[0], cred[1], cred[2], cred[3], cred[4], cred[5],
                    cred[6], cred[7], cred[8], cred[9]));
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return new Options(config, help, disconnectEvery, stall, malformed, gapEvery, gapSize, refuseFor, rest429,
                okxBodyError, restDelay, restFailRatio, restFailStatus, restTimeoutRatio);
    }

    private static String value(List<String> list, int i) throws UsageException {
        if (i + 1 >= list.size() || list.get(i + 1).startsWith("--")) {
            throw new UsageException(list.get(i) + " needs a value");
        }
        return list.get(i + 1);
    }

    private static long whole(String opt, String v, long min, long max) throws UsageException {
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(opt + ": '" + v + "' is not a whole number");
        }
        if (n < min || n > max) {
            throw new UsageException(opt + ": " + n + " is out of range " + min + ".." + max);
        }
        return n;
    }

    private static double decimal(String opt, String v, double min, double max) throws UsageException {
        double d;
        try {
            d = Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(opt + ": '" + v + "' is not a number");
        }
        if (!(d >= min && d <= max)) {
            throw new UsageException(opt + ": " + v + " is out of range " + min + ".." + max);
        }
        return d;
    }

    private static Duration seconds(String opt, String v, boolean positive) throws UsageException {
        double s = decimal(opt, v, 0, 1e9);
        if (positive && s <= 0) {
            throw new UsageException(opt + " must be greater than 0");
        }
        return Duration.ofMillis(Math.round(s * 1000));
    }
}
