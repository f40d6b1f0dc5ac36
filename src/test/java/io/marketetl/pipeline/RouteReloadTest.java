package io.marketetl.pipeline;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.testsupport.Feeder;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.MarketMessageFactory.Style;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.RouteWatcherReloadStrategy;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Editing market-etl/pipeline.camel.yaml while sources stream: the reload (per file, as the application configures it)
 * stops the old pipeline routes, which first flush everything they hold into the database, and starts the new ones.
 * No message is lost or stored twice, and numbering continues.
 */
class RouteReloadTest {

    @TempDir
    Path routes;

    @Test
    void reloadingThePipelineFileWhileStreamingLosesNothing() throws Exception {
        Path file = routes.resolve("pipeline.camel.yaml");
        Files.copy(PipelineHarness.ROUTE_FILE, file);
        AtomicInteger reloaded = new AtomicInteger();
        try (TestDatabase db = TestDatabase.create();
                PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of(
                        "market-etl.batch.max-messages", "1000", "market-etl.batch.max-wait-ms", "600000"), file,
                        context -> {
                            RouteWatcherReloadStrategy reload = new RouteWatcherReloadStrategy(routes.toString(), false);
                            reload.setPattern("*.camel.yaml");
                            reload.setRemoveAllRoutes(false); // as application.properties on main configures it
                            try {
                                context.addService(reload);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
                                @Override
                                public void notify(CamelEvent event) {
                                    if (event instanceof CamelEvent.RouteReloadedEvent) {
                                        reloaded.incrementAndGet();
                                    }
                                }
                            });
                        })) {
            DataSource ds = db.dataSource();
            List<Feeder> feeders = List.of(
                    new Feeder(p, new MarketMessageFactory("okx-trades", Style.OKX, 1)),
                    new Feeder(p, new MarketMessageFactory("binance-trades", Style.BINANCE, 2)));
            AtomicBoolean streaming = new AtomicBoolean(true);
            Thread sources = new Thread(() -> {
                while (streaming.get()) {
                    for (Feeder f : feeders) {
                        f.sendMessages(40);
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
            }, "sources");
            sources.start();
            // size-completed batches are being written, and batches (max-wait is long) are open in memory
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_messages") >= 2000);

            Files.writeString(file, "\n# edited while running\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            await().atMost(Duration.ofSeconds(60)).until(() -> reloaded.get() >= 3);
            long afterReload = count(ds, "SELECT count(*) FROM websocket_messages");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> count(ds, "SELECT count(*) FROM websocket_messages") >= afterReload + 2000);
            streaming.set(false);
            sources.join(TimeUnit.SECONDS.toMillis(30));
            p.stop();

            long sent = feeders.stream().mapToLong(Feeder::messages).sum();
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages")).isEqualTo(sent);
            for (Feeder f : feeders) {
                assertThat(rows(ds, "SELECT count(DISTINCT message_number), min(message_number), max(message_number)"
                        + " FROM websocket_messages WHERE connector_id = '" + f.sourceId() + "'"))
                        .containsExactly(List.of(f.messages(), 1L, f.messages()));
            }
            assertThat(count(ds, "SELECT sum(total_messages) FROM websocket_batches")).isEqualTo(sent);
            // open batches were flushed twice: by the reload, and by the final stop
            assertThat(count(ds, "SELECT count(*) FROM websocket_batches WHERE metrics->>'completed_by' = 'force'"))
                    .isGreaterThanOrEqualTo(2 * feeders.size());
        }
    }
}
