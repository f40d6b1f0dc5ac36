package io.marketetl.pipeline;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;

import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.camel.support.service.ServiceHelper;
import org.junit.jupiter.api.Test;

/**
 * A clean stop right after a burst (hand-off queue, open batches, queued and in-flight loads all busy) leaves nothing
 * in memory: every accepted message is a row, and every row is in a batch row.
 */
class ShutdownFlushTest {

    @Test
    void stopWritesEveryAcceptedMessage() {
        try (TestDatabase db = TestDatabase.create()) {
            DataSource ds = db.dataSource();
            PipelineHarness p = PipelineHarness.start(ds, Map.of("market-etl.batch.max-messages", "500",
                    "market-etl.batch.max-wait-ms", "600000", "market-etl.pipeline.handoff-frames", "2000"));
            List<Feeder> feeders = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                feeders.add(new Feeder(p, new MarketMessageFactory("source-" + s, s % 2 == 0 ? Style.OKX
                        : Style.BINANCE, s)));
            }
            for (int round = 0; round < 25; round++) {
                for (Feeder f : feeders) {
                    f.sendMessages(150);
                }
            }
            long sent = feeders.stream().mapToLong(Feeder::messages).sum();
            assertThat(p.backlog().messages()).isPositive(); // work is still in memory when the stop begins
            // the loader is one of the load route's services, so the shutdown strategy asks it for pending work
            assertThat(p.context().getRoute("pipeline-load").getServices().stream()
                    .flatMap(s -> ServiceHelper.getChildServices(s).stream()))
                    .anyMatch(s -> s == p.loader());

            p.stop();

            assertThat(p.backlog().messages()).isZero();
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(sent);
            assertThat(count(ds, "SELECT coalesce(sum(total_messages), 0) FROM websocket_batches")).isEqualTo(sent);
            for (Feeder f : feeders) {
                assertThat(rows(ds, "SELECT count(DISTINCT message_number), min(message_number),"
                        + " max(message_number) FROM websocket_messages WHERE connector_id = '" + f.sourceId() + "'"))
                        .containsExactly(List.of(f.messages(), 1L, f.messages()));
            }
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches WHERE metrics->>'completed_by' = 'force'"))
                    .isEqualTo(feeders.size());
        }
    }
}
