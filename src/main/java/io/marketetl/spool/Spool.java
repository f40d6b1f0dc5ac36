package io.marketetl.spool;

import java.io.Closeable;
import java.io.IOException;

/**
 * A local, durable, ordered outage buffer for batches the database cannot take now: records are appended, read back
 * in the order they were appended, and acknowledged (in that order) once the database has committed them. What is
 * acknowledged is never read again, also after a restart; what is not, is read again after a restart.
 * <p>
 * One writer and one reader at a time; implementations are thread-safe for one of each.
 */
public interface Spool extends Closeable {

    /**
     * Appends one record (durable once {@link #sync()} ran, or at once when the spool syncs every append).
     *
     * @throws SpoolFullException when the record does not fit the spool's disk budget; nothing was written
     */
    void append(byte[] record) throws IOException;

    /**
     * The oldest record not yet read since the last acknowledged one, or null when the reader has caught up with the
     * writer. A record whose checksum does not match comes back as {@link Entry#corrupt()} (its bytes as stored); the
     * reader goes on after it.
     */
    Entry next() throws IOException;

    /**
     * The record (and every record before it) is in the database: never read again. Entries must be acknowledged
     * in the order {@link #next()} gave them. Segments whose records are all acknowledged are deleted.
     */
    void acknowledge(Entry entry) throws IOException;

    /**
     * Acknowledges several records with one durable ledger update: {@code entries} are the records from the oldest
     * unacknowledged one on, in the order {@link #next()} gave them. Clears a recorded {@link #pending} group.
     */
    void acknowledge(java.util.List<Entry> entries) throws IOException;

    /**
     * Records durably, before the records from the oldest unacknowledged one through {@code last} are committed, a
     * note of the transaction that commits them (e.g. its id): if the process dies between that commit and their
     * {@link #acknowledge}, the next open returns the note ({@link #pending()}), so that the reader can ask the
     * database whether that transaction committed instead of writing the records again.
     */
    void pending(Entry last, byte[] note) throws IOException;

    /** The pending group recorded before the last acknowledgement of a previous run, or null. */
    Pending pending();

    /** Reading starts again at the oldest unacknowledged record (after a failed write of what was read). */
    void rewind();

    /** Forces appended records to disk. */
    void sync() throws IOException;

    /** Records appended and not acknowledged. */
    long depth();

    /** Bytes on disk of the records appended and not acknowledged (what counts against the budget). */
    long bytes();

    /** The disk budget, bytes. */
    long maxBytes();

    /** One record as read back: where it is, its payload, and whether its checksum matched. */
    record Entry(long segment, long offset, long end, byte[] payload, boolean corrupt) {
    }

    /** A group whose commit may have happened: it ends with the record that ends at {@code end} of {@code segment}. */
    record Pending(long segment, long end, byte[] note) {
        /** Whether the entry is one of the group's records (they start at the acknowledged position). */
        public boolean covers(Entry e) {
            return e.segment() < segment || e.segment() == segment && e.end() <= end;
        }
    }
}
