package io.marketetl.simulator;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** Shared lifecycle of the simulator tests: one Vert.x for the test clients, one simulator per test. */
abstract class SimulatorTestBase {

    protected static Vertx vertx;
    protected ExchangeSimulator sim;

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void closeVertx() {
        vertx.close();
    }

    @AfterEach
    void stopSimulator() {
        if (sim != null) {
            sim.close();
            sim = null;
        }
    }

    protected ExchangeSimulator start(SimulatorConfig.Builder config) {
        sim = ExchangeSimulator.start(config.build());
        return sim;
    }
}
