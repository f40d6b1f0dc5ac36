package io.marketetl.load;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.component.seda.SedaEndpoint;

/**
 * The load group's completion predicate (registry name {@code nothingWaiting}): true when no further batch is waiting
 * in the queue the exchange came from (the load route's seda queue), so a group takes what is already queued and
 * never waits for more: a batch that finds the queue empty is written at once, alone. If another writer has just
 * taken the last queued batch, that batch completes its own group when it gets here; none is left behind, since
 * every batch taken off the queue is aggregated and checked again.
 * <p>
 * The decision itself is {@link #complete(int)}: pure, unit-tested alone; this class only reads the queue.
 */
public final class NothingWaiting implements Predicate {

    /** The policy: a group is complete when nothing more is waiting (the size bound is the route's completionSize). */
    static boolean complete(int waiting) {
        return waiting <= 0;
    }

    @Override
    public boolean matches(Exchange exchange) {
        Endpoint from = exchange.getFromEndpoint();
        // not from a seda queue (a test calling the route's steps directly): nothing can be waiting
        int waiting = from instanceof SedaEndpoint seda ? seda.getCurrentQueueSize() : 0;
        return complete(waiting);
    }
}
