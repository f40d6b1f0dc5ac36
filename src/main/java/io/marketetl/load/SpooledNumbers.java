package io.marketetl.load;

import io.marketetl.spool.Spool;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The highest message number per source among the batches waiting in the spool (written by an earlier run, not in
 * the database yet): what the database alone does not know of a source's numbering until the replay has written
 * them. Read once at start, before the replay begins (the spool has one reader: this, then the replayer).
 */
public final class SpooledNumbers {

    private SpooledNumbers() {
    }

    /** Reads every unacknowledged record and rewinds the spool; corrupt records are skipped (the replay keeps them). */
    public static Map<String, Long> highest(Spool spool) throws IOException {
        Map<String, Long> highest = new HashMap<>();
        try {
            for (Spool.Entry e = spool.next(); e != null; e = spool.next()) {
                if (e.corrupt()) {
                    continue;
                }
                LoadState state;
                try {
                    state = SpooledBatchCodec.decode(e.payload());
                } catch (IOException | RuntimeException notABatch) {
                    continue;
                }
                long max = 0;
                for (Row r : state.rows) {
                    max = Math.max(max, r.messageNumber);
                }
                if (max > 0 && state.facts.sourceId() != null) {
                    highest.merge(state.facts.sourceId(), max, Math::max);
                }
            }
        } finally {
            spool.rewind();
        }
        return highest;
    }
}
