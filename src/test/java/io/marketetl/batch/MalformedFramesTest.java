package io.marketetl.batch;

import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.SqlRows;
import io.marketetl.testsupport.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

/**
 * The malformedCounter bean, as a source route's error handler would call it: counted per source in Micrometer at
 * once, and reported in the metrics of the source's next batch row (then reset).
 */
class MalformedFramesTest {

    @Test
    void malformedFramesAreReportedInTheNextBatchRowOfTheirSource() throws Exception {
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of("market-etl.batch.max-messages",
                        "10", "market-etl.batch.max-wait-ms", "600000"))) {
            // a stand-in for a source route's error handler: counts the frame it could not normalise
            p.context().addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:malformed").setHeader("MarketEtlSourceId", constant("okx-trades"))
                            .bean("malformedCounter");
                }
            });
            p.context().createProducerTemplate().sendBody("direct:malformed", "{not json");
            p.context().getRegistry().lookupByNameAndType("malformedCounter", MalformedCounter.class)
                    .increment("okx-trades");
            Feeder feeder = new Feeder(p, new MarketMessageFactory("okx-trades", Style.BINANCE, 1));
            feeder.sendMessages(10);
            await().atMost(Duration.ofSeconds(20)).until(() -> SqlRows.count(db.dataSource(),
                    "SELECT count(*) FROM websocket_batches") == 1);
            feeder.sendMessages(10);
            await().atMost(Duration.ofSeconds(20)).until(() -> SqlRows.count(db.dataSource(),
                    "SELECT count(*) FROM websocket_batches") == 2);
            assertThat(rows(db.dataSource(), "SELECT (metrics->>'malformed_frames')::int FROM websocket_batches"
                    + " ORDER BY id")).containsExactly(List.of(2), List.of(0));
            assertThat(p.counter("market_etl_malformed_frames")).isEqualTo(2.0);
        }
    }
}
