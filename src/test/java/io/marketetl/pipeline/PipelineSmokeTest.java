package io.marketetl.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineSmokeTest {

    @Test
    void framesBecomeRows() {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of("market-etl.batch.max-messages", "50",
                        "market-etl.batch.max-wait-ms", "200"))) {
            MarketMessageFactory f = new MarketMessageFactory("okx-trades", MarketMessageFactory.Style.OKX, 1);
            int sent = 0;
            for (int i = 0; i < 100; i++) {
                var frame = f.frame(Instant.now());
                sent += frame.size();
                p.send(frame);
            }
            int expected = sent;
            await().atMost(Duration.ofSeconds(20)).until(() -> db.queryLong("SELECT count(*) FROM websocket_messages") == expected);
            p.stop();
            assertThat(db.queryLong("SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(expected);
        }
    }
}
