package io.marketetl.load;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A batch as the spool keeps it: the {@link LoadState} the {@link LoadUnit} writes, in bytes. It holds what is already
 * fitted for the table (every row's column values, {@link Row}), the batch row's {@link BatchFacts}, and how far the
 * write got (rows committed or refused, a transaction whose commit is in doubt, the measured durations), so that a
 * replay, after a restart too, goes on exactly where the live path stopped and stores each row once. No
 * {@code System.nanoTime} stamp is kept: the replay's elapsed time starts when it is read back.
 * <p>
 * Layout (big-endian, {@link DataOutputStream}): format version (byte 1); facts; progress; row count; rows. Strings
 * are a length (int, -1 for null) and UTF-8 bytes; decimals their plain text; instants seconds and nanos.
 */
public final class SpooledBatchCodec {

    private static final byte VERSION = 1;

    private SpooledBatchCodec() {
    }

    public static byte[] encode(LoadState s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + s.rows.size() * 400);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            BatchFacts f = s.facts;
            string(out, f.sourceId());
            string(out, f.exchange());
            out.writeInt(f.frames());
            out.writeLong(f.windowNanos());
            out.writeLong(f.spanNanos());
            string(out, f.completedBy());
            out.writeLong(f.malformedFrames());
            string(out, s.writer);
            out.writeInt(s.doneUpTo);
            out.writeBoolean(s.isolating);
            out.writeInt(s.rejected);
            out.writeInt(s.duplicates);
            out.writeInt(s.attempts);
            out.writeLong(s.stageNanos);
            out.writeLong(s.insertNanos);
            out.writeLong(s.statusNanos);
            out.writeLong(s.commitNanos);
            out.writeBoolean(s.batchRowWritten);
            LoadState.InDoubt d = s.inDoubt;
            out.writeBoolean(d != null);
            if (d != null) {
                out.writeLong(d.xid());
                out.writeInt(d.backendPid());
                out.writeInt(d.from());
                out.writeInt(d.to());
                out.writeLong(d.loadMicros());
                out.writeLong(d.stageNanos());
                out.writeLong(d.insertNanos());
                out.writeLong(d.statusNanos());
                out.writeBoolean(d.withBatchRow());
                out.writeInt(d.duplicateNumbers().size());
                for (long n : d.duplicateNumbers()) {
                    out.writeLong(n);
                }
            }
            out.writeInt(s.rows.size());
            for (Row r : s.rows) {
                row(out, r);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    /** @throws IOException when the bytes are not a spooled batch of this format (e.g. corrupt) */
    public static LoadState decode(byte[] record) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(record));
        byte version = in.readByte();
        if (version != VERSION) {
            throw new IOException("not a spooled batch of format " + VERSION + " (found " + version + ")");
        }
        BatchFacts f = new BatchFacts(string(in), string(in), in.readInt(), in.readLong(), in.readLong(), string(in),
                in.readLong());
        String writer = string(in);
        int doneUpTo = in.readInt();
        boolean isolating = in.readBoolean();
        int rejected = in.readInt();
        int duplicates = in.readInt();
        int attempts = in.readInt();
        long stage = in.readLong();
        long insert = in.readLong();
        long status = in.readLong();
        long commit = in.readLong();
        boolean batchRowWritten = in.readBoolean();
        LoadState.InDoubt d = null;
        if (in.readBoolean()) {
            long xid = in.readLong();
            int pid = in.readInt();
            int from = in.readInt();
            int to = in.readInt();
            long loadMicros = in.readLong();
            long dStage = in.readLong();
            long dInsert = in.readLong();
            long dStatus = in.readLong();
            boolean withBatchRow = in.readBoolean();
            int n = in.readInt();
            Set<Long> numbers = new HashSet<>();
            for (int i = 0; i < n; i++) {
                numbers.add(in.readLong());
            }
            d = new LoadState.InDoubt(xid, pid, from, to, loadMicros, dStage, dInsert, dStatus, withBatchRow,
                    Set.copyOf(numbers));
        }
        int count = in.readInt();
        if (count < 0 || count > record.length) {
            throw new IOException("spooled batch with an impossible row count " + count);
        }
        List<Row> rows = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            rows.add(row(in));
        }
        if (in.available() != 0) {
            throw new IOException("spooled batch with " + in.available() + " bytes after its last row");
        }
        LoadState s = new LoadState(f, rows, writer);
        s.doneUpTo = doneUpTo;
        s.isolating = isolating;
        s.rejected = rejected;
        s.duplicates = duplicates;
        s.attempts = attempts;
        s.stageNanos = stage;
        s.insertNanos = insert;
        s.statusNanos = status;
        s.commitNanos = commit;
        s.batchRowWritten = batchRowWritten;
        s.inDoubt = d;
        s.firstAttemptNanos = System.nanoTime();
        return s;
    }

    private static void row(DataOutputStream out, Row r) throws IOException {
        instant(out, r.timestamp);
        string(out, r.exchange);
        string(out, r.connectorId);
        string(out, r.instrument);
        string(out, r.priceText);
        string(out, r.data);
        string(out, r.messageType);
        out.writeBoolean(r.hasLatency);
        out.writeLong(r.latencyThousandths);
        out.writeLong(r.messageNumber);
        string(out, r.format);
        out.writeLong(r.extractMicros);
        out.writeLong(r.transformMicros);
        string(out, r.tradeId);
        string(out, r.flags);
        out.writeByte(r.target.ordinal());
        string(out, r.rawResponse);
        out.writeInt(r.statusCode);
        out.writeBoolean(r.hasResponseTime);
        out.writeLong(r.responseTimeThousandths);
        string(out, r.callId);
        string(out, r.sessionId);
        out.writeInt(r.bytes);
        instant(out, r.receivedAt);
        out.writeLong(r.loadMicros);
        out.writeBoolean(r.duplicate);
    }

    private static Row row(DataInputStream in) throws IOException {
        Instant timestamp = instant(in);
        String exchange = string(in);
        String connectorId = string(in);
        String instrument = string(in);
        String price = string(in);
        String data = string(in);
        String messageType = string(in);
        boolean hasLatency = in.readBoolean();
        long latency = in.readLong();
        long number = in.readLong();
        String format = string(in);
        long extract = in.readLong();
        long transform = in.readLong();
        String tradeId = string(in);
        String flags = string(in);
        int target = in.readByte();
        if (target < 0 || target >= LoadTarget.values().length) {
            throw new IOException("spooled row with an unknown target " + target);
        }
        Row r = new Row(timestamp, exchange, connectorId, instrument, price == null ? null : new BigDecimal(price),
                data, messageType, hasLatency, latency, number, format, extract, transform, tradeId, flags,
                LoadTarget.values()[target], string(in), in.readInt(), in.readBoolean(), in.readLong(), string(in),
                string(in), in.readInt(), instant(in));
        r.loadMicros = in.readLong();
        r.duplicate = in.readBoolean();
        return r;
    }

    private static void instant(DataOutputStream out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        }
    }

    private static Instant instant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String string(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        if (n > in.available()) {
            throw new IOException("spooled string of " + n + " bytes runs past the record");
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }
}
