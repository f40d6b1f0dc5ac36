package io.marketetl.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The coalescing of status changes, alone: what one pending change per connector must mean. */
class PendingStatusTest {

    private static final Instant T = Instant.parse("2026-12-03T10:00:00Z");
    private static final StatusChange.Registration DEFINITION = new StatusChange.Registration("OKX", "wss://x",
            "WebSocket", "okx");

    @Test
    void theLatestStatusAndPerformanceWinAndCountersAddUp() {
        PendingStatus pending = new PendingStatus(1000);
        pending.add("a", StatusChange.status("connecting"));
        pending.add("a", StatusChange.reconnectAttempt());
        pending.add("a", StatusChange.reconnectAttempt());
        pending.add("a", StatusChange.performance(Map.of("rate", 1)));
        pending.add("a", StatusChange.status("running"));
        pending.add("a", StatusChange.performance(Map.of("rate", 2)));

        StatusChange a = pending.takeAll().get("a");
        assertThat(a.status()).isEqualTo("running");
        assertThat(a.reconnectAttempts()).isNull();
        assertThat(a.reconnectIncrement()).isEqualTo(2);
        assertThat(a.performance()).isEqualTo(Map.of("rate", 2));
        assertThat(pending.isEmpty()).isTrue();
    }

    @Test
    void aSetCountReplacesEarlierIncrementsAndLaterOnesAddToIt() {
        StatusChange c = StatusChange.reconnectAttempt().then(StatusChange.reconnectAttempts(5), 100)
                .then(StatusChange.reconnectAttempt(), 100);
        assertThat(c.reconnectAttempts()).isEqualTo(5);
        assertThat(c.reconnectIncrement()).isEqualTo(1);
        assertThat(c.status()).isEqualTo("reconnecting");
    }

    @Test
    void errorLinesAppendAndOnlyTheNewestWithinTheBoundAreKept() {
        PendingStatus pending = new PendingStatus(40);
        for (int i = 0; i < 10; i++) {
            pending.add("a", StatusChange.error(T.plusSeconds(i), "e" + i + "\nsecond line"));
        }
        StatusChange a = pending.takeAll().get("a");
        // each line is "2026-12-03T10:00:0iZ ei second line" (36 characters): one fits in 40
        assertThat(a.errorLines()).containsExactly(T.plusSeconds(9) + " e9 second line");
        assertThat(a.droppedErrorLines()).isEqualTo(9);
        assertThat(a.lastError()).isEqualTo(T.plusSeconds(9));
    }

    @Test
    void aRegistrationResetsTheStatusesBeforeItButKeepsErrorsAndCounters() {
        StatusChange c = StatusChange.stopped().then(StatusChange.error(T, "x"), 100)
                .then(StatusChange.reconnectAttempt(), 100).then(StatusChange.registered(DEFINITION), 100);
        assertThat(c.registration()).isEqualTo(DEFINITION);
        assertThat(c.status()).isNull(); // the registration's own: starting
        assertThat(c.connectorStatus()).isNull(); // the registration's own: running
        assertThat(c.errorLines()).hasSize(1);
        assertThat(c.reconnectIncrement()).isEqualTo(1);

        StatusChange after = c.then(StatusChange.status("connecting"), 100);
        assertThat(after.registration()).isEqualTo(DEFINITION);
        assertThat(after.status()).isEqualTo("connecting");
    }

    @Test
    void anUnwrittenChangeGoesBackInFrontOfNewerOnes() {
        PendingStatus pending = new PendingStatus(1000);
        pending.add("a", StatusChange.status("connecting"));
        pending.add("a", StatusChange.error(T, "first"));
        StatusChange taken = pending.takeAll().get("a");
        // while it was being written (and failed), newer changes came
        pending.add("a", StatusChange.status("running"));
        pending.add("a", StatusChange.error(T.plusSeconds(1), "second"));
        pending.putBack("a", taken);

        StatusChange a = pending.takeAll().get("a");
        assertThat(a.status()).isEqualTo("running");
        assertThat(a.errorLines()).containsExactly(T + " first", T.plusSeconds(1) + " second");
        assertThat(a.lastError()).isEqualTo(T.plusSeconds(1));
    }

    @Test
    void coalescingIsAssociative() {
        List<StatusChange> changes = List.of(StatusChange.registered(DEFINITION), StatusChange.status("connecting"),
                StatusChange.reconnectAttempt(), StatusChange.error(T, "x"), StatusChange.reconnectAttempts(3),
                StatusChange.performance(Map.of("k", 1)), StatusChange.stopped(), StatusChange.reconnectAttempt(),
                StatusChange.registered(DEFINITION), StatusChange.status("running"));
        for (int split = 1; split < changes.size(); split++) {
            StatusChange left = fold(changes.subList(0, split));
            StatusChange right = fold(changes.subList(split, changes.size()));
            assertThat(left.then(right, 1000)).as("split at %d", split).isEqualTo(fold(changes));
        }
    }

    @Test
    void connectorsStayApartAndMemoryIsOneChangePerConnector() {
        PendingStatus pending = new PendingStatus(1000);
        for (int i = 0; i < 1000; i++) {
            pending.add("a", StatusChange.status("s" + i));
            pending.add("b", StatusChange.reconnectAttempt());
        }
        Map<String, StatusChange> all = new HashMap<>(pending.takeAll());
        assertThat(all).containsOnlyKeys("a", "b");
        assertThat(all.get("a").status()).isEqualTo("s999");
        assertThat(all.get("b").reconnectIncrement()).isEqualTo(1000);
        assertThat(all.get("b").status()).isEqualTo("reconnecting");
    }

    @Test
    void nullMetricValuesAreKept() {
        Map<String, Object> metrics = new HashMap<>();
        metrics.put("last_error", null);
        assertThat(StatusChange.performance(metrics).performance()).containsEntry("last_error", null);
    }

    private static StatusChange fold(List<StatusChange> changes) {
        StatusChange c = changes.get(0);
        for (StatusChange next : changes.subList(1, changes.size())) {
            c = c.then(next, 1000);
        }
        return c;
    }
}
