package io.marketetl.batch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.marketetl.load.BatchFacts;
import io.marketetl.load.LoadState;
import io.marketetl.load.Row;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The parameters of a batch's {@code websocket_batches} row. The loader ({@code loadMessages}) inserts it in the
 * transaction of the batch's last rows, so a batch's messages and its batch row commit together or not at all. The
 * map has {@code exchange}, {@code connector_id}, {@code total_messages}, {@code messages_per_second},
 * {@code instruments} (a text[] literal), {@code messages} and {@code metrics} (JSON text).
 * <ul>
 * <li>total_messages: messages stored in websocket_messages by this batch (refused rows and duplicates of stored
 * trades are not counted).</li>
 * <li>messages_per_second: total_messages divided by the receive-time span of the batch (last frame's arrival minus
 * the first's). When that span is under 1 ms (a single message, or one frame carrying several), the batch's window
 * is used instead: first arrival to batch completion, at least 1 ms. The aggregator collects every message of the
 * source during that window, so this is the source's rate over it. Capped at the column's 99,999,999.99.</li>
 * <li>instruments: the distinct non-null instruments, sorted.</li>
 * <li>messages: the stored rows as JSON objects with the column names as keys ({@code data} embedded as JSON).</li>
 * <li>metrics: latency_p50_ms, latency_p95_ms, latency_p99_ms, latency_max_ms (nearest rank over messages with an
 * event time; null without any), extract_ms_mean, transform_ms_mean, load_ms_mean, total_ms_mean, bytes, frames,
 * window_ms, span_ms, malformed_frames (frames refused since the source's previous batch row), completed_by
 * (predicate = size, interval = time, force = shutdown or reload), first/last_message_number (of the stored rows),
 * rows_rejected, rows_duplicate and duplicate_message_numbers (the numbers of the messages skipped because their trade
 * was already stored: recorded gaps in the source's numbering, present only when there are some), and
 * the load breakdown of the transaction that writes the row (writer, attempts, stage_ms = load_time, insert_ms,
 * status_ms; its commit, which cannot be in the row it commits, is in {@link #performance}); for a batch written
 * in one transaction with others (the spool's replay), load_group_batches, and the timings are the group's.</li>
 * </ul>
 * Built in Java and sent as JSON text: measured, that is cheaper for PostgreSQL than building the array with
 * {@code jsonb_agg} from the staged rows (parsing the text is a small part of the batch row's cost; its
 * compression is most of it, see V6).
 */
public final class BatchRowBuilder {

    private static final JsonFactory JSON = new JsonFactory();
    private static final BigDecimal MAX_RATE = new BigDecimal("99999999.99");

    private BatchRowBuilder() {
    }

    /**
     * The row of a batch whose messages are being written: the rows stored so far have their load time set, refused
     * rows have none. The load timings are the totals of the transaction(s) that wrote the rows, this one included.
     */
    public static Map<String, Object> row(LoadState load, long stageNanos, long insertNanos, long statusNanos) {
        BatchFacts batch = load.facts();
        List<Row> rows = load.rows();
        int stored = 0;
        TreeSet<String> instruments = new TreeSet<>();
        long[] latencies = new long[rows.size()];
        int latencyCount = 0;
        long bytes = 0;
        long extract = 0;
        long transform = 0;
        long loadMicros = 0;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        List<Long> duplicates = new java.util.ArrayList<>(0);
        StringWriter messagesJson = new StringWriter(rows.size() * 400 + 16);
        try (JsonGenerator g = JSON.createGenerator(messagesJson)) {
            g.writeStartArray();
            for (Row r : rows) {
                if (r.loadMicros() < 0) {
                    if (r.duplicate()) {
                        duplicates.add(r.messageNumber());
                    }
                    continue; // refused by the database or a duplicate: not stored, not in the batch row's messages
                }
                stored++;
                if (r.instrument() != null) {
                    instruments.add(r.instrument());
                }
                if (r.hasLatency()) {
                    latencies[latencyCount++] = r.latencyThousandths(); // as stored: rounded to the microsecond
                }
                bytes += r.bytes();
                extract += r.extractMicros();
                transform += r.transformMicros();
                loadMicros += r.loadMicros();
                first = Math.min(first, r.messageNumber());
                last = Math.max(last, r.messageNumber());
                writeMessage(g, r);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        Map<String, Object> row = new HashMap<>();
        row.put("exchange", batch.exchange());
        row.put("connector_id", batch.sourceId());
        row.put("total_messages", stored);
        row.put("messages_per_second", messagesPerSecond(stored, batch.spanNanos(), batch.windowNanos()));
        row.put("instruments", textArray(instruments));
        row.put("messages", messagesJson.toString());

        StringWriter metrics = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(metrics)) {
            g.writeStartObject();
            Arrays.sort(latencies, 0, latencyCount);
            number(g, "latency_p50_ms", latencyCount == 0 ? null : percentile(latencies, latencyCount, 50) / 1000.0);
            number(g, "latency_p95_ms", latencyCount == 0 ? null : percentile(latencies, latencyCount, 95) / 1000.0);
            number(g, "latency_p99_ms", latencyCount == 0 ? null : percentile(latencies, latencyCount, 99) / 1000.0);
            number(g, "latency_max_ms", latencyCount == 0 ? null : latencies[latencyCount - 1] / 1000.0);
            g.writeNumberField("latency_samples", latencyCount);
            number(g, "extract_ms_mean", stored == 0 ? null : extract / 1000.0 / stored);
            number(g, "transform_ms_mean", stored == 0 ? null : transform / 1000.0 / stored);
            number(g, "load_ms_mean", stored == 0 ? null : loadMicros / 1000.0 / stored);
            number(g, "total_ms_mean", stored == 0 ? null : (extract + transform + loadMicros) / 1000.0 / stored);
            g.writeNumberField("bytes", bytes);
            g.writeNumberField("frames", batch.frames());
            number(g, "window_ms", batch.windowNanos() / 1e6);
            number(g, "span_ms", batch.spanNanos() / 1e6);
            g.writeNumberField("malformed_frames", batch.malformedFrames());
            g.writeStringField("completed_by", batch.completedBy());
            if (stored > 0) {
                g.writeNumberField("first_message_number", first);
                g.writeNumberField("last_message_number", last);
            }
            g.writeNumberField("rows_rejected", load.rejected());
            g.writeNumberField("rows_duplicate", duplicates.size());
            if (!duplicates.isEmpty()) {
                g.writeArrayFieldStart("duplicate_message_numbers");
                for (long n : duplicates) {
                    g.writeNumber(n);
                }
                g.writeEndArray();
            }
            g.writeStringField("writer", load.writer());
            g.writeNumberField("load_attempts", load.attempts());
            if (load.groupBatches() > 1) {
                g.writeNumberField("load_group_batches", load.groupBatches());
            }
            number(g, "load_stage_ms", stageNanos / 1e6);
            number(g, "load_insert_ms", insertNanos / 1e6);
            number(g, "load_status_ms", statusNanos / 1e6);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        row.put("metrics", metrics.toString());
        return row;
    }

    /**
     * The parameters of the source's connector_status.performance_metrics update after the commit: the batch row's
     * without its messages, plus {@code load_commit_ms} and {@code load_elapsed_ms} (first attempt to commit,
     * retries included), which the row cannot hold because they end with its commit.
     */
    public static Map<String, Object> performance(Map<String, Object> row, LoadState load) {
        Map<String, Object> performance = new HashMap<>(row);
        performance.remove("messages");
        performance.put("load_commit_ms", threePlaces(load.commitNanos() / 1e6));
        performance.put("load_elapsed_ms", threePlaces(load.elapsedNanos() / 1e6));
        return performance;
    }

    /** Metrics are reported to three decimal places (microseconds, for milliseconds). */
    private static BigDecimal threePlaces(double value) {
        return BigDecimal.valueOf(value).setScale(3, RoundingMode.HALF_UP);
    }

    private static void writeMessage(JsonGenerator g, Row r) throws IOException {
        g.writeStartObject();
        g.writeStringField("timestamp", r.timestampText());
        g.writeStringField("exchange", r.exchange());
        g.writeStringField("connector_id", r.connectorId());
        g.writeStringField("instrument", r.instrument());
        if (r.priceText() == null) {
            g.writeNullField("price");
        } else {
            g.writeFieldName("price");
            g.writeNumber(r.priceText());
        }
        g.writeFieldName("data");
        g.writeRawValue(r.dataJson());
        g.writeStringField("message_type", r.messageType());
        if (r.hasLatency()) {
            g.writeFieldName("latency_ms");
            g.writeNumber(Row.scaled(r.latencyThousandths(), 3));
        } else {
            g.writeNullField("latency_ms");
        }
        g.writeNumberField("message_number", r.messageNumber());
        g.writeStringField("format", r.format());
        if (r.tradeId() != null) {
            g.writeStringField("trade_id", r.tradeId());
        }
        if (r.flags() != null) {
            g.writeStringField("flags", r.flags());
        }
        fixed(g, "extract_time", r.extractMicros());
        fixed(g, "transform_time", r.transformMicros());
        fixed(g, "load_time", r.loadMicros());
        fixed(g, "total_time", r.totalMicros());
        g.writeEndObject();
    }

    private static void fixed(JsonGenerator g, String field, long micros) throws IOException {
        g.writeFieldName(field);
        g.writeNumber(Row.scaled(micros, 6));
    }

    private static void number(JsonGenerator g, String field, Double value) throws IOException {
        if (value == null || value.isNaN() || value.isInfinite()) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, threePlaces(value));
        }
    }

    /** Nearest-rank percentile of the first {@code n} sorted values. */
    static long percentile(long[] sorted, int n, int p) {
        int rank = (int) Math.ceil(p / 100.0 * n);
        return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
    }

    static BigDecimal messagesPerSecond(int messages, long spanNanos, long windowNanos) {
        if (messages == 0) {
            return BigDecimal.ZERO.setScale(2);
        }
        long denominator = spanNanos >= 1_000_000 ? spanNanos : Math.max(windowNanos, 1_000_000);
        BigDecimal rate = BigDecimal.valueOf(messages * 1e9 / denominator).setScale(2, RoundingMode.HALF_UP);
        return rate.min(MAX_RATE);
    }

    /** A PostgreSQL array literal, every element quoted: {"BTC-USDT","ETH-USDT"}. */
    static String textArray(Iterable<String> values) {
        return Row.textArray(values);
    }
}
