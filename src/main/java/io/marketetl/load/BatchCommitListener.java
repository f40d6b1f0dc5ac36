package io.marketetl.load;

import io.marketetl.batch.Batch;
import java.time.Instant;

/** Told after a batch's rows are committed (used by the benchmark to time event-to-commit latency). */
@FunctionalInterface
public interface BatchCommitListener {

    void committed(Batch batch, Instant committedAt);
}
