package io.marketetl.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.TestDatabase;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ConnectorStatusStoreTest {

    @Test
    void registeringTwiceKeepsOneConnectorAndOneStatusRow() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            ConnectorStatusStore store = new ConnectorStatusStore(db.dataSource(), 1000);
            store.register("okx-trades", "OKX trades", "wss://a", "WebSocket", "okx");
            store.register("okx-trades", "OKX trades", "wss://b", "WebSocket", "okx");
            assertThat(db.queryLong("SELECT count(*) FROM api_connectors WHERE connector_id = 'okx-trades'"
                    + " AND api_url = 'wss://b' AND protocol_type = 'WebSocket' AND exchange_name = 'okx'")).isEqualTo(1);
            assertThat(db.queryLong("SELECT count(*) FROM connector_status WHERE connector_id = 'okx-trades'"
                    + " AND status = 'starting'")).isEqualTo(1);

            store.reconnectAttempt("okx-trades");
            store.reconnectAttempt("okx-trades");
            assertThat(db.queryLong("SELECT reconnect_attempts FROM connector_status")).isEqualTo(2);
        }
    }

    @Test
    void errorLogKeepsTheNewestWholeLinesWithinItsBound() throws Exception {
        try (TestDatabase db = TestDatabase.create()) {
            ConnectorStatusStore store = new ConnectorStatusStore(db.dataSource(), 200);
            store.register("s", "s", "wss://x", "WebSocket", "okx");
            Instant t = Instant.parse("2026-11-25T00:00:00Z");
            for (int i = 0; i < 50; i++) {
                store.error("s", t.plusSeconds(i), "error number " + i);
            }
            String log = db.queryString("SELECT error_log FROM connector_status");
            assertThat(log.length()).isLessThanOrEqualTo(200);
            assertThat(log).endsWith("error number 49").doesNotContain("error number 1\n");
            assertThat(log.lines()).allMatch(l -> l.matches("2026-11-25T00:00:\\d\\dZ error number \\d+"));
            assertThat(db.queryLong("SELECT count(*) FROM connector_status WHERE last_error = '2026-11-25T00:00:49Z'"))
                    .isEqualTo(1);
        }
    }
}
