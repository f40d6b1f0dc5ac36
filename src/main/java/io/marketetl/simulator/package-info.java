/**
 * The exchange simulator: a protocol-faithful fake of OKX v5 and Binance Spot public market data (WebSocket and
 * a little REST) on one loopback port, used by the tests, the benchmark and the offline demo.
 *
 * <p>In process:
 * <pre>{@code
 * try (ExchangeSimulator sim = ExchangeSimulator.start(SimulatorConfig.builder().ratePerConnection(2000).build())) {
 *     String okx = sim.okxWsUrl();                               // ws://127.0.0.1:<port>/ws/v5/public
 *     String binance = sim.binanceWsUrl() + "/ws/btcusdt@trade"; // or /ws, or /stream?streams=a/b
 *     sim.faults().setStall(true);                               // any fault, at any time, from any thread
 *     long items = sim.stats().totalItemsSent();                 // what went over the wire
 * }
 * }</pre>
 * Standalone: {@link io.marketetl.simulator.SimulatorMain} ({@code --help}); out of process the benchmark drives
 * it through {@code GET /sim/stats}, {@code GET|POST /sim/faults} and {@code POST /sim/reset}; tests of HTTP
 * connectors read {@code GET /sim/requests}.
 *
 * <p>REST for HTTP connectors ({@link io.marketetl.simulator.RestEndpoints}): exchange tickers with Binance request
 * weight and OKX rate limits ({@link io.marketetl.simulator.RestLimits}), private endpoints per auth type and signed
 * exchange endpoints ({@link io.marketetl.simulator.RestAuth}), generic JSON/text/echo endpoints, and delay, 5xx and
 * no-answer faults.
 *
 * <p>Server side there is one class per dialect: {@link io.marketetl.simulator.OkxProtocol},
 * {@link io.marketetl.simulator.BinanceProtocol} (both on {@link io.marketetl.simulator.FeedConnection}),
 * {@link io.marketetl.simulator.RestEndpoints}, {@link io.marketetl.simulator.ControlApi}, fed by
 * {@link io.marketetl.simulator.MarketDataGenerator}.
 */
package io.marketetl.simulator;
