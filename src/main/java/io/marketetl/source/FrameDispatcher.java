package io.marketetl.source;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands frames from the I/O thread to the route on one worker thread per source, in arrival order, through a queue
 * bounded by flow control: {@link #accept} reports when the queue reaches the high-water mark (the source then pauses
 * the socket, so the producer stops), and {@code onBelowLowWater} runs on the worker once it has drained to the
 * low-water mark. Nothing accepted is dropped; {@link #stop} drains what is queued.
 * <p>
 * With {@code maxGroup} > 1 the worker takes up to that many queued frames at once and hands them over in one
 * {@link Delivery#deliverAll} call (arrival order kept). Without a linger it never waits for more frames to come, so
 * a frame that finds the queue empty goes on alone ({@link Delivery#deliver}) as with 1. With a linger it lets the
 * frames right behind the first one join its group: it waits up to the linger for the group to fill (not woken by
 * each arriving frame, only by a full group, the high-water mark or a stop), so that a source whose frames arrive
 * one at a time (many sources, or many quiet streams on one socket) pays the route's per-exchange cost and a thread
 * wake-up once per group instead of once per frame, for at most the linger of added latency.
 */
public final class FrameDispatcher implements ExchangeConnection.FrameSink, Runnable {

    /** Delivers one frame to the route (on the worker thread). */
    @FunctionalInterface
    public interface Delivery {
        void deliver(RawFrame frame) throws Exception;

        /** Several frames, in arrival order (at least two); by default one {@link #deliver} each. */
        default void deliverAll(List<RawFrame> frames) throws Exception {
            for (RawFrame f : frames) {
                deliver(f);
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(FrameDispatcher.class);

    private final String name;
    private final int highWater;
    private final int lowWater;
    private final int maxGroup;
    private final long lingerNanos;
    private final Delivery delivery;
    private volatile Runnable onBelowLowWater = () -> { };
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    /** Signalled while the worker lingers, once its group is full (or the socket must pause, or on stop). */
    private final Condition groupReady = lock.newCondition();
    private final ArrayDeque<RawFrame> queue = new ArrayDeque<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private boolean aboveHigh;
    private boolean lingering;
    private boolean running = true;
    private int maxDepth;
    private long pauses;

    public FrameDispatcher(String name, int highWater, int lowWater, Delivery delivery) {
        this(name, highWater, lowWater, 1, 0, delivery);
    }

    /**
     * @param maxGroup    most queued frames handed over in one {@link Delivery#deliverAll} call (1 = one by one)
     * @param lingerNanos with {@code maxGroup} > 1: how long a group may wait to fill once its first frame is there
     *                    (0 = never wait)
     */
    public FrameDispatcher(String name, int highWater, int lowWater, int maxGroup, long lingerNanos,
            Delivery delivery) {
        if (lowWater < 0 || lowWater >= highWater) {
            throw new IllegalArgumentException("need 0 <= lowWater < highWater");
        }
        if (maxGroup < 1) {
            throw new IllegalArgumentException("need maxGroup >= 1");
        }
        if (lingerNanos < 0) {
            throw new IllegalArgumentException("need lingerNanos >= 0");
        }
        this.name = name;
        this.highWater = highWater;
        this.lowWater = lowWater;
        this.maxGroup = maxGroup;
        this.lingerNanos = maxGroup > 1 ? lingerNanos : 0;
        this.delivery = delivery;
    }

    /** Called on the worker thread when the queue has drained to the low-water mark after a pause. */
    public void setOnBelowLowWater(Runnable onBelowLowWater) {
        this.onBelowLowWater = onBelowLowWater;
    }

    @Override
    public boolean accept(RawFrame frame) {
        lock.lock();
        try {
            queue.addLast(frame);
            int size = queue.size();
            maxDepth = Math.max(maxDepth, size);
            if (!aboveHigh && size >= highWater) {
                aboveHigh = true;
                pauses++;
            }
            notEmpty.signal();
            if (lingering && (size >= maxGroup || aboveHigh)) {
                groupReady.signal();
            }
            return aboveHigh;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean shouldPause() {
        lock.lock();
        try {
            return aboveHigh;
        } finally {
            lock.unlock();
        }
    }

    /** The worker loop: runs until {@link #stop} and the queue is empty. */
    @Override
    public void run() {
        try {
            while (true) {
                RawFrame frame;
                List<RawFrame> group = null;
                boolean resume = false;
                lock.lock();
                try {
                    while (queue.isEmpty()) {
                        if (!running) {
                            return;
                        }
                        notEmpty.await();
                    }
                    linger();
                    frame = queue.pollFirst();
                    if (maxGroup > 1 && !queue.isEmpty()) {
                        int n = Math.min(maxGroup, queue.size() + 1);
                        group = new ArrayList<>(n);
                        group.add(frame);
                        while (group.size() < n) {
                            group.add(queue.pollFirst());
                        }
                    }
                    if (aboveHigh && queue.size() <= lowWater) {
                        aboveHigh = false;
                        resume = true;
                    }
                } finally {
                    lock.unlock();
                }
                if (resume) {
                    onBelowLowWater.run();
                }
                int frames = group == null ? 1 : group.size();
                try {
                    if (group == null) {
                        delivery.deliver(frame);
                    } else {
                        delivery.deliverAll(group);
                    }
                    delivered.addAndGet(frames);
                } catch (Throwable t) {
                    failures.addAndGet(frames);
                    LOG.warn("{}: delivering {} failed: {}", name, frames == 1 ? "a frame" : frames + " frames",
                            t.toString(), t);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            int left = size();
            if (left > 0) {
                LOG.warn("{}: dispatcher interrupted with {} frames queued", name, left);
            }
        } finally {
            finished.countDown();
        }
    }

    /** Under the lock, with a frame queued: waits up to the linger for the group to fill. */
    private void linger() throws InterruptedException {
        long left = lingerNanos;
        if (left == 0) {
            return;
        }
        lingering = true;
        try {
            while (left > 0 && running && !aboveHigh && queue.size() < maxGroup) {
                left = groupReady.awaitNanos(left);
            }
        } finally {
            lingering = false;
        }
    }

    /** Stops accepting work once the queue is drained; waits up to {@code timeoutMs} for that. */
    public boolean stop(long timeoutMs) throws InterruptedException {
        lock.lock();
        try {
            running = false;
            notEmpty.signalAll();
            groupReady.signalAll();
        } finally {
            lock.unlock();
        }
        boolean done = finished.await(timeoutMs, TimeUnit.MILLISECONDS);
        if (!done) {
            LOG.warn("{}: {} frames still queued after waiting {} ms for the route", name, size(), timeoutMs);
        }
        return done;
    }

    public int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Largest queue depth seen. */
    public int maxDepth() {
        lock.lock();
        try {
            return maxDepth;
        } finally {
            lock.unlock();
        }
    }

    /** How many times the queue reached the high-water mark. */
    public long pauses() {
        lock.lock();
        try {
            return pauses;
        } finally {
            lock.unlock();
        }
    }

    public long delivered() {
        return delivered.get();
    }

    public long failures() {
        return failures.get();
    }
}
