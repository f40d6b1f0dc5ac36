package io.marketetl.backfill;

import io.marketetl.backfill.TradeGapDetector.Stream;
import io.marketetl.backfill.TradeHistoryApi.HistoricTrade;
import io.marketetl.load.LoadTarget;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The one writer of {@code trade_gaps} and of backfilled {@code websocket_messages} rows (V9): records gaps, hands
 * out the due ones, and stores a page of history trades together with the gap's progress in one transaction.
 */
public final class TradeGapStore {

    /** An open gap as the backfill works on it. */
    public record OpenGap(long id, String sourceId, Stream stream, long fromId, long toId, int attempts) {
    }

    /** A stored trade: its id and data, newest first, for the restart check. */
    public record StoredTrade(String tradeId, String data) {
    }

    /**
     * One statement for a page (its row count is exact, where a JDBC batch may answer "no info" per row): the
     * page's columns as arrays, the rest the same for every row.
     */
    private static final String INSERT_TRADES = "INSERT INTO websocket_messages (timestamp, exchange, instrument,"
            + " price, data, message_type, format, connector_id, trade_id, backfilled)"
            + " SELECT t.ts, ?, ?, t.price, CAST(t.data AS jsonb), ?, ?, ?, t.trade_id, TRUE"
            + " FROM unnest(?::timestamptz[], ?::numeric[], ?::text[], ?::text[]) AS t(ts, price, data, trade_id)"
            + " ON CONFLICT " + LoadTarget.NATURAL_KEY + " DO NOTHING";

    private final DataSource dataSource;

    public TradeGapStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records a gap (status open, due now) unless the same gap (stream and first id) is recorded already.
     *
     * @return whether it was new
     */
    public boolean record(String sourceId, Stream s, TradeSequence.Gap gap, String cause) throws SQLException {
        return insert(sourceId, s, gap, cause, "open", null, null);
    }

    /** Records a gap that will not be filled (too large), with its reason. */
    public boolean recordUnfillable(String sourceId, Stream s, TradeSequence.Gap gap, String cause, String reason)
            throws SQLException {
        return insert(sourceId, s, gap, cause, "unfillable", gap.size(), reason);
    }

    private boolean insert(String sourceId, Stream s, TradeSequence.Gap gap, String cause, String status,
            Long missing, String error) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("INSERT INTO trade_gaps (connector_id, exchange, instrument,"
                        + " message_type, from_trade_id, to_trade_id, cause, status, trades_missing, last_error,"
                        + " resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CASE WHEN ? = 'open' THEN NULL"
                        + " ELSE NOW() END) ON CONFLICT ON CONSTRAINT trade_gaps_once DO NOTHING")) {
            ps.setString(1, sourceId);
            ps.setString(2, s.exchange());
            ps.setString(3, s.instrument());
            ps.setString(4, s.messageType());
            ps.setLong(5, gap.fromId());
            ps.setLong(6, gap.toId());
            ps.setString(7, cause);
            ps.setString(8, status);
            if (missing == null) {
                ps.setNull(9, Types.BIGINT);
            } else {
                ps.setLong(9, missing);
            }
            ps.setString(10, cut(error));
            ps.setString(11, status);
            return ps.executeUpdate() == 1;
        }
    }

    /** Open gaps whose next attempt is due, oldest due first. */
    public List<OpenGap> due(int limit) throws SQLException {
        List<OpenGap> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT id, connector_id, exchange, instrument, message_type,"
                        + " from_trade_id, to_trade_id, attempts FROM trade_gaps WHERE status = 'open'"
                        + " AND next_attempt_at <= NOW() ORDER BY next_attempt_at, id LIMIT ?")) {
            ps.setInt(1, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new OpenGap(rs.getLong(1), rs.getString(2),
                            new Stream(rs.getString(3), rs.getString(4), rs.getString(5)), rs.getLong(6),
                            rs.getLong(7), rs.getInt(8)));
                }
            }
        }
        return out;
    }

    /**
     * Stores history trades of a gap (each once: a trade already stored, live or backfilled, is skipped by the natural
     * key) and adds what was inserted to the gap's {@code trades_backfilled}, in one transaction.
     *
     * @return the rows inserted
     */
    public int storeTrades(OpenGap gap, String format, List<HistoricTrade> trades) throws SQLException {
        if (trades.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                int inserted;
                try (PreparedStatement ps = c.prepareStatement(INSERT_TRADES)) {
                    Stream s = gap.stream();
                    int n = trades.size();
                    Object[] ts = new Object[n];
                    Object[] price = new Object[n];
                    Object[] data = new Object[n];
                    Object[] id = new Object[n];
                    for (int i = 0; i < n; i++) {
                        HistoricTrade t = trades.get(i);
                        ts[i] = java.time.OffsetDateTime.ofInstant(t.time(), java.time.ZoneOffset.UTC);
                        price[i] = t.price();
                        data[i] = t.data();
                        id[i] = Long.toString(t.id());
                    }
                    ps.setString(1, s.exchange());
                    ps.setString(2, s.instrument());
                    ps.setString(3, s.messageType());
                    ps.setString(4, format);
                    ps.setString(5, gap.sourceId());
                    ps.setArray(6, c.createArrayOf("timestamptz", ts));
                    ps.setArray(7, c.createArrayOf("numeric", price));
                    ps.setArray(8, c.createArrayOf("text", data));
                    ps.setArray(9, c.createArrayOf("text", id));
                    inserted = ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE trade_gaps SET trades_backfilled = trades_backfilled + ? WHERE id = ?")) {
                    ps.setLong(1, inserted);
                    ps.setLong(2, gap.id());
                    ps.executeUpdate();
                }
                c.commit();
                return inserted;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    /** Not tried now (the host's budget): due again at {@code until}; not an attempt. */
    public void postpone(long gapId, Instant until) throws SQLException {
        update("UPDATE trade_gaps SET next_attempt_at = ? WHERE id = ?", Timestamp.from(until), gapId);
    }

    /** Every id the history had is stored and none is missing: filled. */
    public void filled(long gapId) throws SQLException {
        update("UPDATE trade_gaps SET status = 'filled', attempts = attempts + 1, trades_missing = 0,"
                + " last_error = NULL, resolved_at = NOW() WHERE id = ?", gapId);
    }

    /**
     * An attempt that did not fill the gap ({@code missing} ids the history lacked, or a failed call): tried again at
     * {@code retryAt}, or, when {@code giveUp}, unfillable.
     */
    public void attemptFailed(long gapId, Long missing, String error, Instant retryAt, boolean giveUp)
            throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE trade_gaps SET attempts = attempts + 1,"
                        + " trades_missing = COALESCE(?, trades_missing), last_error = ?, next_attempt_at = ?,"
                        + " status = CASE WHEN ? THEN 'unfillable' ELSE status END,"
                        + " resolved_at = CASE WHEN ? THEN NOW() ELSE NULL END WHERE id = ?")) {
            if (missing == null) {
                ps.setNull(1, Types.BIGINT);
            } else {
                ps.setLong(1, missing);
            }
            ps.setString(2, cut(error));
            ps.setTimestamp(3, Timestamp.from(retryAt));
            ps.setBoolean(4, giveUp);
            ps.setBoolean(5, giveUp);
            ps.setLong(6, gapId);
            ps.executeUpdate();
        }
    }

    /** Open gaps (all, due or not). */
    public long openCount() throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM trade_gaps WHERE status = 'open'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The stream's newest {@code limit} stored trades by time (through the (exchange, instrument, timestamp DESC)
     * index), for the restart check.
     */
    public List<StoredTrade> newest(Stream s, int limit) throws SQLException {
        List<StoredTrade> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT trade_id, data::text FROM websocket_messages"
                        + " WHERE exchange = ? AND instrument = ? AND message_type = ? AND trade_id IS NOT NULL"
                        + " ORDER BY timestamp DESC LIMIT ?")) {
            ps.setString(1, s.exchange());
            ps.setString(2, s.instrument());
            ps.setString(3, s.messageType());
            ps.setInt(4, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StoredTrade(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return out;
    }

    private void update(String sql, Object a, long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, a);
            ps.setLong(2, id);
            ps.executeUpdate();
        }
    }

    private void update(String sql, long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    private static String cut(String s) {
        return s == null || s.length() <= 200 ? s : s.substring(0, 200);
    }
}
