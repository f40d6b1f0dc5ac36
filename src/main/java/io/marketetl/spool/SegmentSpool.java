package io.marketetl.spool;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link Spool} on append-only segment files in one directory.
 * <ul>
 * <li>Segment {@code NNNNNNNNNNNNNNNNNNNN.seg} (its sequence number, 20 digits): records one after the other, each
 * {@code int length, int CRC32C of the payload, payload} (big-endian). A new segment is started when the next record
 * would take the current one past {@code segmentBytes}.</li>
 * <li>{@code ledger}: segment number and offset (two longs) of the first record not yet acknowledged, i.e. not yet
 * committed by the database, then optionally a pending group (its last record's segment and end, two longs, and a
 * note: int length and bytes), then the CRC32C of all that. Written to {@code ledger.tmp}, forced, then renamed over
 * {@code ledger} after every acknowledgement, and before a group's commit ({@link #pending(Entry, byte[])}), so a
 * restart never replays what the database has committed without first learning which transaction may have
 * committed it. Segments wholly before it are deleted.</li>
 * <li>Durability: with a {@code syncInterval} of zero every append is forced to disk before it returns; otherwise an
 * append forces the segment when the interval has passed since the last force, and the owner calls {@link #sync()}
 * (on a timer and before closing). A kill -9 loses at most the appends of the last interval that the OS had not
 * written yet; a power cut as well.</li>
 * <li>A {@code lock} file is held locked while the spool is open: a second process on the same directory is refused.</li>
 * <li>Opening: each segment after the ledger is read once to count its records and check its end. Bytes at a
 * segment's end that cannot be a whole record (short header, a length running past the end, or a last record whose
 * checksum fails: a write torn by a crash) are cut off at the last good record, with one WARN line. A record in the
 * middle whose checksum fails is kept and read back as {@link Entry#corrupt()}; reading goes on after it. A corrupt
 * length field cannot be told from a torn write: the rest of that segment is cut off (ERROR line with the bytes).</li>
 * </ul>
 */
public final class SegmentSpool implements Spool {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentSpool.class);
    static final int HEADER = 8;
    private static final String SUFFIX = ".seg";
    private static final String LEDGER = "ledger";

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final long syncIntervalNanos;
    /** Segment number to its size in bytes (only segments not yet deleted). */
    private final TreeMap<Long, Long> sizes = new TreeMap<>();

    private long active;
    private FileChannel writer;
    private long lastSyncNanos = System.nanoTime();
    private boolean dirty;

    private long ackSegment;
    private long ackOffset;
    /** The pending group found in the ledger when opening (null if none); cleared by an acknowledgement. */
    private Pending pending;
    private long readSegment;
    private long readOffset;
    private FileChannel reader;
    private long readerSegment = -1;

    private long depth;
    private long fileBytes;
    /** One process per spool directory: two writers would interleave their records. */
    private final FileChannel lockChannel;
    private final java.nio.channels.FileLock lock;

    /**
     * Opens (or creates) the spool in {@code dir}.
     *
     * @param maxBytes     disk budget: an append that would take {@link #bytes()} past it is refused
     * @param segmentBytes size at which a new segment is started (a record larger than it gets a segment of its own)
     * @param syncInterval zero: force every append; else force at most this often (and on {@link #sync()})
     */
    public SegmentSpool(Path dir, long maxBytes, long segmentBytes, Duration syncInterval) throws IOException {
        this.dir = Objects.requireNonNull(dir, "dir");
        if (maxBytes <= 0 || segmentBytes <= HEADER) {
            throw new IllegalArgumentException("spool budget and segment size must be positive");
        }
        this.maxBytes = maxBytes;
        this.segmentBytes = segmentBytes;
        this.syncIntervalNanos = syncInterval.toNanos();
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        java.nio.channels.FileLock held;
        try {
            held = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            held = null;
        }
        if (held == null) {
            lockChannel.close();
            throw new IOException("the spool directory " + dir + " is in use by another process");
        }
        lock = held;
        Files.deleteIfExists(dir.resolve(LEDGER + ".tmp"));
        readLedger();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.endsWith(SUFFIX) && name.length() == 20 + SUFFIX.length()) {
                    long n = Long.parseLong(name.substring(0, 20));
                    if (n < ackSegment) {
                        Files.delete(p); // wholly acknowledged; the crash came before its deletion
                    } else {
                        sizes.put(n, Files.size(p));
                    }
                }
            }
        }
        if (!sizes.isEmpty() && sizes.firstKey() > ackSegment) {
            ackSegment = sizes.firstKey();
            ackOffset = 0;
        }
        for (long n : new ArrayList<>(sizes.keySet())) {
            recover(n, n == ackSegment ? ackOffset : 0);
        }
        while (sizes.containsKey(ackSegment) && ackOffset == sizes.get(ackSegment)
                && sizes.higherKey(ackSegment) != null) {
            // acknowledged to the end of a segment that a later one follows (a crash before the ledger moved on)
            long done = ackSegment;
            ackSegment = sizes.higherKey(done);
            ackOffset = 0;
            sizes.remove(done);
            Files.delete(segment(done));
        }
        active = sizes.isEmpty() ? ackSegment : sizes.lastKey();
        if (!sizes.containsKey(active)) {
            sizes.put(active, 0L);
        }
        writer = FileChannel.open(segment(active), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        writer.position(sizes.get(active));
        for (long size : sizes.values()) {
            fileBytes += size;
        }
        readSegment = ackSegment;
        readOffset = ackOffset;
        if (depth > 0) {
            LOG.info("Spool {}: {} record(s), {} bytes not yet in the database; they are replayed", dir, depth,
                    bytes());
        }
    }

    private Path segment(long n) {
        return dir.resolve(String.format("%020d", n) + SUFFIX);
    }

    private void readLedger() throws IOException {
        Path ledger = dir.resolve(LEDGER);
        if (!Files.exists(ledger)) {
            return;
        }
        byte[] bytes = Files.readAllBytes(ledger);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int n = b.remaining();
        if (n != 20 && (n < 40 || n - 40 != ByteBuffer.wrap(bytes, 32, 4).getInt())) {
            throw new IOException("spool ledger " + ledger + " is damaged (" + n + " bytes)");
        }
        long seg = b.getLong();
        long off = b.getLong();
        Pending p = null;
        if (n > 20) {
            long pSeg = b.getLong();
            long pEnd = b.getLong();
            byte[] note = new byte[b.getInt()];
            b.get(note);
            p = new Pending(pSeg, pEnd, note);
        }
        int crc = b.getInt();
        if (crc != crc(bytes, 0, n - 4)) {
            throw new IOException("spool ledger " + ledger + " is damaged (checksum)");
        }
        ackSegment = seg;
        ackOffset = off;
        pending = p;
    }

    /** Counts the records of a segment from {@code from}, cutting off a torn end (again after each cut). */
    private void recover(long n, long from) throws IOException {
        long size = sizes.get(n);
        long counted = 0;
        try (FileChannel ch = FileChannel.open(segment(n), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long pos = from;
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            while (pos < size) {
                int length = -1;
                if (size - pos >= HEADER) {
                    header.clear();
                    readFully(ch, header, pos);
                    header.flip();
                    length = header.getInt();
                }
                if (length < 0 || pos + HEADER + length > size) {
                    cut(ch, n, pos, size, size - pos < HEADER || length >= 0 && length <= segmentBytes);
                    size = pos;
                    pos = from; // the record now last may be torn too (its checksum): check again
                    counted = 0;
                    continue;
                }
                int stored = header.getInt();
                long end = pos + HEADER + length;
                if (end == size && stored != crc(read(ch, pos + HEADER, length))) {
                    cut(ch, n, pos, size, true);
                    size = pos;
                    break; // the record before it is a middle record now: a bad checksum there is reported
                }
                counted++;
                pos = end;
            }
        }
        depth += counted;
        sizes.put(n, size);
    }

    private void cut(FileChannel ch, long n, long pos, long size, boolean torn) throws IOException {
        ch.truncate(pos);
        ch.force(true);
        if (torn) {
            LOG.warn("Spool {}: segment {} ended in a torn record (a write cut by a crash): its last {} bytes are"
                    + " cut off at the last whole record", dir, n, size - pos);
        } else {
            LOG.error("Spool {}: segment {} has a damaged record length at offset {}: its last {} bytes cannot be"
                    + " read and are cut off", dir, n, pos, size - pos);
        }
    }

    @Override
    public synchronized void append(byte[] record) throws IOException {
        long need = HEADER + (long) record.length;
        if (bytes() + need > maxBytes) {
            throw new SpoolFullException("spool " + dir + " is full: " + bytes() + " of " + maxBytes
                    + " bytes used, a record of " + need + " bytes does not fit");
        }
        long size = sizes.get(active);
        if (size > 0 && size + need > segmentBytes) {
            roll();
            size = 0;
        }
        ByteBuffer b = ByteBuffer.allocate((int) need);
        b.putInt(record.length).putInt(crc(record)).put(record).flip();
        long written = 0;
        try {
            while (b.hasRemaining()) {
                written += writer.write(b);
            }
        } catch (IOException e) {
            writer.truncate(size); // no half record left behind by a failed write (e.g. disk full)
            writer.position(size);
            throw e;
        }
        sizes.put(active, size + written);
        fileBytes += written;
        depth++;
        dirty = true;
        if (syncIntervalNanos <= 0 || System.nanoTime() - lastSyncNanos >= syncIntervalNanos) {
            sync();
        }
    }

    private void roll() throws IOException {
        writer.force(false);
        writer.close();
        long old = active;
        active = old + 1;
        sizes.put(active, 0L);
        writer = FileChannel.open(segment(active), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (ackSegment == old && ackOffset == sizes.get(old)) {
            moveAck(active, 0);
        }
    }

    @Override
    public synchronized void sync() throws IOException {
        if (dirty) {
            writer.force(false);
            dirty = false;
        }
        lastSyncNanos = System.nanoTime();
    }

    @Override
    public synchronized Entry next() throws IOException {
        while (true) {
            long size = sizes.getOrDefault(readSegment, 0L);
            if (readOffset < size) {
                break;
            }
            Long following = sizes.higherKey(readSegment);
            if (following == null) {
                return null;
            }
            readSegment = following;
            readOffset = 0;
        }
        if (readerSegment != readSegment) {
            if (reader != null) {
                reader.close();
            }
            reader = FileChannel.open(segment(readSegment), StandardOpenOption.READ);
            readerSegment = readSegment;
        }
        ByteBuffer header = ByteBuffer.allocate(HEADER);
        readFully(reader, header, readOffset);
        header.flip();
        int length = header.getInt();
        int stored = header.getInt();
        byte[] payload = read(reader, readOffset + HEADER, length);
        long end = readOffset + HEADER + length;
        Entry e = new Entry(readSegment, readOffset, end, payload, stored != crc(payload));
        readOffset = end;
        return e;
    }

    @Override
    public synchronized void acknowledge(Entry entry) throws IOException {
        acknowledge(List.of(entry));
    }

    @Override
    public synchronized void acknowledge(List<Entry> entries) throws IOException {
        if (entries.isEmpty()) {
            return;
        }
        long seg = ackSegment;
        long off = ackOffset;
        for (Entry e : entries) {
            if (e.offset() == 0 && e.segment() > seg && off == sizes.getOrDefault(seg, -1L)
                    && Long.valueOf(e.segment()).equals(sizes.higherKey(seg))) {
                seg = e.segment(); // the previous segment ended with the previous entry
                off = 0;
            }
            if (e.segment() != seg || e.offset() != off) {
                throw new IllegalStateException("spool entries must be acknowledged in order: expected segment "
                        + seg + " at " + off + ", got " + e.segment() + " at " + e.offset());
            }
            off = e.end();
        }
        depth -= entries.size();
        pending = null;
        if (off == sizes.get(seg) && seg != active) {
            Long following = sizes.higherKey(seg);
            moveAck(following, 0);
        } else {
            moveAck(seg, off);
        }
    }

    @Override
    public synchronized void pending(Entry last, byte[] note) throws IOException {
        writeLedger(ackSegment, ackOffset, new Pending(last.segment(), last.end(), note));
    }

    @Override
    public synchronized Pending pending() {
        return pending;
    }

    /** Writes the ledger, then deletes the segments wholly before it. */
    private void moveAck(long seg, long off) throws IOException {
        writeLedger(seg, off, null);
        ackSegment = seg;
        ackOffset = off;
        List<Long> done = new ArrayList<>(sizes.headMap(seg).keySet());
        for (long n : done) {
            if (n == readerSegment) {
                reader.close();
                reader = null;
                readerSegment = -1;
            }
            fileBytes -= sizes.remove(n);
            Files.deleteIfExists(segment(n));
        }
        if (readSegment < seg) {
            readSegment = seg;
            readOffset = off;
        }
    }

    /** Replaces the ledger atomically: write a temporary file, force it, rename it over the ledger. */
    private void writeLedger(long seg, long off, Pending p) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(p == null ? 20 : 40 + p.note().length);
        b.putLong(seg).putLong(off);
        if (p != null) {
            b.putLong(p.segment()).putLong(p.end()).putInt(p.note().length).put(p.note());
        }
        b.putInt(crc(b.array(), 0, b.position()));
        Path tmp = dir.resolve(LEDGER + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            b.flip();
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, dir.resolve(LEDGER), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir.resolve(LEDGER), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public synchronized void rewind() {
        readSegment = ackSegment;
        readOffset = ackOffset;
    }

    @Override
    public synchronized long depth() {
        return depth;
    }

    @Override
    public synchronized long bytes() {
        return fileBytes - ackOffset;
    }

    @Override
    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public synchronized void close() throws IOException {
        sync();
        writer.close();
        if (reader != null) {
            reader.close();
        }
        lock.release();
        lockChannel.close();
    }

    private static byte[] read(FileChannel ch, long pos, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        readFully(ch, b, pos);
        return b.array();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int n = ch.read(b, pos + b.position());
            if (n < 0) {
                throw new IOException("spool segment ended inside a record");
            }
        }
    }

    static int crc(byte[] data) {
        return crc(data, 0, data.length);
    }

    static int crc(byte[] data, int offset, int length) {
        CRC32C c = new CRC32C();
        c.update(data, offset, length);
        return (int) c.getValue();
    }
}
