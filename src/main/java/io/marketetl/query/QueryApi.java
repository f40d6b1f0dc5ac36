package io.marketetl.query;

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
 * answer is bounded: listings by {@code limit}, prices by {@code limit} points or buckets.
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
    private static final Set<String> PRICE_PARAMS = Set.of("instrument", "since", "until", "bucket", "limit");
    private static final Set<String> BATCH_PARAMS = Set.of("exchange", "limit", "before", "include_messages");

    private final DataSource dataSource;
    private final ApiToken token;
    private final Clock clock;

    public QueryApi(DataSource dataSource, ApiToken token) {
        this(dataSource, token, Clock.systemUTC());
    }

    QueryApi(DataSource dataSource, ApiToken token, Clock clock) {
        this.dataSource = dataSource;
        this.token = token;
        this.clock = clock;
    }

    private interface Read {
        Object run(QueryParams params) throws Exception;
    }

    /** Checks the token (when reads need it), reads the parameters, answers 200 with the result. */
    private void read(Exchange exchange, Set<String> known, Read read) {
        JsonAnswers.answer(exchange, 200, () -> {
            token.requireForRead(exchange);
            return read.run(QueryParams.parse(exchange.getIn().getHeader(Exchange.HTTP_QUERY, String.class), known));
        });
    }

    /** {@code GET /api/messages}: newest first, keyset pages. */
    public void messages(Exchange exchange) {
        read(exchange, MESSAGE_PARAMS, p -> {
            QuerySql.MessageFilter f = new QuerySql.MessageFilter(p.text("exchange"), p.text("instrument"),
                    p.text("message_type"), p.instant("since"), p.instant("until"));
            p.window(f.since(), f.until());
            int limit = p.intInRange("limit", DEFAULT_PAGE, 1, MAX_PAGE, "");
            Cursor before = p.cursor("before");
            p.check();
            return page(QuerySql.messages(f, before, limit + 1), limit);
        });
    }

    /** {@code GET /api/messages/counts}: exact message counts and the newest message time per exchange. */
    public void counts(Exchange exchange) {
        read(exchange, Set.of(), p -> {
            p.check();
            return SqlJson.rows(dataSource, QuerySql.COUNTS_BY_EXCHANGE);
        });
    }

    /** {@code GET /api/batches}: websocket_batches rows, newest first, keyset pages, without messages by default. */
    public void batches(Exchange exchange) {
        read(exchange, BATCH_PARAMS, p -> {
            boolean withMessages = p.bool("include_messages", false);
            int max = withMessages ? MAX_PAGE_WITH_MESSAGES : MAX_PAGE;
            int limit = p.intInRange("limit", Math.min(DEFAULT_PAGE, max), 1, max,
                    withMessages ? " with include_messages=true" : "");
            Cursor before = p.cursor("before");
            String exchangeName = p.text("exchange");
            p.check();
            return page(QuerySql.batches(exchangeName, before, withMessages, limit + 1), limit);
        });
    }

    /** Runs a listing asked for one row more than {@code limit}: that row only tells that a next page exists. */
    private Map<String, Object> page(QuerySql.Statement st, int limit) throws SQLException {
        List<Map<String, Object>> rows = SqlJson.rows(dataSource, st.sql(), st.params());
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
     * {@code GET /api/prices}: an instrument's priced rows in the window, or one item per bucket. Raw: the newest
     * {@code limit} points, oldest first. Buckets: the newest {@code limit} buckets of the window, oldest first; the
     * window starts at {@code since}, or {@code limit} buckets before the end ({@code until}, else now), whichever
     * is later. {@code truncated} tells that older points or buckets of the asked window were left out.
     */
    public void prices(Exchange exchange) {
        read(exchange, PRICE_PARAMS, p -> {
            String instrument = p.required("instrument");
            Instant since = p.instant("since");
            Instant until = p.instant("until");
            p.window(since, until);
            PriceBucket bucket = p.bucket("bucket");
            int limit = p.intInRange("limit", DEFAULT_POINTS, 1, MAX_POINTS, "");
            p.check();
            return bucket == null ? rawPrices(instrument, since, until, limit)
                    : bucketPrices(instrument, bucket, since, until, limit);
        });
    }

    private Map<String, Object> rawPrices(String instrument, Instant since, Instant until, int limit)
            throws SQLException {
        QuerySql.Statement st = QuerySql.prices(instrument, since, until, limit + 1);
        List<Map<String, Object>> rows = SqlJson.rows(dataSource, st.sql(), st.params());
        boolean truncated = rows.size() > limit;
        return prices(truncated ? rows.subList(1, rows.size()) : rows, truncated);
    }

    private Map<String, Object> bucketPrices(String instrument, PriceBucket bucket, Instant since, Instant until,
            int limit) throws SQLException {
        Instant end = until != null ? until.minusNanos(1000) : clock.instant();
        Instant first = bucket.start(end).minus(bucket.size().multipliedBy(limit - 1L));
        boolean cut = since == null || since.isBefore(first);
        Instant from = cut ? first : since;
        try (Connection c = dataSource.getConnection()) {
            QuerySql.Statement st = QuerySql.priceBuckets(instrument, bucket, from, until, limit);
            List<Map<String, Object>> rows = new ArrayList<>(SqlJson.rows(c, st.sql(), st.params()));
            Collections.reverse(rows);
            boolean truncated = false;
            if (cut) {
                QuerySql.Statement older = QuerySql.pricedRowBefore(instrument, since, from);
                truncated = !SqlJson.rows(c, older.sql(), older.params()).isEmpty();
            }
            return prices(rows, truncated);
        }
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
        read(exchange, Set.of(), p -> {
            p.check();
            try (Connection c = dataSource.getConnection()) {
                c.setReadOnly(true);
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setAutoCommit(false);
                try {
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
                } finally {
                    c.rollback();
                }
            }
        });
    }
}
