package io.marketetl.load;

import io.marketetl.batch.Batch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The load route's grouped exchange body: batches (of any sources) that were waiting in the load queue together,
 * in the order they were taken off it, written in one transaction by {@link MessageLoader} (each keeping its own
 * batch row). Built by {@link LoadGroupAggregation}; kept on the exchange, so that Camel's redeliveries retry the same
 * group.
 */
public final class BatchGroup {

    private final List<Batch> batches = new ArrayList<>();

    public BatchGroup(Batch first) {
        batches.add(first);
    }

    void add(Batch batch) {
        batches.add(batch);
    }

    public List<Batch> batches() {
        return Collections.unmodifiableList(batches);
    }

    public int size() {
        return batches.size();
    }
}
