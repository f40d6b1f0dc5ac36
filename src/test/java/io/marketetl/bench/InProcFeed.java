package io.marketetl.bench;

import io.marketetl.normalise.MarketMessage;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.PipelineHarness;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Feed "inproc": realistic OKX (1-3 trades per frame) and Binance (1 per frame) messages, half the sources each,
 * generated and sent to {@code direct:market-messages} by up to two threads (like the sources' event loops), each
 * serving its share of the sources round-robin. A message's event time is its generation time: for an offered rate,
 * the time it was scheduled to be sent (open loop), so time spent waiting on back-pressure counts as latency.
 */
final class InProcFeed implements Feed {

    private final PipelineHarness pipeline;

    InProcFeed(PipelineHarness pipeline) {
        this.pipeline = pipeline;
    }

    @Override
    public Sent run(Plan plan) throws InterruptedException {
        int threads = Math.min(plan.sources(), 2);
        List<List<MarketMessageFactory>> shares = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            shares.add(new ArrayList<>());
        }
        for (int i = 0; i < plan.sources(); i++) {
            shares.get(i % threads).add(new MarketMessageFactory("bench-" + i,
                    i % 2 == 0 ? MarketMessageFactory.Style.OKX : MarketMessageFactory.Style.BINANCE,
                    plan.seed() + i));
        }
        AtomicLong total = new AtomicLong();
        AtomicLong last = new AtomicLong();
        long start = System.nanoTime();
        Instant startWall = Instant.now();
        long end = start + plan.duration().toNanos();
        double threadRate = plan.ratePerSecond() / threads;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<MarketMessageFactory> mine = shares.get(t);
            Thread w = new Thread(() -> {
                long sent = 0;
                int k = 0;
                while (true) {
                    long now = System.nanoTime();
                    if (now >= end) {
                        break;
                    }
                    Instant eventTime;
                    if (threadRate > 0) {
                        long due = start + (long) (sent * 1e9 / threadRate);
                        if (due >= end) {
                            break;
                        }
                        while ((now = System.nanoTime()) < due) {
                            LockSupport.parkNanos(due - now);
                        }
                        eventTime = startWall.plusNanos(due - start);
                    } else {
                        eventTime = Instant.now();
                    }
                    MarketMessageFactory f = mine.get(k++ % mine.size());
                    List<MarketMessage> frame = f.frame(eventTime);
                    pipeline.send(frame);
                    sent += frame.size();
                }
                total.addAndGet(sent);
                last.accumulateAndGet(System.nanoTime(), Math::max);
            }, "bench-source-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        return new Sent(total.get(), start, last.get());
    }
}
