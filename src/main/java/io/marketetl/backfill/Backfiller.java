package io.marketetl.backfill;

import io.marketetl.backfill.TradeGapDetector.FirstSeen;
import io.marketetl.backfill.TradeGapDetector.Found;
import io.marketetl.backfill.TradeGapStore.OpenGap;
import io.marketetl.backfill.TradeHistoryApi.HistoricTrade;
import io.marketetl.connector.ApiClient;
import io.marketetl.connector.auth.ApiRequest;
import io.marketetl.connector.limit.ResponseClassifier;
import io.marketetl.connector.limit.ResponseOutcome;
import io.marketetl.exchanges.ExchangeModule;
import io.marketetl.exchanges.ExchangeModules;
import io.marketetl.source.Backoff;
import java.net.URI;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gap backfill (bean {@code backfill}; one step per tick of the {@code backfill} route's timer, one thread). Each step:
 * <ol>
 * <li>records the gaps the {@link TradeGapDetector} held past their grace period in {@code trade_gaps} (a gap larger
 * than {@code max-gap-trades} is recorded unfillable);</li>
 * <li>once the load spool is empty (what a previous run spooled is committed), checks each stream first seen since
 * start against its newest committed rows ({@link RestartGaps}): the ids lost to a restart or a kill -9;</li>
 * <li>works on the due open gaps: pages of the exchange's REST trade history ({@link TradeHistoryApi}) through the
 * connectors' {@link ApiClient}, under the host's shared budget of which it takes at most
 * {@code budget-share} (half); each page's trades of the gap are stored with the gap's progress
 * ({@link TradeGapStore#storeTrades}). A gap is filled when the history had every id; otherwise (ids the history
 * lacks, an error answer, no answer) it is tried again after a back-off ({@link Backoff} caps), and after
 * {@code max-attempts} it is unfillable. A page the budget refuses, or that the host answers with a rate limit (429,
 * 418, OKX 50011), is not an attempt: the gap is due again when the budget allows.</li>
 * </ol>
 * Nothing here blocks a source. While the database is unreachable, a step does nothing but keep what the detector
 * found in memory, and logs that once.
 */
public final class Backfiller implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(Backfiller.class);

    private final TradeGapDetector detector;
    private final TradeGapStore store;
    private final ApiClient client;
    private final BackfillSettings settings;
    private final BackfillMetrics metrics;
    private final LongSupplier spoolDepth;
    private final Clock clock;
    private final Backoff backoff;
    private final List<Found> unrecorded = new ArrayList<>();
    private final List<FirstSeen> restartChecks = new ArrayList<>();
    private final Map<Long, GapFill> active = new HashMap<>();
    private final Map<String, ResponseClassifier> classifiers = new ConcurrentHashMap<>();
    private boolean databaseWarned;

    public Backfiller(TradeGapDetector detector, TradeGapStore store, ApiClient client, BackfillSettings settings,
            BackfillMetrics metrics, LongSupplier spoolDepth, Clock clock) {
        this.detector = detector;
        this.store = store;
        this.client = client;
        this.settings = settings;
        this.metrics = metrics;
        this.spoolDepth = spoolDepth;
        this.clock = clock;
        this.backoff = new Backoff(settings.retryInitialMs(), settings.retryMaxMs());
    }

    /** Whether gaps of this exchange's message type can be filled (and so are worth following). */
    public static boolean backfillable(BackfillSettings settings, String exchange, String messageType) {
        if (!settings.enabled() || !settings.restUrls().containsKey(exchange)) {
            return false;
        }
        ExchangeModule module = ExchangeModules.find(exchange);
        return module != null && module.tradeHistory(messageType) != null;
    }

    @Override
    public void process(Exchange exchange) {
        step();
    }

    /** One step (see the class comment). */
    public void step() {
        unrecorded.addAll(detector.takeDue(settings.graceMs()));
        List<FirstSeen> seen = detector.takeFirstSeen();
        for (FirstSeen f : seen) {
            metrics.registerSource(f.sourceId());
        }
        restartChecks.addAll(seen);
        try {
            recordFound();
            if (spoolDepth.getAsLong() == 0) {
                checkRestarts();
            }
            fillDue();
            metrics.open(store.openCount());
            if (databaseWarned) {
                LOG.info("Gap backfill reaches the database again");
                databaseWarned = false;
            }
        } catch (SQLException e) {
            if (!databaseWarned) {
                LOG.warn("Gap backfill waits for the database ({}); {} gaps and {} restart checks kept in memory",
                        e.getMessage(), unrecorded.size(), restartChecks.size());
                databaseWarned = true;
            }
        }
    }

    private void recordFound() throws SQLException {
        for (Iterator<Found> it = unrecorded.iterator(); it.hasNext();) {
            Found f = it.next();
            record(f.sourceId(), f.stream(), f.gap(), "stream");
            it.remove();
        }
    }

    private void record(String sourceId, TradeGapDetector.Stream s, TradeSequence.Gap gap, String cause)
            throws SQLException {
        boolean added;
        if (gap.size() > settings.maxGapTrades()) {
            added = store.recordUnfillable(sourceId, s, gap, cause, "larger than MARKET_ETL_BACKFILL_MAX_GAP_TRADES ("
                    + settings.maxGapTrades() + ")");
            if (added) {
                metrics.unfillable(sourceId);
            }
        } else {
            added = store.record(sourceId, s, gap, cause);
        }
        if (added) {
            metrics.gap(sourceId, cause);
            LOG.info("Trade-id gap in {} {} {} ({}): ids {}..{} ({} trades)", s.exchange(), s.instrument(),
                    s.messageType(), cause, gap.fromId(), gap.toId(), gap.size());
        }
    }

    private void checkRestarts() throws SQLException {
        for (Iterator<FirstSeen> it = restartChecks.iterator(); it.hasNext();) {
            FirstSeen f = it.next();
            TradeHistoryApi api = api(f.stream());
            if (api != null) {
                List<TradeIdRange> stored = new ArrayList<>();
                for (TradeGapStore.StoredTrade t : store.newest(f.stream(), settings.restartScanTrades())) {
                    stored.add(api.storedRange(t.tradeId(), t.data()));
                }
                for (TradeSequence.Gap gap : RestartGaps.find(stored, f.firstId())) {
                    record(f.sourceId(), f.stream(), gap, "restart");
                }
            }
            it.remove();
        }
    }

    private void fillDue() throws SQLException {
        int pages = settings.pagesPerStep();
        for (OpenGap gap : store.due(settings.gapsPerStep())) {
            if (pages <= 0) {
                return;
            }
            pages = fill(gap, pages);
        }
    }

    /** Works on one gap with at most {@code pages} requests; returns the requests left. */
    private int fill(OpenGap gap, int pages) throws SQLException {
        TradeHistoryApi api = api(gap.stream());
        String restUrl = settings.restUrls().get(gap.stream().exchange());
        if (api == null || restUrl == null) {
            fail(gap, null, "no REST trade history configured for " + gap.stream().exchange() + " "
                    + gap.stream().messageType(), true);
            return pages;
        }
        ExchangeModule module = ExchangeModules.require(gap.stream().exchange());
        GapFill fill = active.computeIfAbsent(gap.id(),
                id -> new GapFill(gap.fromId(), gap.toId(), api.direction(), api.consecutiveIds()));
        while (!fill.done() && pages > 0) {
            ApiRequest request = api.request(restUrl, gap.stream().instrument(), fill.cursor(), api.pageLimit());
            String path = URI.create(request.baseUrl()).getRawPath();
            int weight = module.requestWeight(path, request.queryParams());
            ApiClient.Result r = client.send(request, module.name(), weight, settings.budgetShare(),
                    classifiers.computeIfAbsent(module.name(), n -> new ResponseClassifier(module.responseRules())));
            pages--;
            if (r.kind() == ApiClient.Kind.REFUSED) {
                metrics.request(module.name(), "refused");
                store.postpone(gap.id(), Instant.ofEpochMilli(Math.max(r.waitUntilMillis(), clock.millis() + 1)));
                return pages;
            }
            if (r.kind() == ApiClient.Kind.ANSWERED && (r.classification().outcome() == ResponseOutcome.RATE_LIMITED
                    || r.classification().outcome() == ResponseOutcome.BANNED)) {
                // the host said slow down: its budget now holds every caller back (Retry-After, ban); not an attempt
                metrics.request(module.name(), "rate_limited");
                store.postpone(gap.id(), Instant.ofEpochMilli(clock.millis() + settings.retryInitialMs()));
                return pages;
            }
            if (r.kind() == ApiClient.Kind.NO_ANSWER || !r.classification().ok()) {
                metrics.request(module.name(), "failed");
                fail(gap, null, r.kind() == ApiClient.Kind.NO_ANSWER ? "no answer: " + r.error()
                        : r.classification().toString(), false);
                return pages;
            }
            List<HistoricTrade> trades;
            try {
                trades = api.parse(r.body());
            } catch (RuntimeException e) {
                metrics.request(module.name(), "failed");
                fail(gap, null, "unexpected answer: " + e.getMessage(), false);
                return pages;
            }
            metrics.request(module.name(), "ok");
            long[] ids = new long[trades.size()];
            List<HistoricTrade> wanted = new ArrayList<>();
            for (int i = 0; i < ids.length; i++) {
                HistoricTrade t = trades.get(i);
                ids[i] = t.id();
                if (fill.wanted(t.id())) {
                    wanted.add(t.time() != null ? t : new HistoricTrade(t.id(), t.price(), r.receivedAt(), t.data()));
                }
            }
            fill.page(ids, trades.size() >= api.pageLimit());
            int stored = store.storeTrades(gap, api.format(), wanted);
            if (stored > 0) {
                metrics.backfilled(gap.sourceId(), stored);
            }
        }
        if (fill.done()) {
            active.remove(gap.id());
            if (fill.missing() == 0) {
                store.filled(gap.id());
                LOG.info("Trade-id gap {}..{} of {} {} filled", gap.fromId(), gap.toId(), gap.stream().exchange(),
                        gap.stream().instrument());
            } else {
                fail(gap, fill.missing(), "the REST history lacks " + fill.missing() + " of the "
                        + (gap.toId() - gap.fromId() + 1) + " ids (older than its retention, or never traded)", false);
            }
        }
        return pages;
    }

    private void fail(OpenGap gap, Long missing, String error, boolean giveUpNow) throws SQLException {
        active.remove(gap.id());
        int attempts = gap.attempts() + 1;
        boolean giveUp = giveUpNow || attempts >= settings.maxAttempts();
        Instant retryAt = Instant.ofEpochMilli(clock.millis() + backoff.capMs(attempts - 1));
        store.attemptFailed(gap.id(), missing, error, retryAt, giveUp);
        if (giveUp) {
            metrics.unfillable(gap.sourceId());
            LOG.warn("Trade-id gap {}..{} of {} {} is unfillable after {} attempts: {}", gap.fromId(), gap.toId(),
                    gap.stream().exchange(), gap.stream().instrument(), attempts, error);
        }
    }

    private static TradeHistoryApi api(TradeGapDetector.Stream s) {
        ExchangeModule module = ExchangeModules.find(s.exchange());
        return module == null ? null : module.tradeHistory(s.messageType());
    }
}
