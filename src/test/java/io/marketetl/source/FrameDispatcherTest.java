package io.marketetl.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.exchanges.ExchangeDialect;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The worker's hand-over: one frame alone, or up to maxGroup frames that were already queued, in arrival order. */
class FrameDispatcherTest {

    private static final ExchangeDialect DIALECT = ExchangeDialect.create(new SourceConfig().sourceId("fd")
            .dialect("okx").channels("trades").instruments("BTC-USDT").validate());

    @Test
    void queuedFramesGoOverInGroupsOfAtMostMaxGroupAndAFrameAloneGoesAlone() throws Exception {
        List<List<String>> deliveries = new ArrayList<>();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch allDelivered = new CountDownLatch(7);
        FrameDispatcher d = recording(100, 10, 3, 0, deliveries, allDelivered, frame -> {
            if (frame.text().equals("1")) {
                firstStarted.countDown();
                release.await();
            }
        });
        Thread worker = new Thread(d, "fd-worker");
        worker.start();
        d.accept(frame("1"));
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 2; i <= 6; i++) {
            d.accept(frame(Integer.toString(i))); // queued while frame 1 is being delivered
        }
        release.countDown();
        // once the queue is empty again, a frame goes alone
        await().atMost(Duration.ofSeconds(10)).until(() -> d.delivered() == 6);
        d.accept(frame("7"));
        assertThat(allDelivered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(d.stop(10_000)).isTrue();
        worker.join(10_000);
        synchronized (deliveries) {
            assertThat(deliveries).containsExactly(List.of("1"), List.of("2", "3", "4"), List.of("5", "6"),
                    List.of("7"));
        }
        assertThat(d.delivered()).isEqualTo(7);
        assertThat(d.failures()).isZero();
    }

    @Test
    void withMaxGroupOneEveryFrameGoesAlone() throws Exception {
        List<String> delivered = new ArrayList<>();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        FrameDispatcher d = new FrameDispatcher("fd", 100, 10, frame -> {
            synchronized (delivered) {
                delivered.add(frame.text());
            }
            if (frame.text().equals("1")) {
                firstStarted.countDown();
                release.await();
            }
        });
        Thread worker = new Thread(d, "fd-worker");
        worker.start();
        d.accept(frame("1"));
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();
        d.accept(frame("2"));
        d.accept(frame("3"));
        release.countDown();
        assertThat(d.stop(10_000)).isTrue(); // drains what is queued
        worker.join(10_000);
        assertThat(delivered).containsExactly("1", "2", "3");
        assertThat(d.delivered()).isEqualTo(3);
    }

    /**
     * A dispatcher grouping up to {@code maxGroup} frames with a linger, recording each delivery's frames in
     * {@code out} and counting them down on {@code delivered}; {@code afterAlone} runs after a frame delivered alone.
     */
    private static FrameDispatcher recording(int high, int low, int maxGroup, long lingerMs, List<List<String>> out,
            CountDownLatch delivered, FrameDispatcher.Delivery afterAlone) {
        return new FrameDispatcher("fd", high, low, maxGroup, TimeUnit.MILLISECONDS.toNanos(lingerMs),
                new FrameDispatcher.Delivery() {
                    @Override
                    public void deliver(RawFrame frame) throws Exception {
                        record(List.of(frame));
                        afterAlone.deliver(frame);
                    }

                    @Override
                    public void deliverAll(List<RawFrame> frames) {
                        record(frames);
                    }

                    private void record(List<RawFrame> frames) {
                        synchronized (out) {
                            out.add(frames.stream().map(RawFrame::text).toList());
                        }
                        frames.forEach(f -> delivered.countDown());
                    }
                });
    }

    private static FrameDispatcher lingering(int high, int low, int maxGroup, long lingerMs, List<List<String>> out,
            CountDownLatch delivered) {
        return recording(high, low, maxGroup, lingerMs, out, delivered, frame -> { });
    }

    @Test
    void withALingerFramesArrivingOneByOneShareOneDeliveryAndAStopEndsTheLinger() throws Exception {
        List<List<String>> deliveries = new ArrayList<>();
        CountDownLatch firstFour = new CountDownLatch(4);
        // a linger far longer than the test: only a full group or the stop can end it
        FrameDispatcher d = lingering(100, 10, 4, 600_000, deliveries, firstFour);
        Thread worker = new Thread(d, "fd-worker");
        worker.start();
        for (String t : List.of("1", "2", "3", "4")) {
            d.accept(frame(t)); // one at a time, the worker lingering after the first
        }
        assertThat(firstFour.await(10, TimeUnit.SECONDS)).isTrue();
        d.accept(frame("5"));
        d.accept(frame("6"));
        assertThat(d.stop(10_000)).as("the stop ends the linger and delivers what is queued").isTrue();
        worker.join(10_000);
        synchronized (deliveries) {
            assertThat(deliveries).containsExactly(List.of("1", "2", "3", "4"), List.of("5", "6"));
        }
        assertThat(d.delivered()).isEqualTo(6);
    }

    @Test
    void aLingerEndsAtItsDeadlineAndAFrameAloneGoesOn() throws Exception {
        List<List<String>> deliveries = new ArrayList<>();
        CountDownLatch one = new CountDownLatch(1);
        FrameDispatcher d = lingering(100, 10, 32, 20, deliveries, one);
        Thread worker = new Thread(d, "fd-worker");
        worker.start();
        d.accept(frame("1"));
        assertThat(one.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(d.stop(10_000)).isTrue();
        worker.join(10_000);
        assertThat(deliveries).containsExactly(List.of("1"));
    }

    @Test
    void theHighWaterMarkEndsTheLinger() throws Exception {
        List<List<String>> deliveries = new ArrayList<>();
        CountDownLatch three = new CountDownLatch(3);
        FrameDispatcher d = lingering(3, 1, 32, 600_000, deliveries, three);
        Thread worker = new Thread(d, "fd-worker");
        worker.start();
        assertThat(d.accept(frame("1"))).isFalse();
        assertThat(d.accept(frame("2"))).isFalse();
        assertThat(d.accept(frame("3"))).as("pause the socket").isTrue();
        // the group does not wait for the linger (the socket is paused: nothing more would come)
        assertThat(three.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(d.shouldPause()).isFalse();
        assertThat(d.stop(10_000)).isTrue();
        worker.join(10_000);
        assertThat(deliveries).containsExactly(List.of("1", "2", "3"));
    }

    private static RawFrame frame(String text) {
        return new RawFrame("fd", DIALECT, text, Instant.now(), System.nanoTime());
    }
}
