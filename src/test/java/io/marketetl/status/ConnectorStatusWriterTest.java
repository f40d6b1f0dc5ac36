package io.marketetl.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.testsupport.LogCapture;
import io.marketetl.testsupport.TcpProxy;
import io.marketetl.testsupport.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/**
 * The one writer of connector state rows, against a real database reached through a proxy the test cuts: callers never
 * wait for the database, changes made during an outage are written (latest state) once it is back, and a stop during
 * an outage ends after its bounded wait and says once what it could not write.
 */
class ConnectorStatusWriterTest {

    private static final Instant T = Instant.parse("2026-12-03T10:00:00Z");
    private static final StatusChange.Registration DEFINITION = new StatusChange.Registration("OKX trades", "wss://x",
            "WebSocket", "okx");

    @Test
    void aCoalescedChangeIsWrittenInOneGo() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            ConnectorStatusStore store = new ConnectorStatusStore(db.dataSource(), 1000);
            StatusChange change = StatusChange.registered(DEFINITION)
                    .then(StatusChange.status("connecting"), 1000)
                    .then(StatusChange.reconnectAttempt(), 1000)
                    .then(StatusChange.reconnectAttempt(), 1000)
                    .then(StatusChange.error(T, "stale: no data"), 1000)
                    .then(StatusChange.error(T.plusSeconds(1), "disconnected"), 1000)
                    .then(StatusChange.performance(Map.of("rate", 5)), 1000)
                    .then(StatusChange.status("running"), 1000);
            store.write("okx-trades", change);
            assertThat(db.rows("SELECT c.status, s.status, s.reconnect_attempts, s.error_log, s.last_error = '"
                    + T.plusSeconds(1) + "', s.performance_metrics->>'rate' FROM api_connectors c JOIN connector_status s"
                    + " USING (connector_id)")).containsExactly(List.of("running", "running", 2,
                            T + " stale: no data\n" + T.plusSeconds(1) + " disconnected", true, "5"));

            store.write("okx-trades", StatusChange.stopped().then(StatusChange.reconnectAttempts(0), 1000));
            assertThat(db.rows("SELECT c.status, s.status, s.reconnect_attempts FROM api_connectors c"
                    + " JOIN connector_status s USING (connector_id)")).containsExactly(List.of("stopped", "stopped", 0));
        }
    }

    @Test
    void changesMadeDuringAnOutageAreWrittenLatestStateFirstOnceTheDatabaseIsBack() throws Exception {
        try (TestDatabase db = TestDatabase.create();
                TcpProxy path = new TcpProxy(db.settings().host(), db.settings().port());
                HikariDataSource pool = db.poolThrough(path.port())) {
            ConnectorStatusWriter writer = new ConnectorStatusWriter(new ConnectorStatusStore(pool, 1000),
                    Duration.ofMillis(100), Duration.ofSeconds(2));
            writer.start();
            try {
                writer.submit("a", StatusChange.registered(DEFINITION));
                assertThat(writer.awaitWritten("a", Duration.ofSeconds(30))).isTrue();

                path.cut();
                for (int i = 0; i < 500; i++) {
                    writer.submit("a", StatusChange.reconnectAttempt());
                    writer.submit("a", StatusChange.error(T.plusMillis(i), "attempt " + i));
                }
                writer.submit("a", StatusChange.status("running"));
                path.restore();

                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(db.rows(
                        "SELECT status, reconnect_attempts FROM connector_status WHERE connector_id = 'a'"))
                        .containsExactly(List.of("running", 500)));
                assertThat(db.queryString("SELECT error_log FROM connector_status")).endsWith("attempt 499");
            } finally {
                writer.stop();
            }
        }
    }

    @Test
    void aStopDuringAnOutageEndsAfterItsBoundedWaitAndSaysOnceWhatItCouldNotWrite() throws Exception {
        try (TestDatabase db = TestDatabase.create();
                TcpProxy path = new TcpProxy(db.settings().host(), db.settings().port());
                HikariDataSource pool = db.poolThrough(path.port());
                LogCapture log = LogCapture.of(ConnectorStatusWriter.class)) {
            ConnectorStatusWriter writer = new ConnectorStatusWriter(new ConnectorStatusStore(pool, 1000),
                    Duration.ofMillis(100), Duration.ofMillis(500));
            writer.start();
            writer.submit("a", StatusChange.registered(DEFINITION));
            writer.submit("b", StatusChange.registered(DEFINITION));
            assertThat(writer.awaitWritten("a", Duration.ofSeconds(30))).isTrue();
            assertThat(writer.awaitWritten("b", Duration.ofSeconds(30))).isTrue();

            path.cut();
            writer.submit("a", StatusChange.stopped());
            writer.submit("b", StatusChange.stopped());
            // a deadline for a hang, not a speed measurement: the stop's own wait is 0.5 s
            CompletableFuture<Void> stop = CompletableFuture.runAsync(writer::stop);
            await().atMost(Duration.ofSeconds(30)).until(stop::isDone);
            stop.get();

            List<String> warnings = log.lines(Level.WARN, "Stopping without writing");
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0)).contains("a: status stopped").contains("b: status stopped");
            path.restore();
            assertThat(db.queryLong("SELECT count(*) FROM connector_status WHERE status = 'starting'")).isEqualTo(2);
        }
    }
}
