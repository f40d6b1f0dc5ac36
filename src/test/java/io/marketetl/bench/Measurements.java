package io.marketetl.bench;

import com.zaxxer.hikari.HikariDataSource;
import io.marketetl.db.DatabaseBootstrap;
import io.marketetl.db.DatabaseSettings;
import io.marketetl.load.BatchCommitListener;
import io.marketetl.load.CopyStagingWriter;
import io.marketetl.load.Row;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.testsupport.MarketMessageFactory;
import io.marketetl.testsupport.PipelineHarness;
import io.marketetl.testsupport.TestDatabase;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The three kinds of measurement: (a) psql \copy, (b) the seed's one INSERT per message, (c) the pipeline. */
final class Measurements {

    /** The columns of a psql \copy line: the staging columns the loader writes (CopyStagingWriter), then the two times. */
    static final String ALL_COLUMNS = io.marketetl.load.LoadTarget.WEBSOCKET_MESSAGES.columns() + ", load_time, total_time";

    private Measurements() {
    }

    /** One measured run. offered: messages/s offered, 0 = as fast as possible, -1 = not applicable. */
    record Run(String scenario, String writer, String indexes, int sources, double offered, long messages,
            double seconds, double messagesPerSecond, double p50Ms, double p99Ms, double appCpuPercent,
            double dbCpuPercent, double machineBusyPercent, double peakHeapMb, long peakBacklog) {
    }

    // ---------------------------------------------------------------------------------------------- (a) ceiling

    /** A COPY text file of {@code rows} generated messages with every websocket_messages column, written once. */
    static Path copyFile(Path dir, int rows, long seed) throws IOException {
        Path file = dir.resolve("bench-rows-" + rows + ".tsv");
        MarketMessageFactory okx = new MarketMessageFactory("bench-0", MarketMessageFactory.Style.OKX, seed);
        MarketMessageFactory binance = new MarketMessageFactory("bench-1", MarketMessageFactory.Style.BINANCE,
                seed + 1);
        long[] numbers = new long[2];
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            StringBuilder sb = new StringBuilder(512);
            int written = 0;
            while (written < rows) {
                int which = written % 2;
                List<MarketMessage> frame = (which == 0 ? okx : binance).frame(Instant.now());
                for (MarketMessage m : frame) {
                    if (written == rows) {
                        break;
                    }
                    m.setMessageNumber(++numbers[which]);
                    m.setExtractSeconds(0.000011);
                    m.setTransformSeconds(0.000034);
                    sb.setLength(0);
                    Row r = Row.of(m);
                    CopyStagingWriter.appendRow(sb, r);
                    sb.setLength(sb.length() - 1); // the line without its newline: add load and total time
                    sb.append("\t0.000200\t").append(Row.scaled(r.extractMicros() + r.transformMicros() + 200, 6))
                            .append('\n');
                    out.write(sb.toString());
                    written++;
                }
            }
        }
        return file;
    }

    static Run ceiling(TestDatabase db, Path file, int rows, String indexes) throws IOException, InterruptedException {
        truncate(db);
        DatabaseSettings s = db.settings();
        ProcessBuilder pb = new ProcessBuilder("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", s.host(), "-p",
                Integer.toString(s.port()), "-U", s.user(), "-d", s.database(), "-c",
                "\\copy websocket_messages (" + ALL_COLUMNS + ") FROM '" + file.toAbsolutePath() + "'");
        if (!s.password().isEmpty()) {
            pb.environment().put("PGPASSWORD", s.password());
        }
        pb.redirectErrorStream(true);
        ResourceSampler res = new ResourceSampler();
        long t0 = System.nanoTime();
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        long t1 = System.nanoTime();
        res.close();
        if (exit != 0) {
            throw new IllegalStateException("psql \\copy failed (" + exit + "): " + output);
        }
        long stored = db.queryLong("SELECT count(*) FROM websocket_messages");
        if (stored != rows) {
            throw new IllegalStateException("psql \\copy stored " + stored + " of " + rows + " rows");
        }
        double seconds = (t1 - t0) / 1e9;
        // db% is not reported here: psql's backend exits with psql, and the postmaster may reap it (and add its CPU
        // time to its own cutime) after the sample; box% shows psql and its backend together
        return new Run("(a) psql \\copy (ceiling)", "-", indexes, 0, -1, rows, seconds, rows / seconds, Double.NaN,
                Double.NaN, Double.NaN, Double.NaN, res.machineBusyPercent(), Double.NaN, 0);
    }

    // ------------------------------------------------------------------------------------------ (b) seed pattern

    static Run seedInserts(TestDatabase db, int connections, Duration duration, long seed) throws Exception {
        truncate(db);
        DatabaseSettings s = db.settings();
        DatabaseSettings pooled = new DatabaseSettings(s.host(), s.port(), s.user(), s.password(), s.database(),
                s.maintenanceDatabase(), s.jdbcOptions(), s.startupWait(), s.startupMaxBackoff(), connections,
                connections, Duration.ofSeconds(10));
        LatencyHistogram latency = new LatencyHistogram();
        AtomicLong inserted = new AtomicLong();
        String sql = "INSERT INTO websocket_messages (" + ALL_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)"; // the seed had no
                // trade_id or flags (V8's columns; with trade ids the 16 generators' trades would collide on V8's key)
        try (HikariDataSource pool = DatabaseBootstrap.openPool(pooled)) {
            List<Thread> threads = new ArrayList<>();
            ResourceSampler res = new ResourceSampler();
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            for (int t = 0; t < connections; t++) {
                MarketMessageFactory f = new MarketMessageFactory("seed-" + t, t % 2 == 0
                        ? MarketMessageFactory.Style.OKX : MarketMessageFactory.Style.BINANCE, seed + t);
                Thread th = new Thread(() -> {
                    long number = 0;
                    while (System.nanoTime() < end) {
                        for (MarketMessage m : f.frame(Instant.now())) {
                            m.setMessageNumber(++number);
                            Row r = Row.of(m);
                            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                                ps.setTimestamp(1, Timestamp.from(r.timestamp()));
                                ps.setString(2, r.exchange());
                                ps.setString(3, r.connectorId());
                                ps.setString(4, r.instrument());
                                ps.setBigDecimal(5, r.price());
                                ps.setString(6, r.dataJson());
                                ps.setString(7, r.messageType());
                                ps.setBigDecimal(8, java.math.BigDecimal.valueOf(r.latencyThousandths(), 3));
                                ps.setLong(9, r.messageNumber());
                                ps.setString(10, r.format());
                                ps.setBigDecimal(11, java.math.BigDecimal.valueOf(r.extractMicros(), 6));
                                ps.setBigDecimal(12, java.math.BigDecimal.valueOf(r.transformMicros(), 6));
                                ps.setBigDecimal(13, java.math.BigDecimal.ZERO);
                                ps.setBigDecimal(14, java.math.BigDecimal.valueOf(r.extractMicros()
                                        + r.transformMicros(), 6));
                                ps.executeUpdate();
                            } catch (SQLException e) {
                                throw new IllegalStateException(e);
                            }
                            latency.record(Duration.between(m.eventTime(), Instant.now()).toNanos() / 1000);
                            inserted.incrementAndGet();
                        }
                    }
                }, "seed-insert-" + t);
                threads.add(th);
                th.start();
            }
            for (Thread th : threads) {
                th.join();
            }
            long last = System.nanoTime();
            res.close();
            double seconds = (last - start) / 1e9;
            return new Run("(b) seed: 1 INSERT/message", "-", "", connections, 0, inserted.get(), seconds,
                    inserted.get() / seconds, latency.percentileMs(50), latency.percentileMs(99),
                    res.processCpuPercent(), res.postgresCpuPercent(), res.machineBusyPercent(), res.peakHeapMb(), 0);
        }
    }

    // -------------------------------------------------------------------------------------------- (c) pipeline

    static Run pipeline(TestDatabase db, String scenario, Feed.Plan plan, Map<String, String> settings,
            String writer, String indexes, boolean simulatorFeed) throws Exception {
        return pipeline(db, scenario, plan, settings, writer, indexes, simulatorFeed, false);
    }

    /**
     * @param withoutNaturalKey the load path as before natural keys (V8): their unique index dropped for the run and
     *                          the loader's insert without ON CONFLICT ({@code LoadUnit.benchmarkWithoutNaturalKey});
     *                          the index is created again (on the emptied table) afterwards
     */
    static Run pipeline(TestDatabase db, String scenario, Feed.Plan plan, Map<String, String> settings,
            String writer, String indexes, boolean simulatorFeed, boolean withoutNaturalKey) throws Exception {
        if (withoutNaturalKey) {
            String definition = db.queryString("SELECT pg_get_indexdef('" + NATURAL_KEY_INDEX + "'::regclass)");
            db.execute("DROP INDEX " + NATURAL_KEY_INDEX);
            try {
                return measurePipeline(db, scenario, plan, settings, writer, indexes, simulatorFeed, true);
            } finally {
                truncate(db);
                db.execute(definition);
            }
        }
        return measurePipeline(db, scenario, plan, settings, writer, indexes, simulatorFeed, false);
    }

    /** The natural key of websocket_messages (V8, V10, V11), dropped for the "no natural key" row. */
    static final String NATURAL_KEY_INDEX = "idx_websocket_messages_natural_key";

    private static Run measurePipeline(TestDatabase db, String scenario, Feed.Plan plan, Map<String, String> settings,
            String writer, String indexes, boolean simulatorFeed, boolean withoutNaturalKey) throws Exception {
        truncate(db);
        try (PipelineHarness p = PipelineHarness.start(db.dataSource(), settings)) {
            p.loader().unit().benchmarkWithoutNaturalKey(withoutNaturalKey);
            LatencyHistogram latency = new LatencyHistogram();
            AtomicLong committed = new AtomicLong();
            List<long[]> commits = java.util.Collections.synchronizedList(new ArrayList<>());
            BatchCommitListener listener = (batch, at) -> {
                for (MarketMessage m : batch.messages()) {
                    latency.record(Duration.between(m.timestamp(), at).toNanos() / 1000);
                }
                committed.addAndGet(batch.size());
                commits.add(new long[] {System.nanoTime(), batch.size()});
            };
            p.loader().addListener(listener);
            p.backlog().resetPeak();
            ResourceSampler res = new ResourceSampler();
            Feed.Sent sent;
            try (Feed feed = simulatorFeed ? new SimulatorFeed(p) : new InProcFeed(p)) {
                sent = feed.run(plan);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (committed.get() < sent.messages()) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + committed.get() + " of " + sent.messages()
                                + " messages committed after 3 minutes");
                    }
                    Thread.sleep(5);
                }
                res.close();
            }
            return new Run(scenario, writer, indexes, plan.sources(), plan.ratePerSecond(), committed.get(),
                    res.seconds(), steadyRate(commits, sent), latency.percentileMs(50), latency.percentileMs(99),
                    res.processCpuPercent(), res.postgresCpuPercent(), res.machineBusyPercent(), res.peakHeapMb(),
                    p.backlog().peak());
        }
    }

    /**
     * Committed messages per second in the steady part of a run: commits between 10% of the sending time (at least
     * 0.5 s, past start-up and the first batches filling) and the end of sending (before the queues drain).
     */
    static double steadyRate(List<long[]> commits, Feed.Sent sent) {
        long span = sent.lastNanos() - sent.firstNanos();
        long from = sent.firstNanos() + Math.max(span / 10, 500_000_000L);
        long to = sent.lastNanos();
        long messages = 0;
        synchronized (commits) {
            for (long[] c : commits) {
                if (c[0] > from && c[0] <= to) {
                    messages += c[1];
                }
            }
        }
        return to > from ? messages / ((to - from) / 1e9) : Double.NaN;
    }

    // ---------------------------------------------------------------------------------- (d) load stage alone

    /**
     * The load stage alone, one thread, no routing: {@code batches} prepared batches of {@code size} messages
     * written by the loader with the given writer. Separates the writer's cost from the feed and the routes.
     * p50/p99 here are of each batch's staging step (its load_time), in ms.
     */
    static Run loaderOnly(TestDatabase db, String writer, int batches, int size, long seed) throws Exception {
        truncate(db);
        try (PipelineHarness p = PipelineHarness.start(db.dataSource(), Map.of("market-etl.load.writer", writer))) {
            MarketMessageFactory f = new MarketMessageFactory("bench-load", MarketMessageFactory.Style.OKX, seed);
            List<io.marketetl.batch.Batch> prepared = new ArrayList<>();
            long number = 0;
            for (int b = 0; b < batches; b++) {
                List<MarketMessage> messages = new ArrayList<>(size);
                while (messages.size() < size) {
                    for (MarketMessage m : f.frame(Instant.now())) {
                        if (messages.size() < size) {
                            m.setMessageNumber(++number);
                            m.setExtractSeconds(0.000011);
                            m.setTransformSeconds(0.000034);
                            messages.add(m);
                        }
                    }
                }
                prepared.add(io.marketetl.batch.Batch.of(messages));
            }
            p.backlog().accepted(batches * size);
            LatencyHistogram stage = new LatencyHistogram();
            ResourceSampler res = new ResourceSampler();
            long t0 = System.nanoTime();
            for (io.marketetl.batch.Batch b : prepared) {
                p.loader().load(b);
                stage.record(b.load().stageNanos() / 1000);
            }
            long t1 = System.nanoTime();
            res.close();
            double seconds = (t1 - t0) / 1e9;
            long rows = (long) batches * size;
            return new Run("(d) load stage alone, 1 thread", writer, "V4", 1, -1, rows, seconds, rows / seconds,
                    stage.percentileMs(50), stage.percentileMs(99), res.processCpuPercent(), res.postgresCpuPercent(),
                    res.machineBusyPercent(), res.peakHeapMb(), 0);
        }
    }

    static void truncate(TestDatabase db) {
        db.execute("TRUNCATE websocket_messages, websocket_batches");
        try {
            db.execute("CHECKPOINT"); // a checkpoint inside a run would add noise; needs superuser or pg_checkpoint
        } catch (IllegalStateException notAllowed) {
            // fine without
        }
    }
}
