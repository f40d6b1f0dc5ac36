package io.marketetl.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's file format on its own: round trip, checksums, torn tails, ledger and segment deletion, budget. */
class SegmentSpoolTest {

    @TempDir
    Path dir;

    private SegmentSpool open(long maxBytes, long segmentBytes) throws IOException {
        return new SegmentSpool(dir, maxBytes, segmentBytes, Duration.ZERO);
    }

    private static byte[] record(int i) {
        return ("record-" + i + "-" + "x".repeat(i % 7)).getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Spool.Entry e) {
        return new String(e.payload(), StandardCharsets.UTF_8);
    }

    private List<Path> segments() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
        }
    }

    @Test
    void recordsComeBackInOrderAndAcknowledgedOnesNeverAgainAfterARestart() throws IOException {
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            for (int i = 0; i < 10; i++) {
                spool.append(record(i));
            }
            assertThat(spool.depth()).isEqualTo(10);
            for (int i = 0; i < 4; i++) {
                Spool.Entry e = spool.next();
                assertThat(e.corrupt()).isFalse();
                assertThat(e.payload()).isEqualTo(record(i));
                spool.acknowledge(e);
            }
            spool.next(); // read but not acknowledged: comes back after the restart
            assertThat(spool.depth()).isEqualTo(6);
        }
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            assertThat(spool.depth()).isEqualTo(6);
            List<String> read = new ArrayList<>();
            for (Spool.Entry e = spool.next(); e != null; e = spool.next()) {
                read.add(text(e));
            }
            assertThat(read).hasSize(6).first().isEqualTo(new String(record(4), StandardCharsets.UTF_8));
            assertThat(read).last().isEqualTo(new String(record(9), StandardCharsets.UTF_8));
            spool.rewind();
            assertThat(spool.next().payload()).isEqualTo(record(4));
        }
    }

    @Test
    void aRecordWithABadChecksumInTheMiddleIsReportedCorruptAndReadingGoesOn() throws IOException {
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            for (int i = 0; i < 3; i++) {
                spool.append(record(i));
            }
        }
        Path seg = segments().get(0);
        long second = SegmentSpool.HEADER + record(0).length;
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            long at = second + SegmentSpool.HEADER + 2; // a payload byte of the second record
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            assertThat(spool.depth()).isEqualTo(3);
            Spool.Entry first = spool.next();
            Spool.Entry bad = spool.next();
            Spool.Entry third = spool.next();
            assertThat(first.corrupt()).isFalse();
            assertThat(bad.corrupt()).isTrue();
            assertThat(third.corrupt()).isFalse();
            assertThat(third.payload()).isEqualTo(record(2));
            assertThat(spool.next()).isNull();
        }
    }

    @Test
    void aTornTailIsCutAtTheLastWholeRecordAndAppendingGoesOnAfterIt() throws IOException {
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            for (int i = 0; i < 3; i++) {
                spool.append(record(i));
            }
        }
        Path seg = segments().get(0);
        long whole = Files.size(seg);
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(whole - 3); // the last record's write was cut by a kill -9
        }
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            assertThat(spool.depth()).isEqualTo(2);
            assertThat(Files.size(seg)).isEqualTo(whole - SegmentSpool.HEADER - record(2).length);
            spool.append(record(7));
            assertThat(spool.next().payload()).isEqualTo(record(0));
            assertThat(spool.next().payload()).isEqualTo(record(1));
            Spool.Entry after = spool.next();
            assertThat(after.corrupt()).isFalse();
            assertThat(after.payload()).isEqualTo(record(7));
        }
        // a header cut short, and a last record whose bytes were not all written (checksum fails)
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            long len = f.length();
            f.seek(len - 1);
            int last = f.read();
            f.seek(len - 1);
            f.write(last ^ 0xFF);
            f.write(new byte[] {0, 0, 0}); // a header cut short
        }
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            assertThat(spool.depth()).isEqualTo(2);
        }
    }

    @Test
    void segmentsAreDeletedOnceEveryRecordInThemIsAcknowledged() throws IOException {
        try (SegmentSpool spool = open(1 << 20, 64)) {
            for (int i = 0; i < 20; i++) {
                spool.append(record(i));
            }
            assertThat(segments()).hasSizeGreaterThan(5);
            long before = spool.bytes();
            for (int i = 0; i < 10; i++) {
                spool.acknowledge(spool.next());
            }
            assertThat(spool.bytes()).isLessThan(before);
            long onDisk = 0;
            for (Path p : segments()) {
                onDisk += Files.size(p);
            }
            assertThat(onDisk).isGreaterThanOrEqualTo(spool.bytes());
            for (Spool.Entry e = spool.next(); e != null; e = spool.next()) {
                spool.acknowledge(e);
            }
            assertThat(spool.depth()).isZero();
            assertThat(spool.bytes()).isZero();
            assertThat(segments()).hasSize(1); // the segment being written stays
        }
        try (SegmentSpool spool = open(1 << 20, 64)) {
            assertThat(spool.depth()).isZero();
            assertThat(spool.next()).isNull();
            spool.append(record(1));
            assertThat(spool.next().payload()).isEqualTo(record(1));
        }
    }

    @Test
    void aFullSpoolRefusesTheRecordUntilAcknowledgementsMakeRoom() throws IOException {
        int size = SegmentSpool.HEADER + record(0).length;
        try (SegmentSpool spool = open(3L * size, 1 << 16)) {
            for (int i = 0; i < 3; i++) {
                spool.append(record(0));
            }
            assertThatThrownBy(() -> spool.append(record(0))).isInstanceOf(SpoolFullException.class)
                    .hasMessageContaining("full");
            assertThat(spool.depth()).isEqualTo(3);
            spool.acknowledge(spool.next());
            spool.append(record(0));
            assertThat(spool.depth()).isEqualTo(3);
        }
    }

    @Test
    void aSecondOpenOfTheSameDirectoryIsRefusedWhileTheFirstHoldsIt() throws IOException {
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            spool.append(record(0));
            assertThatThrownBy(() -> open(1 << 20, 1 << 16)).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use");
        }
        try (SegmentSpool again = open(1 << 20, 1 << 16)) {
            assertThat(again.next().payload()).isEqualTo(record(0));
        }
    }

    @Test
    void acknowledgementsOutOfOrderAreRefused() throws IOException {
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            spool.append(record(0));
            spool.append(record(1));
            spool.next();
            Spool.Entry second = spool.next();
            assertThatThrownBy(() -> spool.acknowledge(second)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void aGroupAcrossSegmentsIsAcknowledgedWithOneCallAndItsSegmentsDeleted() throws IOException {
        try (SegmentSpool spool = open(1 << 20, 64)) { // 64 bytes: a few records per segment
            for (int i = 0; i < 12; i++) {
                spool.append(record(i));
            }
            assertThat(segments().size()).isGreaterThan(3);
            List<Spool.Entry> group = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                group.add(spool.next());
            }
            spool.acknowledge(group);
            assertThat(spool.depth()).isEqualTo(3);
            // a group that does not start at the oldest unacknowledged record is refused
            Spool.Entry tenth = spool.next();
            Spool.Entry eleventh = spool.next();
            assertThatThrownBy(() -> spool.acknowledge(List.of(eleventh))).isInstanceOf(IllegalStateException.class);
            spool.acknowledge(List.of(tenth));
        }
        try (SegmentSpool spool = open(1 << 20, 64)) {
            assertThat(spool.depth()).isEqualTo(2);
            assertThat(spool.next().payload()).isEqualTo(record(10));
            assertThat(segments()).hasSize(1); // the three wholly acknowledged segments are gone
        }
    }

    @Test
    void aPendingGroupIsInTheLedgerAfterARestartUntilItIsAcknowledged() throws IOException {
        byte[] note = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
        Spool.Entry third;
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            for (int i = 0; i < 5; i++) {
                spool.append(record(i));
            }
            spool.acknowledge(spool.next());
            spool.next();
            spool.next();
            third = spool.next();
            assertThat(spool.pending()).isNull();
            spool.pending(third, note); // then the process dies before the acknowledgement
        }
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            Spool.Pending p = spool.pending();
            assertThat(p).isNotNull();
            assertThat(p.note()).isEqualTo(note);
            assertThat(spool.depth()).isEqualTo(4);
            List<Spool.Entry> group = List.of(spool.next(), spool.next(), spool.next());
            assertThat(group).allMatch(p::covers);
            Spool.Entry after = spool.next();
            assertThat(p.covers(after)).isFalse();
            spool.acknowledge(group);
            assertThat(spool.pending()).isNull();
        }
        try (SegmentSpool spool = open(1 << 20, 1 << 16)) {
            assertThat(spool.pending()).isNull();
            assertThat(spool.depth()).isEqualTo(1);
            assertThat(spool.next().payload()).isEqualTo(record(4));
        }
    }
}
