package io.marketetl.e2e;

import static io.marketetl.e2e.ConnectorRoutes.get;
import static io.marketetl.e2e.ConnectorRoutes.requestsOf;
import static io.marketetl.e2e.ConnectorRoutes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.simulator.SimulatorStats.RestRequest;
import io.marketetl.testsupport.Closing;
import io.marketetl.testsupport.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8, route-file connectors when the server bans or fails, one application run against three simulators:
 * <ul>
 * <li><b>418</b>: the IP (127.0.0.1, the application's and the test's) is banned by the simulator's own rules, the
 * test having gone on after a 429; the connector's next call gets the 418, and then it sends nothing until the ban
 * is over, says {@code banned} with the ban's end in its status row, and resumes by itself.</li>
 * <li><b>5xx and timeouts</b>: every call fails (500/502/503, or no answer within the 400 ms response timeout); the
 * calls get sparser (exponential back-off with full jitter, 50 ms doubling up to 2 s), {@code reconnect_attempts}
 * counts the failures in a row, and once the server is well again the connector is back to {@code running} with
 * {@code reconnect_attempts} 0 and polls every 50 ms.</li>
 * </ul>
 */
class BanAndBackoffEndToEndTest {

    static final Pattern BANNED_UNTIL = Pattern.compile("IP banned until (\\d+)\\.");
    static final Pattern STATUS_UNTIL = Pattern.compile("HTTP 418: the exchange banned this IP until (\\S+);"
            + " polling resumes then");
    static final int FAILURES = 16;
    static final long TIMEOUT_MS = 400;

    @TempDir
    static Path workDir;

    static ExchangeSimulator banSim;
    static ExchangeSimulator failSim;
    static ExchangeSimulator silentSim;
    static TestDatabase db;
    static RunningApp app;

    @BeforeAll
    static void start() {
        // 10 weight per 1 s window; the first request inside a 429's Retry-After bans the IP for 5 s
        banSim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(41).ratePerConnection(1)
                .binanceWeightLimit(10).binanceWeightWindow(Duration.ofSeconds(1)).binanceBanAfterRequests(1)
                .binanceBanSeconds(5).build());
        failSim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(42).ratePerConnection(1).build());
        silentSim = ExchangeSimulator.start(SimulatorConfig.builder().port(0).seed(43).ratePerConnection(1).build());
        db = TestDatabase.create();
        Map<String, String> files = new LinkedHashMap<>();
        // 4 calls of weight 2 per second: within the limit
        files.put("banned.camel.yaml", route("banned", Map.of("url", "{{env:BAN_URL}}/api/v3/ticker/price",
                "query.symbol", "{instrument}", "instruments", "BTC-USDT", "exchange", "binance",
                "interval", "300")));
        files.put("failing.camel.yaml", route("failing", Map.of("url", "{{env:FAIL_URL}}/generic/prices",
                "interval", "50")));
        files.put("silent.camel.yaml", route("silent", Map.of("url", "{{env:SILENT_URL}}/generic/prices",
                "interval", "50")));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("BAN_URL", banSim.binanceRestUrl());
        env.put("FAIL_URL", failSim.binanceRestUrl());
        env.put("SILENT_URL", silentSim.binanceRestUrl());
        env.put("MARKET_ETL_CONNECTOR_MIN_INTERVAL_MS", "50");
        env.put("MARKET_ETL_CONNECTOR_BACKOFF_INITIAL_MS", "50");
        env.put("MARKET_ETL_CONNECTOR_BACKOFF_MAX_MS", "2000");
        env.put("MARKET_ETL_CONNECTOR_RESPONSE_TIMEOUT_MS", String.valueOf(TIMEOUT_MS));
        env.put("MARKET_ETL_CONNECTOR_STATUS_INTERVAL_MS", "500");
        app = RunningApp.startWith(workDir, db, banSim, files, env);
    }

    @AfterAll
    static void stop() {
        Closing.inOrder(app, db, banSim, failSim, silentSim);
    }

    @Test
    void a418IsRecordedWithTheBansEndNothingIsSentDuringTheBanAndPollingResumesByItself() {
        await().atMost(Duration.ofSeconds(20)).until(() -> requestsOf(banSim, "banned").stream()
                .filter(r -> r.status() == 200).count() >= 3);
        assertThat(banSim.stats().rest429Sent() + banSim.stats().rest418Sent()).isZero();

        // the test, from the same IP, uses the weight up and goes on after the 429: banned
        String url = banSim.binanceRestUrl() + "/api/v3/ticker/price?symbol=ETHUSDT";
        HttpResponse<String> ban = null;
        for (int i = 0; i < 20 && ban == null; i++) {
            HttpResponse<String> r = get(url);
            if (r.statusCode() == 418) {
                ban = r;
            }
        }
        assertThat(ban).as("the simulator banned the IP").isNotNull();
        Matcher m = BANNED_UNTIL.matcher(ban.body());
        assertThat(m.find()).as(ban.body()).isTrue();
        long bannedUntil = Long.parseLong(m.group(1));
        // (the connector's call may be the one that crossed the line: the IP is what is banned)
        long banStart = banSim.stats().requests().stream().filter(r -> r.status() == 418).findFirst().orElseThrow()
                .timeMs();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(db.queryString("SELECT status FROM connector_status WHERE connector_id = 'banned'"))
                    .isEqualTo("banned");
            assertThat(db.queryString("SELECT error_log FROM connector_status WHERE connector_id = 'banned'"))
                    .containsPattern(STATUS_UNTIL);
        });
        String errors = db.queryString("SELECT error_log FROM connector_status WHERE connector_id = 'banned'");
        Matcher until = STATUS_UNTIL.matcher(errors);
        assertThat(until.find()).as(errors).isTrue();
        long statedEnd = Instant.parse(until.group(1)).toEpochMilli();
        assertThat(statedEnd).as("the ban's end in the status row, against the server's " + bannedUntil)
                .isBetween(bannedUntil, bannedUntil + 1500);

        // resumes by itself after the ban: good answers, status running again
        await().atMost(Duration.ofSeconds(12)).until(() -> requestsOf(banSim, "banned").stream()
                .filter(r -> r.timeMs() >= bannedUntil && r.status() == 200).count() >= 3);
        List<RestRequest> calls = requestsOf(banSim, "banned");
        List<RestRequest> duringBan = calls.stream().filter(r -> r.timeMs() >= banStart && r.timeMs() < bannedUntil)
                .toList();
        assertThat(duringBan).as("the connector's calls during the ban: the one that learnt of it")
                .hasSize(1).allSatisfy(r -> assertThat(r.status()).isEqualTo(418));
        RestRequest learnt = duringBan.get(0);
        RestRequest next = calls.get(calls.indexOf(learnt) + 1);
        assertThat(next.timeMs()).as("the next call, after the 418's Retry-After")
                .isGreaterThanOrEqualTo(learnt.answeredAtMs() + Long.parseLong(learnt.retryAfter()) * 1000)
                .isGreaterThanOrEqualTo(bannedUntil).isLessThan(statedEnd + 1000);
        assertThat(next.status()).isEqualTo(200);
        assertThat(calls.stream().filter(r -> r.status() == 418)).hasSize(1);
        assertThat(banSim.stats().rest418Sent()).as("the test's and the connector's").isEqualTo(2);
        assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = 'banned'"
                + " AND status_code = 418")).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(db.queryString("SELECT status || ' '"
                + " || (performance_metrics->>'banned') FROM connector_status WHERE connector_id = 'banned'"))
                .isEqualTo("running 1"));
    }

    @Test
    void serverErrorsAndTimeoutsBackOffExponentiallyCountFailuresInARowAndRecover() {
        await().atMost(Duration.ofSeconds(20)).until(() -> requestsOf(failSim, "failing").size() >= 5
                && requestsOf(silentSim, "silent").size() >= 5);
        failSim.faults().setRestFailRatio(1.0);
        silentSim.faults().setRestTimeoutRatio(1.0);
        Predicate<RestRequest> serverError = r -> r.status() >= 500;
        // a request the server never answers fails when the client gives up (400 ms)
        Predicate<RestRequest> timedOut = r -> r.status() == 0
                && r.timeMs() < System.currentTimeMillis() - TIMEOUT_MS - 200;

        await().atMost(Duration.ofSeconds(40)).until(() ->
                failedInARow(failSim, "failing", serverError).size() >= FAILURES
                        && failedInARow(silentSim, "silent", timedOut).size() >= FAILURES);
        // reconnect_attempts: the failures in a row, read between two calls
        assertFailuresInARow(failSim, "failing", serverError);
        assertFailuresInARow(silentSim, "silent", timedOut);
        assertThat(db.queryString("SELECT status FROM connector_status WHERE connector_id = 'failing'"))
                .isEqualTo("error");
        assertThat(db.queryString("SELECT error_log FROM connector_status WHERE connector_id = 'failing'"))
                .contains("HTTP 500: ").contains("HTTP 502: ").contains("HTTP 503: ");
        assertThat(db.queryString("SELECT status FROM connector_status WHERE connector_id = 'silent'"))
                .isEqualTo("error");
        assertThat(db.queryString("SELECT error_log FROM connector_status WHERE connector_id = 'silent'"))
                .contains("no answer: ");

        long healedAt = System.currentTimeMillis();
        failSim.faults().setRestFailRatio(0);
        silentSim.faults().setRestTimeoutRatio(0);

        assertSparser("failing", failedInARow(failSim, "failing", serverError), 0);
        assertSparser("silent", failedInARow(silentSim, "silent", timedOut), TIMEOUT_MS);

        for (String id : List.of("failing", "silent")) {
            ExchangeSimulator sim = id.equals("failing") ? failSim : silentSim;
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(db.queryString("SELECT status"
                    + " || ' ' || reconnect_attempts FROM connector_status WHERE connector_id = '" + id + "'"))
                    .as(id).isEqualTo("running 0"));
            // and every 50 ms again: at least 8 calls in the second after the first good one
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                List<RestRequest> good = requestsOf(sim, id).stream()
                        .filter(r -> r.timeMs() > healedAt && r.status() == 200).toList();
                return !good.isEmpty() && System.currentTimeMillis() > good.get(0).timeMs() + 1000;
            });
            List<RestRequest> good = requestsOf(sim, id).stream()
                    .filter(r -> r.timeMs() > healedAt && r.status() == 200).toList();
            long first = good.get(0).timeMs();
            assertThat(good.stream().filter(r -> r.timeMs() <= first + 1000)).as(id).hasSizeGreaterThanOrEqualTo(8);
            assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = '" + id
                    + "' AND status_code = 200 AND timestamp > to_timestamp(" + first / 1000.0 + ")"))
                    .as(id + ": the good answers are stored").isGreaterThan(0);
        }
        assertThat(db.queryLong("SELECT count(*) FROM api_connector_data WHERE connector_id = 'failing'"
                + " AND status_code >= 500")).as("5xx answers stored with their status")
                .isGreaterThanOrEqualTo(FAILURES);
    }

    /**
     * The connector's failed calls get sparser: the mean gap once the back-off is at its cap (from the 7th failure
     * on: 50 ms x 2^6 > 2 s) is far above the mean of the first three (caps 50, 100, 200 ms); no gap above the cap
     * (plus a tick, the timeout and some scheduling slack). {@code timeoutMs}: what each failure waits before it
     * counts.
     */
    private static void assertSparser(String id, List<RestRequest> failed, long timeoutMs) {
        assertThat(failed).as(id).hasSizeGreaterThanOrEqualTo(FAILURES);
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < failed.size(); i++) {
            gaps.add(failed.get(i).timeMs() - failed.get(i - 1).timeMs());
        }
        double early = gaps.subList(0, 3).stream().mapToLong(Long::longValue).average().orElseThrow();
        double late = gaps.subList(6, gaps.size()).stream().mapToLong(Long::longValue).average().orElseThrow();
        assertThat(late).as(id + ": mean gap at the cap vs the first three (" + early + "), gaps " + gaps)
                .isGreaterThanOrEqualTo(2 * (early - timeoutMs) + timeoutMs).isGreaterThanOrEqualTo(300 + timeoutMs);
        assertThat(gaps).as(id + ": capped at 2 s").allSatisfy(g -> assertThat(g).isLessThan(2000 + timeoutMs + 1000));
    }

    /** connector_status.reconnect_attempts equals the connector's failed calls since its last good one. */
    private static void assertFailuresInARow(ExchangeSimulator sim, String id, Predicate<RestRequest> failed) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).untilAsserted(() -> {
            List<RestRequest> calls = requestsOf(sim, id);
            RestRequest last = calls.get(calls.size() - 1);
            // between two calls: the last one has failed and been counted (or the check is retried)
            assertThat(System.currentTimeMillis() - last.timeMs()).as("quiet since the last call")
                    .isGreaterThan(TIMEOUT_MS + 300);
            List<RestRequest> inARow = failedInARow(sim, id, failed);
            assertThat(inARow).as("every call since the last good one failed").endsWith(last);
            assertThat(db.queryLong("SELECT reconnect_attempts FROM connector_status WHERE connector_id = '" + id
                    + "'")).as(id).isEqualTo(inARow.size());
        });
    }

    /** The connector's calls after its last good (200) one that are {@code failed}. */
    private static List<RestRequest> failedInARow(ExchangeSimulator sim, String id, Predicate<RestRequest> failed) {
        List<RestRequest> calls = requestsOf(sim, id);
        int lastGood = -1;
        for (int i = 0; i < calls.size(); i++) {
            if (calls.get(i).status() == 200) {
                lastGood = i;
            }
        }
        return calls.subList(lastGood + 1, calls.size()).stream().filter(failed).toList();
    }
}
