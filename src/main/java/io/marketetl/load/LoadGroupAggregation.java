package io.marketetl.load;

import io.marketetl.batch.Batch;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Collects completed batches waiting in the load queue into a {@link BatchGroup} (registry name
 * {@code loadGroupAggregation}): the first batch's exchange carries the group, each further batch is appended in the
 * order the writers took them off the queue. When the group is complete is the route's business
 * ({@code market-etl.load.group-batches}, or {@link NothingWaiting}).
 */
public final class LoadGroupAggregation implements AggregationStrategy {

    @Override
    public Exchange aggregate(Exchange oldExchange, Exchange newExchange) {
        Batch batch = newExchange.getIn().getBody(Batch.class);
        if (oldExchange == null) {
            newExchange.getIn().setBody(new BatchGroup(batch));
            return newExchange;
        }
        oldExchange.getIn().getBody(BatchGroup.class).add(batch);
        return oldExchange;
    }
}
