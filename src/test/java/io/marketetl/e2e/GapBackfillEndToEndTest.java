package io.marketetl.e2e;

import static io.marketetl.testsupport.SqlRows.count;
import static io.marketetl.testsupport.SqlRows.rows;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.marketetl.simulator.ExchangeSimulator;
import io.marketetl.simulator.SimulatorConfig;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.SimulatorHistory;
import io.marketetl.testsupport.TestDatabase;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Trade-id gap backfill through the pipeline as the application runs it (normalise with its tradeGaps step, the
 * backfill route, the connectors' HTTP client), against the simulator: its streams drop every 2 s while the market
 * moves on (the trades made while nobody reads go only to its REST history), so every reconnect leaves a real gap.
 * Afterwards every trade the simulator made is stored exactly once, the backfilled ones marked, and each gap is in
 * trade_gaps; gaps the history cannot fill are recorded, retried and given up, visibly.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GapBackfillEndToEndTest {

    // no watchdog reconnect once the market stops (staleAfterMs): a new subscription after a silence would make the
    // simulator's market move on into its history while nobody reads, after the test took the history as final
    private static final String LIFECYCLE = "&pingIntervalMs=500&pongTimeoutMs=2000&staleAfterMs=600000"
            + "&backoffInitialMs=200&backoffMaxMs=500&minConnectIntervalMs=100&hostConnectIntervalMs=100";

    private static SimulatorConfig.Builder simConfig() {
        return SimulatorConfig.builder().ratePerConnection(40).instruments("BTC-USDT", "ETH-USDT")
                .unreadTradesPerSecond(300);
    }

    @Test
    void binanceReconnectGapsAreFilledSoThatEveryTradeIsStoredOnce() throws Exception {
        everyTradeStoredOnceAfterDrops("binance", "exchange:bn-gap?dialect=binance&channels=trade,bookTicker"
                + "&instruments=BTCUSDT,ETHUSDT", "bn-gap");
    }

    @Test
    void okxReconnectGapsAreFilledSoThatEveryTradeIsStoredOnce() throws Exception {
        everyTradeStoredOnceAfterDrops("okx", "exchange:okx-gap?dialect=okx&channels=trades,tickers"
                + "&instruments=BTC-USDT,ETH-USDT", "okx-gap");
    }

    private void everyTradeStoredOnceAfterDrops(String exchange, String uri, String sourceId) throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(simConfig().build());
                TestDatabase db = TestDatabase.create();
                PipelineHarness p = pipeline(db, sim, Map.of(), uri + "&url=" + url(sim, exchange) + LIFECYCLE)) {
            DataSource ds = db.dataSource();
            await().atMost(Duration.ofSeconds(15)).until(() -> stored(ds, exchange, "BTC-USDT") >= 20);
            sim.faults().setDisconnectEvery(Duration.ofMillis(1500));
            await().atMost(Duration.ofSeconds(20)).until(() -> count(ds, "SELECT count(*) FROM trade_gaps"
                    + " WHERE cause = 'stream'") >= 4);
            sim.faults().setDisconnectEvery(Duration.ZERO);
            await().atMost(Duration.ofSeconds(15)).until(() -> connected(sim, sourceId));
            // a gap shows with the first trade after it: let both streams deliver on the last connection
            long btc = live(ds, exchange, "BTC-USDT");
            long eth = live(ds, exchange, "ETH-USDT");
            await().atMost(Duration.ofSeconds(15)).until(() -> live(ds, exchange, "BTC-USDT") >= btc + 10
                    && live(ds, exchange, "ETH-USDT") >= eth + 10);
            sim.faults().setStall(true); // the market stops: the history is final
            Map<String, List<Long>> history = new HashMap<>();
            for (String inst : List.of("BTC-USDT", "ETH-USDT")) {
                history.put(inst, SimulatorHistory.tradeIds(sim, exchange, inst));
            }
            for (String inst : List.of("BTC-USDT", "ETH-USDT")) {
                List<Long> made = history.get(inst);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                        SimulatorHistory.stored(ds, exchange, inst)).as("%s %s stored once each", exchange, inst)
                        .containsExactlyElementsOf(made));
            }
            // the gaps were real, filled from the history, and their rows are marked
            long backfilled = count(ds, "SELECT count(*) FROM websocket_messages WHERE backfilled");
            assertThat(backfilled).isPositive();
            assertThat(count(ds, "SELECT count(*) FROM websocket_messages WHERE backfilled AND (message_number IS NOT"
                    + " NULL OR connector_id <> '" + sourceId + "' OR message_type <> 'trade')")).isZero();
            await().atMost(Duration.ofSeconds(10)).until(() -> count(ds, "SELECT count(*) FROM trade_gaps"
                    + " WHERE status <> 'filled'") == 0);
            assertThat(count(ds, "SELECT coalesce(sum(trades_backfilled), 0) FROM trade_gaps")).isEqualTo(backfilled);
            assertThat(p.counter("market_etl_backfilled_trades")).isEqualTo(backfilled);
            assertThat(p.counter("market_etl_trade_gaps")).isEqualTo(count(ds, "SELECT count(*) FROM trade_gaps"));
            assertThat(p.counter("market_etl_trade_gaps_unfillable")).isZero();
        }
    }

    @Test
    void gapsTheHistoryCannotFillAreRecordedRetriedAndGivenUp() throws Exception {
        // the history keeps only the newest 10 trades per instrument: the 300 trades/s made during a drop are gone
        try (ExchangeSimulator sim = ExchangeSimulator.start(simConfig().tradeHistoryRetention(10).build());
                TestDatabase db = TestDatabase.create();
                PipelineHarness p = pipeline(db, sim, Map.of("market-etl.backfill.max-attempts", "3"),
                        "exchange:bn-old?dialect=binance&channels=trade&instruments=BTCUSDT&url="
                                + sim.binanceWsUrl() + LIFECYCLE)) {
            DataSource ds = db.dataSource();
            await().atMost(Duration.ofSeconds(15)).until(() -> stored(ds, "binance", "BTC-USDT") >= 20);
            // drops until a gap has been given up (a short drop's few trades may still be in the history: filled)
            sim.faults().setDisconnectEvery(Duration.ofSeconds(1));
            await().atMost(Duration.ofSeconds(40)).until(() -> count(ds, "SELECT count(*) FROM trade_gaps"
                    + " WHERE status = 'unfillable'") >= 1);
            sim.faults().setDisconnectEvery(Duration.ZERO);
            await().atMost(Duration.ofSeconds(30)).until(() -> count(ds, "SELECT count(*) FROM trade_gaps"
                    + " WHERE status = 'open'") == 0);
            // a gap of a few trades may still be in the history; those of a whole drop are not
            List<List<Object>> gaps = rows(ds, "SELECT status, attempts, trades_missing, to_trade_id - from_trade_id"
                    + " + 1, last_error, resolved_at IS NOT NULL FROM trade_gaps WHERE status = 'unfillable'");
            assertThat(gaps).isNotEmpty();
            for (List<Object> gap : gaps) {
                assertThat(gap.get(1)).isEqualTo(3);
                assertThat((Long) gap.get(2)).isPositive().isLessThanOrEqualTo((Long) gap.get(3));
                assertThat((String) gap.get(4)).contains("REST history lacks");
                assertThat(gap.get(5)).isEqualTo(true);
            }
            assertThat(p.counter("market_etl_trade_gaps_unfillable")).isEqualTo(gaps.size());
        }
    }

    @Test
    void aGapIsRetriedWhileTheHistoryFailsAndFilledWhenItAnswersAgain() throws Exception {
        try (ExchangeSimulator sim = ExchangeSimulator.start(simConfig().build());
                TestDatabase db = TestDatabase.create();
                PipelineHarness p = pipeline(db, sim, Map.of("market-etl.backfill.max-attempts", "50"),
                        "exchange:bn-down?dialect=binance&channels=trade&instruments=BTCUSDT&url="
                                + sim.binanceWsUrl() + LIFECYCLE)) {
            DataSource ds = db.dataSource();
            await().atMost(Duration.ofSeconds(15)).until(() -> stored(ds, "binance", "BTC-USDT") >= 20);
            sim.faults().setRestFailStatus(503).setRestFailRatio(1.0);
            dropOnceAGapIsSeen(sim, ds);
            await().atMost(Duration.ofSeconds(20)).until(() -> count(ds, "SELECT count(*) FROM trade_gaps"
                    + " WHERE status = 'open' AND attempts >= 2 AND last_error LIKE '%503%'") >= 1);
            sim.faults().setRestFailRatio(0);
            await().atMost(Duration.ofSeconds(20)).until(() -> count(ds, "SELECT count(*) FROM trade_gaps"
                    + " WHERE status <> 'filled'") == 0);
            assertThat(count(ds, "SELECT count(*) FROM trade_gaps WHERE attempts >= 3")).isPositive();
            sim.faults().setStall(true);
            List<Long> made = SimulatorHistory.binance(sim, "BTC-USDT");
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                    SimulatorHistory.stored(ds, "binance", "BTC-USDT")).containsExactlyElementsOf(made));
            assertThat(p.counter("market_etl_backfill_requests")).isGreaterThanOrEqualTo(3);
        }
    }

    private static PipelineHarness pipeline(TestDatabase db, ExchangeSimulator sim, Map<String, String> more,
            String sourceUri) throws Exception {
        Map<String, String> settings = new HashMap<>(Map.of(
                "market-etl.batch.max-wait-ms", "50",
                "market-etl.okx.rest-url", sim.okxRestUrl(),
                "market-etl.binance.rest-url", sim.binanceRestUrl(),
                "market-etl.backfill.period-ms", "100",
                "market-etl.backfill.grace-ms", "300",
                "market-etl.backfill.retry-initial-ms", "200",
                "market-etl.backfill.retry-max-ms", "500"));
        settings.putAll(more);
        PipelineHarness p = PipelineHarness.startWithBackfill(db.dataSource(), settings);
        p.context().addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(sourceUri).routeId("source").to("direct:normalise");
            }
        });
        return p;
    }

    /** Streams drop (1006) every second until the first gap is recorded. */
    private static void dropOnceAGapIsSeen(ExchangeSimulator sim, DataSource ds) {
        sim.faults().setDisconnectEvery(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(20)).until(() -> count(ds, "SELECT count(*) FROM trade_gaps") >= 1);
        sim.faults().setDisconnectEvery(Duration.ZERO);
    }

    private static String url(ExchangeSimulator sim, String exchange) {
        return exchange.equals("okx") ? sim.okxWsUrl() : sim.binanceWsUrl();
    }

    private static long stored(DataSource ds, String exchange, String inst) {
        return count(ds, "SELECT count(*) FROM websocket_messages WHERE exchange = '" + exchange
                + "' AND instrument = '" + inst + "' AND message_type = 'trade'");
    }

    /** Trades received live (not backfilled) and stored. */
    private static long live(DataSource ds, String exchange, String inst) {
        return count(ds, "SELECT count(*) FROM websocket_messages WHERE exchange = '" + exchange
                + "' AND instrument = '" + inst + "' AND message_type = 'trade' AND backfilled IS NULL");
    }

    private static boolean connected(ExchangeSimulator sim, String sourceId) {
        return sim.stats().currentConnections("market-etl/" + sourceId) == 1;
    }
}
