package io.marketetl.query;

import io.marketetl.rest.ApiError;
import io.marketetl.rest.ApiToken;
import io.marketetl.rest.JsonAnswers;
import io.marketetl.rest.SqlJson;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.apache.camel.Exchange;

/**
 * The read-only query API (bean {@code queryApi}; routes in market-etl/query-api.camel.yaml): messages, counts per
 * exchange, price history, batch rows and monitoring, each answered as JSON. Reads are open unless
 * MARKET_ETL_API_READS_NEED_TOKEN is true; bad parameters get 400 with {@code problems} naming each one. Every
 * answer is bounded: listings by {@code limit}, prices by {@code limit} points or buckets, and every request's
 * statements by MARKET_ETL_API_QUERY_TIMEOUT_MS (a read-only transaction with a local statement timeout, so the pool's
 * connections keep their own settings): a request that runs longer is answered 503 naming the setting, and the
 * database is not left working for a caller that has given up.
 */
public class QueryApi {

    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;
    /** Batches with their messages arrays (up to 1000 messages each): pages of at most this many. */
    static final int MAX_PAGE_WITH_MESSAGES = 10;
    static final int DEFAULT_POINTS = 1000;
    static final int MAX_POINTS = 10_000;

    private static final Set<String> MESSAGE_PARAMS =
            Set.of("exchange", "instrument", "message_type", "since", "until", "limit", "before");
    private static final Set<String> PRICE_PARAMS =
            Set.of("exchange", "instrument", "since", "until", "bucket", "limit");
    /** SQLSTATE query_canceled: the statement ran past the statement timeout. */
    private static final String QUERY_CANCELED = "57014";
    private static final Set<String> BATCH_PARAMS = Set.of("exchange", "limit", "before", "include_messages");

    private final DataSource dataSource;
    private final ApiToken token;
    private final long queryTimeoutMs;
    private final Clock clock;

    public QueryApi(DataSource dataSource, ApiToken token, long queryTimeoutMs) {
        this(dataSource, token, queryTimeoutMs, Clock.systemUTC());
    }

    QueryApi(DataSource dataSource, ApiToken token, long queryTimeoutMs, Clock clock) {
        if (queryTimeoutMs <= 0) {
            throw new IllegalArgumentException("MARKET_ETL_API_QUERY_TIMEOUT_MS must be a positive number of"
                    + " milliseconds, not " + queryTimeoutMs);
        }
        this.dataSource = dataSource;
        this.token = token;
        this.queryTimeoutMs = queryTimeoutMs;
        this.clock = clock;
    }

    private interface Read {
        Object run(QueryParams params, Connection c) throws Exception;
    }

    /**
     * Checks the token (when reads need it), reads the parameters, runs the request's statements in one read-only
     * transaction bounded by the statement timeout, answers 200 with the result.
     */
    private void read(Exchange exchange, Set<String> known, Read read) {
        read(exchange, known, Connection.TRANSACTION_READ_COMMITTED, read);
    }

    private void read(Exchange exchange, Set<String> known, int isolation, Read read) {
        JsonAnswers.answer(exchange, 200, () -> {
            token.requireForRead(exchange);
            QueryParams params =
                    QueryParams.parse(exchange.getIn().getHeader(Exchange.HTTP_QUERY, String.class), known);
            try (Connection c = dataSource.getConnection()) {
                int before = c.getTransactionIsolation();
                c.setAutoCommit(false);
                c.setReadOnly(true);
                c.setTransactionIsolation(isolation);
                try {
                    try (var st = c.createStatement()) {
                        st.execute("SET LOCAL statement_timeout = " + queryTimeoutMs);
                    }
                    return read.run(params, c);
                } finally {
                    c.rollback();
                    c.setTransactionIsolation(before);
                    c.setReadOnly(false);
                    c.setAutoCommit(true);
                }
            }
        }, this::timedOut);
    }

    private ApiError timedOut(Exception e) {
        if (e instanceof SQLException sql && QUERY_CANCELED.equals(sql.getSQLState())) {
            return new ApiError(503, "the query ran longer than MARKET_ETL_API_QUERY_TIMEOUT_MS (" + queryTimeoutMs
                    + " ms): ask for a narrower window (since/until) or a smaller limit");
        }
        return null;
    }

    /** {@code GET /api/messages}: newest first, keyset pages. */
    public void messages(Exchange exchange) {
        read(exchange, MESSAGE_PARAMS, (p, c) -> {
            QuerySql.MessageFilter f = new QuerySql.MessageFilter(p.text("exchange"), p.text("instrument"),
                    p.text("message_type"), p.instant("since"), p.instant("until"));
            p.window(f.since(), f.until());
            int limit = p.intInRange("limit", DEFAULT_PAGE, 1, MAX_PAGE, "");
            Cursor before = p.cursor("before");
            p.check();
            return page(c, QuerySql.messages(f, before, limit + 1), limit);
        });
    }

    /** {@code GET /api/messages/counts}: exact message counts and the newest message time per exchange. */
    public void counts(Exchange exchange) {
        read(exchange, Set.of(), (p, c) -> {
            p.check();
            return SqlJson.rows(c, QuerySql.COUNTS_BY_EXCHANGE, List.of());
        });
    }

    /** {@code GET /api/batches}: websocket_batches rows, newest first, keyset pages, without messages by default. */
    public void batches(Exchange exchange) {
        read(exchange, BATCH_PARAMS, (p, c) -> {
            boolean withMessages = p.bool("include_messages", false);
            int max = withMessages ? MAX_PAGE_WITH_MESSAGES : MAX_PAGE;
            int limit = p.intInRange("limit", Math.min(DEFAULT_PAGE, max), 1, max,
                    withMessages ? " with include_messages=true" : "");
            Cursor before = p.cursor("before");
            String exchangeName = p.text("exchange");
            p.check();
            return page(c, QuerySql.batches(exchangeName, before, withMessages, limit + 1), limit);
        });
    }

    /** Runs a listing asked for one row more than {@code limit}: that row only tells that a next page exists. */
    private static Map<String, Object> page(Connection c, QuerySql.Statement st, int limit) throws SQLException {
        List<Map<String, Object>> rows = SqlJson.rows(c, st.sql(), st.params());
        Object next = null;
        if (rows.size() > limit) {
            rows = rows.subList(0, limit);
            Map<String, Object> last = rows.get(limit - 1);
            next = Cursor.of(OffsetDateTime.parse((String) last.get("timestamp")), ((Number) last.get("id")).longValue())
                    .toString();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", rows);
        out.put("next", next);
        return out;
    }

    /**
     * {@code GET /api/prices}: an instrument's priced rows in the window (of one exchange with {@code exchange}, else
     * of every exchange that trades it), or one item per bucket. Raw: the newest
     * {@code limit} points, oldest first. Buckets: the newest {@code limit} buckets of the window, oldest first; the
     * window starts at {@code since}, or {@code limit} buckets before the end ({@code until}, else now), whichever
     * is later. {@code truncated} tells that older points or buckets of the asked window were left out.
     */
    public void prices(Exchange exchange) {
        read(exchange, PRICE_PARAMS, (p, c) -> {
            String exchangeName = p.text("exchange");
            String instrument = p.required("instrument");
            Instant since = p.instant("since");
            Instant until = p.instant("until");
            p.window(since, until);
            PriceBucket bucket = p.bucket("bucket");
            int limit = p.intInRange("limit", DEFAULT_POINTS, 1, MAX_POINTS, "");
            p.check();
            QuerySql.PriceSeries series = new QuerySql.PriceSeries(exchangeName, instrument);
            return bucket == null ? rawPrices(c, series, since, until, limit)
                    : bucketPrices(c, series, bucket, since, until, limit);
        });
    }

    private static Map<String, Object> rawPrices(Connection c, QuerySql.PriceSeries series, Instant since,
            Instant until, int limit) throws SQLException {
        QuerySql.Statement st = QuerySql.prices(series, since, until, limit + 1);
        List<Map<String, Object>> rows = SqlJson.rows(c, st.sql(), st.params());
        boolean truncated = rows.size() > limit;
        return prices(truncated ? rows.subList(1, rows.size()) : rows, truncated);
    }

    private Map<String, Object> bucketPrices(Connection c, QuerySql.PriceSeries series, PriceBucket bucket,
            Instant since, Instant until, int limit) throws SQLException {
        Instant end = until != null ? until.minusNanos(1000) : clock.instant();
        Instant first = bucket.start(end).minus(bucket.size().multipliedBy(limit - 1L));
        boolean cut = since == null || since.isBefore(first);
        Instant from = cut ? first : since;
        QuerySql.Statement st = QuerySql.priceBuckets(series, bucket, from, until, limit);
        List<Map<String, Object>> rows = new ArrayList<>(SqlJson.rows(c, st.sql(), st.params()));
        Collections.reverse(rows);
        boolean truncated = false;
        if (cut) {
            QuerySql.Statement older = QuerySql.pricedRowBefore(series, since, from);
            truncated = !SqlJson.rows(c, older.sql(), older.params()).isEmpty();
        }
        return prices(rows, truncated);
    }

    private static Map<String, Object> prices(List<Map<String, Object>> items, boolean truncated) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", items);
        out.put("truncated", truncated);
        return out;
    }

    /**
     * {@code GET /api/monitoring}: the seed document's Monitoring queries in one answer, in one read-only snapshot
     * (REPEATABLE READ), so that the counts agree with each other: database size, every table's size and exact
     * row count, and per-exchange activity.
     */
    public void monitoring(Exchange exchange) {
        read(exchange, Set.of(), Connection.TRANSACTION_REPEATABLE_READ, (p, c) -> {
            p.check();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("database_size_bytes", SqlJson.rows(c, QuerySql.DATABASE_SIZE, List.of()).get(0)
                    .get("database_size_bytes"));
            List<Map<String, Object>> tables = SqlJson.rows(c, QuerySql.TABLE_SIZES, List.of());
            for (Map<String, Object> t : tables) {
                t.put("rows", SqlJson.rows(c, QuerySql.countRows((String) t.get("table")), List.of()).get(0)
                        .get("count"));
            }
            out.put("tables", tables);
            List<Map<String, Object>> activity = new ArrayList<>();
            for (Map<String, Object> row : SqlJson.rows(c, QuerySql.COUNTS_BY_EXCHANGE, List.of())) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("exchange", row.get("exchange"));
                a.put("messages", row.get("count"));
                a.put("last_message", row.get("last_message"));
                activity.add(a);
            }
            out.put("activity", activity);
            return out;
        });
    }
}
