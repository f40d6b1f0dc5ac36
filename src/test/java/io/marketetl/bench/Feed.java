package io.marketetl.bench;

import java.time.Duration;

/**
 * Where the benchmark's messages come from. The harness measures at the database end (commit time of each message
 * against its event time, as reported by the loader), so a feed only has to offer messages at a rate:
 * <ul>
 * <li>{@code inproc} ({@link InProcFeed}): generated OKX/Binance trades sent straight to the pipeline's entry,
 * {@code direct:market-messages}, the way the source routes do. Implemented.</li>
 * <li>{@code simulator} ({@link SimulatorFeed}): the exchange simulator in a separate JVM serving Binance
 * {@code trade} streams on loopback (one connection per source, plan rate / sources frames per second each), the
 * {@code exchange:} source component and Normaliser consuming them, then the same pipeline (same Plan, same
 * measurement). Messages sent are the simulator's own count ({@code GET /sim/stats}).</li>
 * </ul>
 */
interface Feed extends AutoCloseable {

    /**
     * @param sources       number of sources (connector ids) the messages are spread over
     * @param ratePerSecond offered messages per second over all sources; 0 = as fast as the pipeline accepts
     * @param duration      how long to offer messages
     * @param seed          for reproducible message contents
     */
    record Plan(int sources, double ratePerSecond, Duration duration, long seed) {
    }

    /** What was offered and accepted: messages, and when the first and the last were sent (System.nanoTime). */
    record Sent(long messages, long firstNanos, long lastNanos) {
    }

    /** Sends according to the plan; returns when the last message was accepted by the pipeline. */
    Sent run(Plan plan) throws Exception;

    @Override
    default void close() {
    }
}
