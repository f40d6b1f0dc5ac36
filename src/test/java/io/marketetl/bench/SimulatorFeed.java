package io.marketetl.bench;

/**
 * Feed "simulator": the exchange simulator (branch simulator) serving OKX and Binance WebSocket feeds on loopback at
 * the planned rate, and the application's own source routes ({@code exchange:} component and Normaliser, branch
 * source) consuming them into {@code direct:market-messages}. The rest of the harness is unchanged: the pipeline's
 * routes in the same CamelContext, latency measured from the simulator's event time (its trades' {@code ts}, which
 * the normaliser maps to the message's event time) to the commit.
 * <p>
 * Not implemented yet: neither branch has landed on this one. To implement: start the simulator with one stream per
 * source at rate/sources messages per second, add one source route per source to the harness's context (the
 * routes' YAML from routes/, pointed at the simulator's port), run for the duration, then take the messages sent
 * from the simulator's stats endpoint and wait until the loader has committed that many.
 */
final class SimulatorFeed implements Feed {

    @Override
    public Sent run(Plan plan) {
        throw new UnsupportedOperationException("--feed simulator is not implemented yet: it needs the exchange"
                + " simulator (branch simulator) and the exchange: source component (branch source) on this branch;"
                + " use --feed inproc");
    }
}
