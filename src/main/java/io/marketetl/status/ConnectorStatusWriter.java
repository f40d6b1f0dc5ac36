package io.marketetl.status;

import io.marketetl.load.LoadErrors;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of connectors' state rows ({@code connector_status}, and {@code api_connectors.status} and
 * registration): callers hand it a {@link StatusChange} and return at once; its own thread writes them through
 * {@link ConnectorStatusStore#write}. Pending changes coalesce per connector ({@link PendingStatus}: the latest state
 * wins, counters add up, error lines are capped), so a slow or absent database costs a bounded amount of memory and
 * never holds up a source's event thread, an HTTP connector's call or a route's stop. While the database is away the
 * pending changes are tried again every {@code market-etl.status.retry-ms} (one WARN line per outage).
 * <p>
 * On stop (after the routes: their last events, "stopped", are pending by then) it waits at most
 * {@code market-etl.status.stop-wait-ms} for the pending changes to be written, then logs once, WARN, which connectors'
 * status it could not write, and leaves them. Losing that last state write in an outage is acceptable: a status row
 * describes the data, it is not the data (the data is in the spool and replayed), and the next start rewrites every
 * connector's state from scratch (registration resets it to starting, the connectors' events follow).
 */
public final class ConnectorStatusWriter extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorStatusWriter.class);

    private final ConnectorStatusStore store;
    private final long retryNanos;
    private final Duration stopWait;
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled on a new change, on a flush request and when a round of writes ends. */
    private final Condition changed = lock.newCondition();
    private final PendingStatus pending;
    /** Changes taken for writing and not yet written (or put back). Guarded by {@link #lock}. */
    private Map<String, StatusChange> writing = Map.of();
    private boolean flushRequested;
    private volatile boolean running;
    private boolean failing;
    private Thread thread;

    public ConnectorStatusWriter(ConnectorStatusStore store, Duration retry, Duration stopWait) {
        this.store = Objects.requireNonNull(store, "store");
        this.retryNanos = Math.max(1, retry.toNanos());
        this.stopWait = Objects.requireNonNull(stopWait, "stopWait");
        this.pending = new PendingStatus(store.errorLogChars());
    }

    /** Queues the change (coalesced with what the connector has pending); never blocks on the database. */
    public void submit(String connectorId, StatusChange change) {
        lock.lock();
        try {
            pending.add(connectorId, change);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits at most {@code timeout} until nothing of the connector is pending; true if so. */
    public boolean awaitWritten(String connectorId, Duration timeout) {
        return await(timeout, () -> !pending.has(connectorId) && !writing.containsKey(connectorId));
    }

    /** Waits at most {@code timeout} until nothing is pending; true if so. */
    public boolean awaitIdle(Duration timeout) {
        return await(timeout, () -> pending.isEmpty() && writing.isEmpty());
    }

    private boolean await(Duration timeout, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            flushRequested = true;
            changed.signalAll();
            while (!done.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !running) {
                    return done.getAsBoolean();
                }
                changed.awaitNanos(left);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected void doStart() {
        running = true;
        thread = new Thread(this::run, "market-etl-connector-status");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    protected void doStop() throws Exception {
        awaitIdle(stopWait);
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt(); // a write waiting for a pool connection gives up
            t.join(TimeUnit.SECONDS.toMillis(2));
        }
        Map<String, StatusChange> left = new LinkedHashMap<>();
        lock.lock();
        try {
            left.putAll(writing);
            for (Map.Entry<String, StatusChange> e : pending.view().entrySet()) {
                left.merge(e.getKey(), e.getValue(), (older, newer) -> older.then(newer, store.errorLogChars()));
            }
        } finally {
            lock.unlock();
        }
        if (!left.isEmpty()) {
            StringBuilder what = new StringBuilder();
            left.forEach((id, c) -> what.append(what.isEmpty() ? "" : "; ").append(id).append(": ")
                    .append(c.summary()));
            LOG.warn("Stopping without writing the latest connector status of {} connector(s) (the database did not"
                    + " take it within {} ms): {}. A status row describes the data, it is not the data; the next start"
                    + " writes every connector's state again", left.size(), stopWait.toMillis(), what);
        }
    }

    private void run() {
        while (running) {
            Map<String, StatusChange> round;
            lock.lock();
            try {
                while (running && pending.isEmpty()) {
                    changed.await();
                }
                if (!running) {
                    return;
                }
                round = pending.takeAll();
                writing = round;
                flushRequested = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            boolean failed = false;
            Map<String, StatusChange> unwritten = new LinkedHashMap<>(round);
            for (Map.Entry<String, StatusChange> e : round.entrySet()) {
                try {
                    store.write(e.getKey(), e.getValue());
                    unwritten.remove(e.getKey());
                } catch (java.sql.SQLException | RuntimeException ex) {
                    if (LoadErrors.isDataError(ex)) {
                        // retrying could never succeed: this connector's change is given up, the others go on
                        LOG.warn("connector_status of {}: the database refused the change ({}): {}", e.getKey(),
                                e.getValue().summary(), ex.getMessage());
                        unwritten.remove(e.getKey());
                        continue;
                    }
                    failed = true;
                    if (!failing) {
                        failing = true;
                        LOG.warn("Could not update connector_status of {} ({}); the latest status of each connector is"
                                + " kept and written when the database is back", e.getKey(), ex.getMessage());
                    }
                    break;
                }
            }
            lock.lock();
            try {
                for (Map.Entry<String, StatusChange> e : unwritten.entrySet()) {
                    pending.putBack(e.getKey(), e.getValue());
                }
                writing = Map.of();
                changed.signalAll();
                if (!failed && failing) {
                    failing = false;
                    LOG.info("Connector status updates work again");
                }
                if (failed) {
                    // wait before the next attempt; a stop's flush request cuts the wait short
                    long left = retryNanos;
                    while (running && !flushRequested && left > 0) {
                        left = changed.awaitNanos(left);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
        }
    }
}
