package io.marketetl.connector.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.marketetl.connector.limit.HostBudget.Permit;
import io.marketetl.connector.limit.HostBudget.Reason;
import io.marketetl.connector.limit.HostBudget.Snapshot;
import io.marketetl.connector.limit.HostRule.Limit;
import io.marketetl.connector.limit.HostRule.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class HostBudgetTest {

    static final String WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M";
    /** a minute boundary, so weight windows start here */
    static final long T0 = 1_765_000_000_000L - 1_765_000_000_000L % 60_000;

    static Function<String, String> headers(String... namesAndValues) {
        Map<String, String> m = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return m::get;
    }

    static final Function<String, String> NONE = headers();

    static HostBudget unlimited() {
        return new HostBudget("h", List.of());
    }

    static HostBudget binance() {
        return new HostBudget("api.binance.com", List.of(Limit.weight(6000, 60_000, WEIGHT_HEADER)));
    }

    @Test
    void hostKeysNormaliseSchemeHostAndDefaultPorts() {
        assertThat(HostBudget.key("https://API.Binance.com/api/v3/ticker/price?symbol=BTCUSDT"))
                .isEqualTo("https://api.binance.com:443");
        assertThat(HostBudget.key("https://api.binance.com:443/x")).isEqualTo("https://api.binance.com:443");
        assertThat(HostBudget.key("HTTP://127.0.0.1:8765/api/v5/market/ticker")).isEqualTo("http://127.0.0.1:8765");
        assertThat(HostBudget.key("http://www.okx.com")).isEqualTo("http://www.okx.com:80");
        assertThat(HostBudget.key("wss://ws.okx.com/ws/v5/public")).isEqualTo("wss://ws.okx.com:443");
        assertThat(HostBudget.key("http://[::1]:9000/x")).isEqualTo("http://[::1]:9000");
        assertThatThrownBy(() -> HostBudget.key("api.binance.com/api/v3")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HostBudget.key("ftp://host/x")).hasMessageContaining("ftp");
        // credentials never reach the message
        assertThatThrownBy(() -> HostBudget.key("/path?apiKey=SECRET123")).hasMessageNotContaining("SECRET123");
    }

    @Test
    void a429BlocksExactlyUntilRetryAfter() {
        HostBudget b = unlimited();
        long now = T0 + 123;
        assertThat(b.tryAcquire("/x", 1, now).granted()).isTrue();
        b.onResponse(429, headers("retry-after", "7"), now);
        Permit p = b.tryAcquire("/x", 1, now + 6_999);
        assertThat(p.granted()).isFalse();
        assertThat(p.reason()).isEqualTo(Reason.RETRY_AFTER);
        assertThat(p.waitUntilMillis()).isEqualTo(now + 7_000);
        assertThat(p.waitMillis(now + 6_999)).isEqualTo(1);
        // every path is refused, not only the one that got the 429
        assertThat(b.tryAcquire("/other", 1, now + 1).granted()).isFalse();
        assertThat(b.tryAcquire("/x", 1, now + 7_000).granted()).isTrue();
        Snapshot s = b.snapshot(now + 7_000);
        assertThat(s.rateLimitedCount()).isEqualTo(1);
        assertThat(s.blocked()).isFalse();
        assertThat(s.blockReason()).isNull();
    }

    @Test
    void a429WithAnHttpDateBlocksUntilThatDate() {
        HostBudget b = unlimited();
        long now = RetryAfterTest.NOV_6_1994 - 10_000;
        b.onResponse(429, headers("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"), now);
        assertThat(b.tryAcquire("/x", 1, RetryAfterTest.NOV_6_1994 - 1).waitUntilMillis())
                .isEqualTo(RetryAfterTest.NOV_6_1994);
        assertThat(b.tryAcquire("/x", 1, RetryAfterTest.NOV_6_1994).granted()).isTrue();
    }

    @Test
    void a429WithoutRetryAfterBlocksForTheDefaultDoublingUpToTheCap() {
        HostBudget b = new HostBudget("h", List.of(), new HostBudget.Settings(1_000, 5_000, 600_000, 120_000, 86_400_000));
        long now = T0;
        long[] expected = {1_000, 2_000, 4_000, 5_000, 5_000};
        for (long d : expected) {
            b.onResponse(429, NONE, now);
            assertThat(b.tryAcquire("/x", 1, now + d - 1).granted()).isFalse();
            assertThat(b.tryAcquire("/x", 1, now + d).granted()).isTrue();
            now += d;
        }
        // a success resets the doubling
        b.onResponse(200, NONE, now);
        b.onResponse(429, NONE, now);
        assertThat(b.tryAcquire("/x", 1, now + 1_000).granted()).isTrue();
    }

    @Test
    void a429FromARequestAlreadyInFlightDoesNotDoubleAgain() {
        HostBudget b = unlimited();
        // ten requests were in flight; all come back 429 while the host is already blocked
        for (int i = 0; i < 10; i++) {
            b.onResponse(429, NONE, T0 + i);
        }
        assertThat(b.snapshot(T0).blockedUntilMillis()).isEqualTo(T0 + 9 + 1_000);
        assertThat(b.snapshot(T0).rateLimitedCount()).isEqualTo(10);
    }

    @Test
    void aBodyLevelRateLimitBlocksLikeA429() {
        HostBudget b = unlimited();
        Classification okx50011 = new ResponseClassifier(new ResponseRules("/code", List.of("0"), List.of("50011"),
                List.of(), "/msg")).classify(200, "{\"code\":\"50011\",\"msg\":\"Rate limit reached\"}");
        b.onResponse(okx50011, NONE, T0);
        Permit p = b.tryAcquire("/x", 1, T0 + 1);
        assertThat(p.reason()).isEqualTo(Reason.RETRY_AFTER);
        assertThat(p.waitUntilMillis()).isEqualTo(T0 + 1_000);
    }

    @Test
    void a503RetryAfterIsHonouredButA503AloneDoesNotBlock() {
        HostBudget b = unlimited();
        b.onResponse(503, NONE, T0);
        assertThat(b.tryAcquire("/x", 1, T0).granted()).isTrue();
        b.onResponse(503, headers("Retry-After", "2"), T0);
        assertThat(b.tryAcquire("/x", 1, T0 + 1_999).reason()).isEqualTo(Reason.RETRY_AFTER);
        assertThat(b.tryAcquire("/x", 1, T0 + 2_000).granted()).isTrue();
    }

    @Test
    void a418IsRecordedAsABanWithItsEnd() {
        HostBudget b = binance();
        b.onResponse(418, headers("Retry-After", "7200", WEIGHT_HEADER, "6000"), T0);
        Permit p = b.tryAcquire("/api/v3/ticker/price", 2, T0 + 60_000);
        assertThat(p.granted()).isFalse();
        assertThat(p.reason()).isEqualTo(Reason.BANNED);
        assertThat(p.reason().label()).isEqualTo("banned");
        assertThat(p.waitUntilMillis()).isEqualTo(T0 + 7_200_000);
        Snapshot s = b.snapshot(T0 + 1);
        assertThat(s.banned()).isTrue();
        assertThat(s.bannedUntilMillis()).isEqualTo(T0 + 7_200_000);
        assertThat(s.blockReason()).isEqualTo(Reason.BANNED);
        assertThat(s.bannedCount()).isEqualTo(1);
        assertThat(s.rateLimitedCount()).isZero();
        assertThat(s.nextAllowedMillis()).isEqualTo(T0 + 7_200_000);
        // a ban longer than the 10-minute Retry-After cap is honoured, up to 3 days
        b.onResponse(418, headers("Retry-After", "999999"), T0 + 1);
        assertThat(b.snapshot(T0 + 1).bannedUntilMillis()).isEqualTo(T0 + 1 + 3 * 86_400_000L);
        // after the ban the record stays, the block goes
        Snapshot after = b.snapshot(T0 + 1 + 3 * 86_400_000L);
        assertThat(after.banned()).isFalse();
        assertThat(after.blockReason()).isNull();
        assertThat(after.bannedCount()).isEqualTo(2);
    }

    @Test
    void a418WithoutRetryAfterBansForTwoMinutes() {
        HostBudget b = unlimited();
        b.onResponse(418, NONE, T0);
        assertThat(b.tryAcquire("/x", 1, T0 + 119_999).reason()).isEqualTo(Reason.BANNED);
        assertThat(b.tryAcquire("/x", 1, T0 + 120_000).granted()).isTrue();
    }

    @Test
    void aShorter429DuringABanKeepsTheBan() {
        HostBudget b = unlimited();
        b.onResponse(418, headers("Retry-After", "300"), T0);
        b.onResponse(429, headers("Retry-After", "1"), T0 + 10);
        Permit p = b.tryAcquire("/x", 1, T0 + 2_000);
        assertThat(p.reason()).isEqualTo(Reason.BANNED);
        assertThat(p.waitUntilMillis()).isEqualTo(T0 + 300_000);
    }

    @Test
    void theWeightWindowRefusesBeforeTheLimitIsExceededAndResetsAtTheWindow() {
        HostBudget b = new HostBudget("h", List.of(Limit.weight(100, 60_000, null)));
        long now = T0 + 5_000;
        for (int i = 0; i < 24; i++) {
            assertThat(b.tryAcquire("/api/v3/ticker/price", 4, now).granted()).isTrue();
        }
        assertThat(b.snapshot(now).weightUsed()).isEqualTo(96);
        Permit p = b.tryAcquire("/api/v3/ticker/price", 5, now); // 101 > 100
        assertThat(p.granted()).isFalse();
        assertThat(p.reason()).isEqualTo(Reason.WEIGHT);
        assertThat(p.limit()).isEqualTo("weight:100/1m");
        assertThat(p.waitUntilMillis()).isEqualTo(T0 + 60_000);
        assertThat(b.tryAcquire("/api/v3/ticker/price", 4, now).granted()).isTrue(); // exactly 100
        assertThat(b.tryAcquire("/api/v3/ticker/price", 1, T0 + 59_999).granted()).isFalse();
        assertThat(b.tryAcquire("/api/v3/ticker/price", 1, T0 + 60_000).granted()).isTrue();
        assertThat(b.snapshot(T0 + 60_000).weightUsed()).isEqualTo(1);
    }

    @Test
    void theServerWeightHeaderCorrectsOurCountUpwardAtOnceAndDownwardOnlyAtTheWindowBoundary() {
        HostBudget b = binance();
        long now = T0 + 1_000;
        assertThat(b.tryAcquire("/api/v3/ticker/price", 2, now).granted()).isTrue();
        // another process on the same IP has used most of the minute
        b.onResponse(200, headers("x-mbx-used-weight-1m", "5990"), now + 50);
        Snapshot s = b.snapshot(now + 50);
        assertThat(s.weightUsed()).isEqualTo(5990);
        assertThat(s.weightLimit()).isEqualTo(6000);
        for (int i = 0; i < 5; i++) {
            assertThat(b.tryAcquire("/api/v3/ticker/price", 2, now + 100).granted()).isTrue();
        }
        assertThat(b.tryAcquire("/api/v3/ticker/price", 2, now + 100).reason()).isEqualTo(Reason.WEIGHT);
        // a late answer with a lower figure does not lower our count within the window
        b.onResponse(200, headers(WEIGHT_HEADER, "12"), now + 200);
        assertThat(b.snapshot(now + 200).weightUsed()).isEqualTo(6000);
        assertThat(b.tryAcquire("/api/v3/ticker/price", 2, now + 200).granted()).isFalse();
        // garbage is ignored
        b.onResponse(200, headers(WEIGHT_HEADER, "lots"), now + 300);
        b.onResponse(200, headers(WEIGHT_HEADER, "-5"), now + 300);
        assertThat(b.snapshot(now + 300).weightUsed()).isEqualTo(6000);
        // the next minute starts from zero, and the server's lower figure counts again
        assertThat(b.tryAcquire("/api/v3/ticker/price", 2, T0 + 60_000).granted()).isTrue();
        b.onResponse(200, headers(WEIGHT_HEADER, "40"), T0 + 60_010);
        assertThat(b.snapshot(T0 + 60_010).weightUsed()).isEqualTo(40);
        b.onResponse(200, headers(WEIGHT_HEADER, "10"), T0 + 60_020);
        assertThat(b.snapshot(T0 + 60_020).weightUsed()).isEqualTo(40);
    }

    @Test
    void theServerFigureDoesNotSwallowTheWeightOfRequestsStillInFlight() {
        HostBudget b = new HostBudget("shared-ip", List.of(Limit.weight(30, 3_000, "X-Used")));
        long t = 3_000_000_000L; // a window start
        Classification ok = new Classification(ResponseOutcome.OK, 200, null, null);
        Permit a = b.tryAcquire("/x", 2, t);
        Permit c = b.tryAcquire("/x", 2, t + 1);
        assertThat(a.granted() && c.granted()).isTrue();
        assertThat(a.weight()).isEqualTo(2);
        // another client of the IP has used 20; the server answered a before c reached it: 20 + 2
        b.onResponse(a, ok, headers("X-Used", "22"), t + 100);
        assertThat(b.snapshot(t + 100).weightUsed()).as("22 and c, still in flight").isEqualTo(24);
        int granted = 0;
        while (b.tryAcquire("/x", 2, t + 110).granted()) {
            granted++;
        }
        assertThat(granted).as("what is left of 30: 20 + a + c + 3 x 2").isEqualTo(3);
        // c's answer (the server had counted 24 then) and three in flight: nothing more to take
        b.onResponse(c, ok, headers("X-Used", "24"), t + 150);
        assertThat(b.snapshot(t + 150).weightUsed()).isEqualTo(30);
    }

    @Test
    void aFailedCallIsNoLongerInFlight() {
        HostBudget b = new HostBudget("h", List.of(Limit.weight(30, 3_000, "X-Used")));
        long t = 3_000_000_000L;
        Permit lost = b.tryAcquire("/x", 5, t);
        b.onResponse(lost, ResponseClassifier.ioError("timeout"), null, t + 1_000);
        Permit a = b.tryAcquire("/x", 2, t + 1_100);
        b.onResponse(a, new Classification(ResponseOutcome.OK, 200, null, null), headers("X-Used", "10"), t + 1_200);
        assertThat(b.snapshot(t + 1_200).weightUsed()).as("the failed call's 5 is no longer added").isEqualTo(10);
        // refused permits weigh nothing
        assertThat(b.tryAcquire("/x", 40, t + 1_300).weight()).isZero();
    }

    @Test
    void theServerWeightArrivesWithA429Too() {
        HostBudget b = binance();
        b.onResponse(429, headers("Retry-After", "3", WEIGHT_HEADER, "6100"), T0 + 1_000);
        assertThat(b.tryAcquire("/x", 1, T0 + 4_000).reason()).isEqualTo(Reason.WEIGHT);
        assertThat(b.tryAcquire("/x", 1, T0 + 60_000).granted()).isTrue();
    }

    @Test
    void endpointWindowsAreIndependentAcrossPathsAndSlide() {
        HostBudget b = new HostBudget("www.okx.com", List.of(Limit.requests(20, 2_000, Scope.ENDPOINT)));
        long now = T0 + 500;
        for (int i = 0; i < 20; i++) {
            assertThat(b.tryAcquire("/api/v5/market/ticker", 1, now + i).granted()).isTrue();
        }
        Permit p = b.tryAcquire("/api/v5/market/ticker?instId=BTC-USDT", 1, now + 100);
        assertThat(p.granted()).isFalse();
        assertThat(p.reason()).isEqualTo(Reason.RATE);
        assertThat(p.limit()).isEqualTo("requests:20/2s/endpoint /api/v5/market/ticker");
        assertThat(p.waitUntilMillis()).isEqualTo(now + 2_000); // when the first of the 20 leaves the window
        // another path has its own 20
        for (int i = 0; i < 20; i++) {
            assertThat(b.tryAcquire("/api/v5/market/history-trades", 1, now + 100).granted()).isTrue();
        }
        assertThat(b.tryAcquire("/api/v5/market/history-trades", 1, now + 100).granted()).isFalse();
        // sliding: one slot frees per millisecond as the first requests age out
        assertThat(b.tryAcquire("/api/v5/market/ticker", 1, now + 1_999).granted()).isFalse();
        assertThat(b.tryAcquire("/api/v5/market/ticker", 1, now + 2_000).granted()).isTrue();
        assertThat(b.tryAcquire("/api/v5/market/ticker", 1, now + 2_000).granted()).isFalse();
        assertThat(b.tryAcquire("/api/v5/market/ticker", 1, now + 2_000).waitUntilMillis()).isEqualTo(now + 2_001);
        Snapshot s = b.snapshot(now + 2_000);
        assertThat(s.requestsInWindow()).isEqualTo(20);
        assertThat(s.usage().get(0).path()).isIn("/api/v5/market/ticker", "/api/v5/market/history-trades");
    }

    @Test
    void aSlidingWindowNeverAllowsMoreThanNInAnyWindow() {
        HostBudget b = new HostBudget("h", List.of(Limit.requests(5, 1_000, Scope.HOST)));
        List<Long> sent = new ArrayList<>();
        for (long t = T0; t < T0 + 10_000; t += 7) {
            if (b.tryAcquire("/x", 1, t).granted()) {
                sent.add(t);
            }
        }
        for (int i = 5; i < sent.size(); i++) {
            assertThat(sent.get(i) - sent.get(i - 5)).isGreaterThanOrEqualTo(1_000);
        }
        assertThat(sent.size()).isBetween(46, 51);
    }

    @Test
    void aHalfShareCallerStopsAtHalfWhileFullShareCallersUseTheRest() {
        HostBudget b = new HostBudget("h", List.of(Limit.weight(6000, 60_000, WEIGHT_HEADER)));
        long now = T0 + 10;
        int backfill = 0;
        while (b.tryAcquire("/api/v3/historicalTrades", 25, now, 0.5).granted()) {
            backfill++;
        }
        assertThat(backfill).isEqualTo(120); // 120 x 25 = 3000 = half
        Permit p = b.tryAcquire("/api/v3/historicalTrades", 25, now, 0.5);
        assertThat(p.reason()).isEqualTo(Reason.WEIGHT);
        assertThat(p.waitUntilMillis()).isEqualTo(T0 + 60_000);
        int live = 0;
        while (b.tryAcquire("/api/v3/ticker/price", 2, now).granted()) {
            live++;
        }
        assertThat(live).isEqualTo(1500); // the other 3000
        // once others have used more than half, the half-share caller gets nothing either
        HostBudget c = new HostBudget("h", List.of(Limit.requests(10, 1_000, Scope.HOST)));
        for (int i = 0; i < 6; i++) {
            assertThat(c.tryAcquire("/x", 1, now).granted()).isTrue();
        }
        assertThat(c.tryAcquire("/x", 1, now, 0.5).reason()).isEqualTo(Reason.RATE);
        assertThat(c.tryAcquire("/x", 1, now, 1.0).granted()).isTrue();
    }

    @Test
    void aRequestHeavierThanTheShareOnlyGoesIntoAnEmptyWindow() {
        HostBudget b = new HostBudget("h", List.of(Limit.weight(100, 60_000, null)));
        assertThat(b.tryAcquire("/big", 80, T0, 0.5).granted()).isTrue();
        assertThat(b.tryAcquire("/big", 80, T0 + 1, 0.5).granted()).isFalse();
        assertThat(b.tryAcquire("/small", 20, T0 + 1).granted()).isTrue();
        assertThat(b.tryAcquire("/big", 80, T0 + 60_000, 0.5).granted()).isTrue();
    }

    @Test
    void badArguments() {
        HostBudget b = unlimited();
        assertThatThrownBy(() -> b.tryAcquire("/x", 1, T0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.tryAcquire("/x", 1, T0, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.tryAcquire("/x", 1, T0, Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.tryAcquire("/x", -1, T0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Limit(HostRule.Kind.REQUESTS, 20, 2_000, Scope.ENDPOINT, WEIGHT_HEADER))
                .hasMessageContaining("header");
    }

    @Test
    void snapshotCountsAndNextAllowedCall() {
        HostBudget b = new HostBudget("h", List.of(Limit.requests(2, 1_000, Scope.HOST), Limit.weight(10, 60_000, null)));
        assertThat(b.tryAcquire("/x", 3, T0).granted()).isTrue();
        assertThat(b.tryAcquire("/x", 3, T0 + 100).granted()).isTrue();
        assertThat(b.tryAcquire("/x", 3, T0 + 200).granted()).isFalse();
        Snapshot s = b.snapshot(T0 + 200);
        assertThat(s.name()).isEqualTo("h");
        assertThat(s.requestsInWindow()).isEqualTo(2);
        assertThat(s.weightUsed()).isEqualTo(6);
        assertThat(s.weightLimit()).isEqualTo(10);
        assertThat(s.nextAllowedMillis()).isEqualTo(T0 + 1_000);
        assertThat(s.grantedCount()).isEqualTo(2);
        assertThat(s.refusedCount()).isEqualTo(1);
        assertThat(s.blocked()).isFalse();
        assertThat(s.blockedUntilMillis()).isEqualTo(T0 + 200);
        // refusals name the window that is furthest off
        assertThat(b.tryAcquire("/x", 5, T0 + 1_000).reason()).isEqualTo(Reason.WEIGHT);
    }

    @Test
    void concurrentCallersNeverOverGrantTheLastSlots() throws Exception {
        HostBudget b = new HostBudget("h", List.of(Limit.requests(20, 2_000, Scope.ENDPOINT),
                Limit.weight(1000, 60_000, WEIGHT_HEADER)));
        int threads = 8;
        int attemptsEach = 5_000;
        AtomicInteger grantedA = new AtomicInteger();
        AtomicInteger weight = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < attemptsEach; i++) {
                    // all within one window of both limits: time steps inside [T0, T0 + 1999]
                    long now = T0 + (i % 2_000);
                    String path = (i + id) % 2 == 0 ? "/a" : "/b";
                    int w = 1 + (i % 3);
                    if (b.tryAcquire(path, w, now, id % 2 == 0 ? 1.0 : 0.5).granted()) {
                        weight.addAndGet(w);
                        if (path.equals("/a")) {
                            grantedA.incrementAndGet();
                        }
                    }
                    if (i % 50 == 0) {
                        b.onResponse(200, headers(WEIGHT_HEADER, "0"), now); // concurrent header reads, below our count
                    }
                }
            });
            ts.add(th);
            th.start();
        }
        start.countDown();
        for (Thread th : ts) {
            th.join();
        }
        Snapshot s = b.snapshot(T0 + 1_999);
        assertThat(grantedA.get()).isEqualTo(20);
        assertThat(s.grantedCount()).isEqualTo(40);
        assertThat(s.grantedCount() + s.refusedCount()).isEqualTo((long) threads * attemptsEach);
        assertThat(s.weightUsed()).isEqualTo(weight.get());
    }

    @Test
    void idleEndpointWindowsAreSweptSoManyPathsDoNotGrowWithoutBound() {
        HostBudget b = new HostBudget("h", List.of(Limit.requests(1, 1_000, Scope.ENDPOINT)));
        int peak = 0;
        for (int i = 0; i < 20_000; i++) {
            assertThat(b.tryAcquire("/products/P" + i + "/ticker", 1, T0 + i * 10L).granted()).isTrue();
            peak = Math.max(peak, b.trackedEndpoints());
        }
        // at most 100 paths are live in any second; the map stays near the sweep threshold
        assertThat(peak).isLessThanOrEqualTo(512);
        // a swept path starts afresh, a live one is still limited
        assertThat(b.tryAcquire("/products/P19999/ticker", 1, T0 + 199_999).granted()).isFalse();
        assertThat(b.tryAcquire("/products/P0/ticker", 1, T0 + 199_999).granted()).isTrue();
    }
}
