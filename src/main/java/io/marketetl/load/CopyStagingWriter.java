package io.marketetl.load;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;

/**
 * COPY ... FROM STDIN in PostgreSQL's text format: one round trip per batch, no bind-parameter limit, the server
 * parses the rows without planning a statement per row. Registry value of market-etl.load.writer: {@code copy}.
 */
public final class CopyStagingWriter implements StagingWriter {

    @Override
    public String name() {
        return "copy";
    }

    @Override
    public void stage(Connection connection, LoadTarget target, List<Row> rows) throws SQLException {
        byte[] text = encode(rows);
        CopyManager copy = connection.unwrap(PGConnection.class).getCopyAPI();
        CopyIn in = copy.copyIn(target.copySql());
        try {
            in.writeToCopy(text, 0, text.length);
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** The rows (all of one target) in COPY text format (tab-separated, \N for NULL, backslash escapes), UTF-8. */
    public static byte[] encode(List<Row> rows) {
        StringBuilder sb = new StringBuilder(rows.size() * 320);
        for (Row r : rows) {
            appendRow(sb, r);
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static void appendRow(StringBuilder sb, Row r) {
        sb.append(r.timestampText).append('\t');
        text(sb, r.exchange);
        sb.append('\t');
        text(sb, r.connectorId);
        sb.append('\t');
        text(sb, r.instrument);
        sb.append('\t');
        sb.append(r.priceText == null ? "\\N" : r.priceText);
        sb.append('\t');
        text(sb, r.data);
        sb.append('\t');
        text(sb, r.messageType);
        sb.append('\t');
        if (r.hasLatency) {
            Row.appendScaled(sb, r.latencyThousandths, 3);
        } else {
            sb.append("\\N");
        }
        sb.append('\t').append(r.messageNumber).append('\t');
        if (r.target == LoadTarget.WEBSOCKET_MESSAGES) {
            text(sb, r.format);
        } else {
            text(sb, r.rawResponse);
            sb.append('\t').append(r.statusCode).append('\t');
            if (r.hasResponseTime) {
                Row.appendScaled(sb, r.responseTimeThousandths, 3);
            } else {
                sb.append("\\N");
            }
            sb.append('\t');
            text(sb, r.callId);
            sb.append('\t');
            text(sb, r.sessionId);
        }
        sb.append('\t');
        Row.appendScaled(sb, r.extractMicros, 6);
        sb.append('\t');
        Row.appendScaled(sb, r.transformMicros, 6);
        sb.append('\t');
        text(sb, r.tradeId);
        sb.append('\t');
        text(sb, r.flags);
        sb.append('\n');
    }

    private static void text(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("\\N");
            return;
        }
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
                break;
            }
            i++;
        }
        if (i == n) {
            sb.append(s);
            return;
        }
        sb.append(s, 0, i);
        for (; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\t' -> sb.append("\\t");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                default -> sb.append(c);
            }
        }
    }

}
