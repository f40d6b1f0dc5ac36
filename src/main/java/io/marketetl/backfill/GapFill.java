package io.marketetl.backfill;

import java.util.Arrays;

/**
 * Filling one gap {@code [fromId, toId]} from an exchange's REST trade history, page by page: a small pure policy, no
 * I/O. It says where the next page starts, which ids of a page belong to the gap, when the fill is done and how many
 * ids of the gap the history did not have.
 * <p>
 * Two ways to page, as the exchanges do ({@link Direction}):
 * <ul>
 * <li>{@code ASCENDING} (Binance {@code historicalTrades?fromId=}): a page holds ids {@code >= cursor}, oldest
 * first. The cursor starts at {@code fromId}; a page whose first id is above the cursor shows that the history
 * starts later (its retention) or that those ids never existed: they are missing.</li>
 * <li>{@code DESCENDING} (OKX {@code history-trades?after=}): a page holds ids {@code < cursor}, newest first. The
 * cursor starts at {@code toId + 1}; the fill is done once a page reaches an id below {@code fromId}. A short page
 * that stops above {@code fromId} shows where the history ends: the ids below it are missing.</li>
 * </ul>
 * With {@code consecutiveIds} (Binance: every trade has the next id) a hole between two ids of a page is counted as
 * missing too. Without it (OKX, where a record may stand for several fills) only the ids beyond the history's end
 * are.
 */
public final class GapFill {

    /** How the exchange's history is paged. */
    public enum Direction { ASCENDING, DESCENDING }

    private final long fromId;
    private final long toId;
    private final Direction direction;
    private final boolean consecutiveIds;
    private long cursor;
    private long missing;
    private long found;
    private boolean done;
    /** Descending: the history had a record below the gap (it does not end inside or above it). */
    private boolean spanned;

    public GapFill(long fromId, long toId, Direction direction, boolean consecutiveIds) {
        if (fromId > toId) {
            throw new IllegalArgumentException("empty gap " + fromId + ".." + toId);
        }
        this.fromId = fromId;
        this.toId = toId;
        this.direction = direction;
        this.consecutiveIds = consecutiveIds;
        this.cursor = direction == Direction.ASCENDING ? fromId : toId + 1;
    }

    /** Where the next page starts: ascending, the first id wanted; descending, the id every wanted one is below. */
    public long cursor() {
        return cursor;
    }

    /** Whether an id belongs to the gap (a page may hold trades before or after it: those are not stored). */
    public boolean wanted(long id) {
        return id >= fromId && id <= toId;
    }

    /**
     * Takes one page's trade ids (in any order) and whether the page was full (as many as asked for: there may be
     * more beyond it).
     */
    public void page(long[] ids, boolean full) {
        if (done) {
            throw new IllegalStateException("the fill of " + fromId + ".." + toId + " is done");
        }
        long[] sorted = ids.clone();
        Arrays.sort(sorted);
        if (direction == Direction.ASCENDING) {
            ascending(sorted, full);
        } else {
            descending(sorted, full);
        }
    }

    private void ascending(long[] ids, boolean full) {
        long prev = cursor - 1;
        for (long id : ids) {
            if (id < cursor) {
                continue; // before what this page was asked for
            }
            if (id > toId) {
                missing += holes(prev, toId + 1);
                finish();
                return;
            }
            missing += id == prev + 1 ? 0 : (consecutiveIds || prev == cursor - 1 ? id - prev - 1 : 0);
            found++;
            prev = id;
        }
        if (!full || ids.length == 0) {
            // the history has nothing after prev (cannot be while the stream goes on, but never loop on it)
            missing += toId - prev;
            finish();
            return;
        }
        cursor = prev + 1;
        if (cursor > toId) {
            finish();
        }
    }

    /** Ids strictly between two found ones that count as missing. */
    private long holes(long below, long above) {
        return consecutiveIds ? Math.max(0, above - below - 1) : 0;
    }

    private void descending(long[] ids, boolean full) {
        long lowest = Long.MAX_VALUE;
        long next = cursor; // the id above the lowest found so far, for holes
        for (int i = ids.length - 1; i >= 0; i--) {
            long id = ids[i];
            if (id >= cursor) {
                continue;
            }
            if (id < fromId) {
                missing += holes(Math.max(id, fromId - 1), next);
                spanned = true;
                finish();
                return;
            }
            if (id <= toId) {
                if (next <= toId + 1) {
                    missing += holes(id, next);
                }
                found++;
                next = id;
            }
            lowest = Math.min(lowest, id);
        }
        if (!full || ids.length == 0 || lowest == Long.MAX_VALUE) {
            // the history ends here: every id from the gap's start up to the lowest one found is missing
            long top = Math.min(next, toId + 1);
            missing += top - fromId;
            finish();
            return;
        }
        cursor = lowest;
        if (cursor <= fromId) {
            finish();
        }
    }

    /**
     * Done: a gap of which the history had not one id is missing whole, whatever the ids tell; except, without
     * consecutive ids, when the history reaches below the gap (it is not where the history ends): its ids then stand
     * inside the record above it (OKX: a record is the last fill of several), which is stored, and nothing of it can
     * ever be found in the history. A restart check sees such a hole below a backfilled record, which carries no
     * count of fills (a live OKX record does).
     */
    private void finish() {
        if (found == 0 && (consecutiveIds || !spanned)) {
            missing = toId - fromId + 1;
        }
        done = true;
    }

    public boolean done() {
        return done;
    }

    /** Ids of the gap the history did not have, as far as the pages tell (see the class comment). */
    public long missing() {
        return missing;
    }

    /** Ids of the gap found in the history (stored, or already stored). */
    public long found() {
        return found;
    }

    public long fromId() {
        return fromId;
    }

    public long toId() {
        return toId;
    }
}
