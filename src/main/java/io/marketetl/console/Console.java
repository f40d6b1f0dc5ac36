package io.marketetl.console;

import io.marketetl.rest.ApiToken;
import io.marketetl.rest.JsonAnswers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import javax.sql.DataSource;
import org.apache.camel.Exchange;

/**
 * The operator's console on the API port (bean {@code console}; routes in market-etl/console.camel.yaml): the page
 * at {@code /} (one self-contained file from the jar, console/index.html) and {@code GET /api/sources}, every
 * source and connector (api_connectors with its connector_status row) with its messages per second. No secret is in
 * the answer: no URL, header, query parameter or credential, only ids, names, exchanges and status. The page itself
 * holds no data and is open; {@code /api/sources} is a read like the others (open unless
 * MARKET_ETL_API_READS_NEED_TOKEN).
 */
public class Console {

    static final String PAGE = "console/index.html";

    private static final String SOURCES_SQL = """
            SELECT a.connector_id, a.name, a.protocol_type, a.exchange_name, a.origin, a.status AS desired_status,
                   s.status, s.message_count, s.last_message_timestamp,
                   EXTRACT(EPOCH FROM (NOW() - s.last_message_timestamp)) AS age_seconds,
                   s.reconnect_attempts, s.last_error, substring(s.error_log FROM '[^\\n]*$') AS last_error_line,
                   s.updated_at
            FROM api_connectors a LEFT JOIN connector_status s ON s.connector_id = a.connector_id
            ORDER BY a.protocol_type = 'WebSocket' DESC, a.connector_id""";

    private final DataSource dataSource;
    private final ApiToken token;
    private final MessageRates rates;
    private final LongSupplier nanoClock;
    private final byte[] page;
    private final String contentSecurityPolicy;

    public Console(DataSource dataSource, ApiToken token, long rateWindowMs, long refreshMs) {
        this(dataSource, token, new MessageRates(rateWindowMs * 1_000_000L,
                Math.min(1_000L, rateWindowMs) * 1_000_000L), System::nanoTime, refreshMs);
    }

    Console(DataSource dataSource, ApiToken token, MessageRates rates, LongSupplier nanoClock, long refreshMs) {
        this.dataSource = dataSource;
        this.token = token;
        this.rates = rates;
        this.nanoClock = nanoClock;
        String html = withRefresh(readPage(), refreshMs);
        this.page = html.getBytes(StandardCharsets.UTF_8);
        this.contentSecurityPolicy = contentSecurityPolicy(html);
    }

    /** GET /: the page. */
    public void page(Exchange exchange) {
        var out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        out.setHeader(Exchange.CONTENT_TYPE, "text/html; charset=utf-8");
        out.setHeader("Content-Security-Policy", contentSecurityPolicy);
        out.setHeader("X-Content-Type-Options", "nosniff");
        out.setHeader("Referrer-Policy", "no-referrer");
        out.setHeader("Cache-Control", "no-cache");
        out.setBody(page);
    }

    /** GET /api/sources: a JSON array, WebSocket sources first, then HTTP connectors, each by id. */
    public void sources(Exchange exchange) {
        JsonAnswers.answer(exchange, 200, () -> {
            token.requireForRead(exchange);
            return sources();
        });
        exchange.getMessage().setHeader("Cache-Control", "no-store");
    }

    List<Map<String, Object>> sources() throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SOURCES_SQL);
                ResultSet rs = ps.executeQuery()) {
            long now = nanoClock.getAsLong();
            while (rs.next()) {
                String id = rs.getString("connector_id");
                String kind = "WebSocket".equalsIgnoreCase(rs.getString("protocol_type")) ? "websocket" : "http";
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("source_id", id);
                row.put("name", rs.getString("name"));
                row.put("kind", kind);
                row.put("exchange", rs.getString("exchange_name"));
                row.put("origin", kind.equals("websocket") ? "yaml" : rs.getString("origin"));
                row.put("desired_status", rs.getString("desired_status"));
                row.put("status", rs.getString("status"));
                long count = rs.getLong("message_count");
                boolean hasStatus = !rs.wasNull();
                row.put("message_count", hasStatus ? count : null);
                row.put("messages_per_second", hasStatus ? round(rates.record(id, count, now)) : null);
                row.put("last_message_timestamp", instant(rs.getTimestamp("last_message_timestamp")));
                BigDecimal age = rs.getBigDecimal("age_seconds");
                row.put("last_message_age_seconds", age == null ? null : Math.max(0, age.doubleValue()));
                int attempts = rs.getInt("reconnect_attempts");
                row.put("reconnect_attempts", rs.wasNull() ? null : attempts);
                row.put("last_error", errorText(rs.getString("last_error_line")));
                row.put("last_error_at", instant(rs.getTimestamp("last_error")));
                row.put("status_updated_at", instant(rs.getTimestamp("updated_at")));
                // only the REST API's own connectors start and stop through it; route files own theirs
                row.put("controllable", kind.equals("http") && "api".equals(rs.getString("origin")));
                out.add(row);
            }
        }
        rates.retainOnly(out.stream().map(r -> (String) r.get("source_id")).toList());
        return out;
    }

    /** The error log's newest line without its leading time stamp (last_error_at has it). */
    static String errorText(String line) {
        if (line == null || line.isBlank()) {
            return null;
        }
        int space = line.indexOf(' ');
        if (space > 0) {
            try {
                Instant.parse(line.substring(0, space));
                return line.substring(space + 1);
            } catch (DateTimeParseException e) {
                return line;
            }
        }
        return line;
    }

    private static Double round(Double rate) {
        return rate == null ? null : Math.round(rate * 100) / 100.0;
    }

    private static String instant(Timestamp ts) {
        return ts == null ? null : ts.toInstant().toString();
    }

    /** The page with its refresh interval (the script's one setting) in place of the file's default. */
    static String withRefresh(String html, long refreshMs) {
        String line = "var REFRESH_MS = 2000;";
        if (!html.contains(line)) {
            throw new IllegalStateException(PAGE + " must hold \"" + line + "\"");
        }
        return html.replace(line, "var REFRESH_MS = " + refreshMs + ";");
    }

    private static String readPage() {
        try (InputStream in = Console.class.getClassLoader().getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Nothing but the page's own inline script (by its hash) and same-origin calls: a string from outside that ever
     * reached the DOM as markup could still not run, nor load anything.
     */
    static String contentSecurityPolicy(String html) {
        int open = html.indexOf("<script>");
        int close = html.indexOf("</script>", open);
        if (open < 0 || close < 0 || html.indexOf("<script", close) >= 0) {
            throw new IllegalStateException(PAGE + " must hold exactly one inline <script>");
        }
        String script = html.substring(open + "<script>".length(), close);
        String hash;
        try {
            hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(script.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return "default-src 'none'; script-src 'sha256-" + hash + "'; style-src 'unsafe-inline'; img-src data:;"
                + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }
}
