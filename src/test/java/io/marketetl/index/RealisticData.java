package io.marketetl.index;

import java.sql.SQLException;
import java.sql.Statement;

/**
 * Table contents shaped like a week of capture, for realistic plans: messages spread evenly over 7 days, 45% okx,
 * 45% binance, 10% a custom feed; 40 instruments, BTC-USDT 15% of the rows; 50 API connectors, conn_abc among them.
 */
public final class RealisticData {

    private RealisticData() {
    }

    public static void fill(Statement s, int messages) throws SQLException {
        s.execute("""
                INSERT INTO websocket_messages (timestamp, exchange, connector_id, instrument, price, data,
                    message_type, latency_ms, message_number, format, extract_time, transform_time, load_time,
                    total_time)
                SELECT ts, ex, ex || '-trades', inst, px,
                       jsonb_build_object('instId', inst, 'px', px::text, 'sz', '0.0123', 'side', 'buy',
                                          'ts', (extract(epoch FROM ts) * 1000)::bigint::text),
                       'trade', 12.5, g, upper(ex), 0.000012, 0.000034, 0.000210, 0.000256
                FROM (SELECT g, now() - random() * interval '7 days' AS ts,
                             CASE WHEN g % 20 < 9 THEN 'okx' WHEN g % 20 < 18 THEN 'binance' ELSE 'custom' END AS ex,
                             CASE WHEN random() < 0.15 THEN 'BTC-USDT'
                                  ELSE 'I' || (1 + floor(random() * 39))::int || '-USDT' END AS inst,
                             round((100 + random() * 100000)::numeric, 2) AS px
                      FROM generate_series(1, MESSAGES) g) x""".replace("MESSAGES", Integer.toString(messages)));
        s.execute("""
                INSERT INTO api_connectors (connector_id, name, api_url)
                SELECT CASE WHEN g = 0 THEN 'conn_abc' ELSE 'conn_' || g END, 'connector ' || g,
                       'https://api.example.com/' || g
                FROM generate_series(0, 49) g""");
        s.execute("""
                INSERT INTO api_connector_data (connector_id, timestamp, exchange, instrument, price, data)
                SELECT CASE WHEN g % 50 = 0 THEN 'conn_abc' ELSE 'conn_' || (g % 50) END,
                       now() - random() * interval '7 days', 'okx', 'BTC-USDT', 108250.1, '{"px":"108250.1"}'
                FROM generate_series(1, ROWS) g""".replace("ROWS", Integer.toString(messages / 4)));
        s.execute("VACUUM ANALYZE websocket_messages");
        s.execute("VACUUM ANALYZE api_connector_data");
        s.execute("VACUUM ANALYZE api_connectors");
    }
}
