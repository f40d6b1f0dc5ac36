package io.marketetl.load;

/**
 * Whether the loader's next insert of trades tries the plain {@code INSERT} first or goes straight to
 * {@code INSERT ... ON CONFLICT DO NOTHING}. The plain insert checks the natural key once per row, the cheaper way
 * while nothing it inserts is stored yet (V10 and V11 say what each way costs); when it meets a stored trade it fails
 * (SQLSTATE 23505) and the whole insert runs again with ON CONFLICT, so its work was lost. Where duplicates are the
 * rule (several sources delivering the same trades, a replay over stored rows, a backfill racing the stream) that
 * doubles the work of every load: so after an insert that met duplicates, the next {@link #PATIENCE} inserts go
 * straight to ON CONFLICT, and the plain insert is tried again once that many in a row met none.
 *
 * <p>Pure, and safe to share between the writer threads (one per load target).
 */
final class PlainInsertFirst {

    /**
     * Inserts in a row without duplicates before the plain insert is tried again. Not an operator's setting: on a
     * feed without duplicates the price of this many ON CONFLICT inserts after one reconnect's overlap is a few
     * percent of a second's work, and on a feed full of them one failed plain insert in this many is as small.
     */
    static final int PATIENCE = 32;

    private int cleanInARow = PATIENCE;

    /** Whether to try the plain insert first. */
    synchronized boolean tryPlain() {
        return cleanInARow >= PATIENCE;
    }

    /** What an insert found: whether any of its rows were stored trades (its way of inserting does not matter). */
    synchronized void inserted(boolean metDuplicates) {
        cleanInARow = metDuplicates ? 0 : Math.min(PATIENCE, cleanInARow + 1);
    }
}
