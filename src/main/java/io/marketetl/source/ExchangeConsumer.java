package io.marketetl.source;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one source: an {@link ExchangeConnection} on the component's Vert.x, a {@link FrameDispatcher} that feeds the
 * route on a dedicated worker thread (ordered, bounded by pausing the socket), and a thread for {@link SourceEvents}.
 * One exchange per frame (body {@link RawFrame}), or, with {@code framesPerExchange} > 1, one per group of frames that
 * were already waiting (body {@code List<RawFrame>}, same source and dialect headers).
 * Route errors go to the consumer's exception handler (or the route's error handler with
 * {@code bridgeErrorHandler=true}); the next frame is processed regardless.
 */
public class ExchangeConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(ExchangeConsumer.class);
    private static final long STOP_TIMEOUT_MS = 10_000;

    private ExecutorService worker;
    private ExecutorService eventThread;
    private FrameDispatcher dispatcher;
    private volatile ExchangeConnection connection;
    private volatile SourceMeters meters;
    private volatile long startedNanos;

    public ExchangeConsumer(ExchangeEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public ExchangeEndpoint getEndpoint() {
        return (ExchangeEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        ExchangeEndpoint endpoint = getEndpoint();
        SourceConfig config = endpoint.getConfig();
        String id = config.getSourceId();
        endpoint.getComponent().claim(id, this);
        var executors = endpoint.getCamelContext().getExecutorServiceManager();
        worker = executors.newSingleThreadExecutor(this, "exchange-" + id);
        eventThread = executors.newSingleThreadExecutor(this, "exchange-events-" + id);
        meters = endpoint.getComponent().meters(id);
        meters.started();
        startedNanos = System.nanoTime();
        dispatcher = new FrameDispatcher(id, config.getQueueHighWater(), config.getQueueLowWater(),
                config.getFramesPerExchange(), TimeUnit.MICROSECONDS.toNanos(config.getFrameLingerUs()),
                new FrameDispatcher.Delivery() {
                    @Override
                    public void deliver(RawFrame frame) {
                        ExchangeConsumer.this.deliver(frame, frame);
                    }

                    @Override
                    public void deliverAll(List<RawFrame> frames) {
                        ExchangeConsumer.this.deliver(frames.get(0), frames);
                    }
                });
        connection = new ExchangeConnection(endpoint.getComponent().getOrCreateVertx(), config, endpoint.getDialect(),
                dispatcher, meters.events(config.getEvents()), eventThread, null,
                endpoint.getComponent().getConnectGate());
        dispatcher.setOnBelowLowWater(connection::resumeIfDrained);
        worker.execute(dispatcher);
        connection.start();
    }

    /** One exchange for one frame (body RawFrame) or for several of this source's frames (body List of them). */
    private void deliver(RawFrame frame, Object body) {
        if (body instanceof List<?> frames) {
            for (Object f : frames) {
                meters.frame(((RawFrame) f).text().length());
            }
        } else {
            meters.frame(frame.text().length());
        }
        Exchange exchange = createExchange(false);
        try {
            exchange.getMessage().setBody(body);
            exchange.getMessage().setHeader(ExchangeEndpoint.HEADER_SOURCE_ID, frame.sourceId());
            exchange.getMessage().setHeader(ExchangeEndpoint.HEADER_DIALECT, frame.dialect().name());
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        }
        try {
            if (exchange.getException() != null) {
                getExceptionHandler().handleException("Error processing frame of source " + frame.sourceId(),
                        exchange, exchange.getException());
            }
        } finally {
            releaseExchange(exchange, false);
        }
    }

    @Override
    protected void doStop() throws Exception {
        ExchangeConnection c = connection;
        if (c != null) {
            try {
                c.stop().get(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.warn("{}: connection did not stop within {} ms", c.sourceId(), STOP_TIMEOUT_MS);
            }
        }
        if (dispatcher != null) {
            dispatcher.stop(STOP_TIMEOUT_MS); // delivers what was accepted
        }
        var executors = getEndpoint().getCamelContext().getExecutorServiceManager();
        if (worker != null) {
            executors.shutdown(worker);
            worker = null;
        }
        if (eventThread != null) {
            executors.shutdown(eventThread); // lets queued events run
            eventThread = null;
        }
        if (meters != null) {
            meters.stopped();
        }
        getEndpoint().getComponent().release(getEndpoint().getSourceId(), this);
        super.doStop();
    }

    /** The running connection (null when stopped before start). */
    public ExchangeConnection getConnection() {
        return connection;
    }

    /** {@link System#nanoTime()} when this consumer last started. */
    public long getStartedNanos() {
        return startedNanos;
    }

    /** Data frames received. */
    public long getFrames() {
        ExchangeConnection c = connection;
        return c == null ? 0 : c.dataFrames();
    }

    /** Reconnects scheduled. */
    public long getReconnects() {
        ExchangeConnection c = connection;
        return c == null ? 0 : c.reconnects();
    }

    /** Time of the last data frame, or null. */
    public Instant getLastMessageTime() {
        ExchangeConnection c = connection;
        return c == null ? null : c.lastMessageAt();
    }

    /** Frames waiting for the route. */
    public int getQueueSize() {
        FrameDispatcher d = dispatcher;
        return d == null ? 0 : d.size();
    }

    /** Frames the route has processed. */
    public long getDelivered() {
        FrameDispatcher d = dispatcher;
        return d == null ? 0 : d.delivered();
    }
}
