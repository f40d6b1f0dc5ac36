package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.exchanges.ExchangeDialect;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A slow route pauses the socket above the high-water mark and resumes it below the low one; order kept, nothing lost. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BackpressureTest {

    private static final Pattern TRADE_ID = Pattern.compile("\"tradeId\":\"(\\d+)\"");

    @Test
    void slowRoutePausesAndResumesTheSocketWithoutLossOrReordering() throws Exception {
        int total = 3000;
        int high = 50;
        int low = 10;
        Vertx vertx = Vertx.vertx();
        ExecutorService worker = Executors.newSingleThreadExecutor();
        ExecutorService events = Executors.newSingleThreadExecutor();
        try (LoopbackExchange server = new LoopbackExchange()) {
            server.burst = total;
            CountDownLatch gate = new CountDownLatch(1);
            AtomicBoolean routeBlocked = new AtomicBoolean();
            List<Long> ids = new CopyOnWriteArrayList<>();
            FrameDispatcher dispatcher = new FrameDispatcher("bp", high, low, frame -> {
                routeBlocked.set(true);
                gate.await();
                Matcher m = TRADE_ID.matcher(frame.text());
                if (m.find()) {
                    ids.add(Long.parseLong(m.group(1)));
                }
            });
            SourceConfig config = new SourceConfig().sourceId("okx-bp").dialect("okx").channels("trades")
                    .instruments("BTC-USDT").url(server.okxUrl()).queueHighWater(high).queueLowWater(low)
                    .staleAfterMs(300).pingIntervalMs(200).pongTimeoutMs(300).minConnectIntervalMs(50).hostConnectIntervalMs(0).validate();
            RecordingEvents recorded = new RecordingEvents();
            ExchangeConnection connection = new ExchangeConnection(vertx, config, ExchangeDialect.create(config),
                    dispatcher, recorded, events, null);
            dispatcher.setOnBelowLowWater(connection::resumeIfDrained);
            worker.execute(dispatcher);
            connection.start();

            // the route is blocked on its first frame: the queue fills to the high-water mark and the socket is paused
            await().atMost(Duration.ofSeconds(5)).until(() -> connection.isPaused() && routeBlocked.get());
            int depth = dispatcher.size();
            assertThat(depth).isBetween(high - 1, high); // the frame the route holds may have left the queue already
            // while paused, no stale reconnect (the silence is ours) and nothing more is accepted
            await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2))
                    .until(() -> dispatcher.size() == depth && connection.reconnects() == 0);

            gate.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> ids.size() == total);
            assertThat(ids).hasSize(total);
            for (int i = 0; i < total; i++) {
                assertThat(ids.get(i)).isEqualTo(i + 1L);
            }
            assertThat(dispatcher.maxDepth()).isLessThanOrEqualTo(high);
            assertThat(dispatcher.pauses()).isGreaterThanOrEqualTo(1);
            assertThat(connection.isPaused()).isFalse();
            assertThat(connection.reconnects()).isZero();
            assertThat(server.accepted.get()).isEqualTo(1);
            connection.stop().get(5, TimeUnit.SECONDS);
            assertThat(dispatcher.stop(5000)).isTrue();
        } finally {
            worker.shutdownNow();
            events.shutdownNow();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
