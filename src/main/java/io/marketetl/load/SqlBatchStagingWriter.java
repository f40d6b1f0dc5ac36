package io.marketetl.load;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

/**
 * camel-sql {@code batch=true}: one JDBC batch of parameterised INSERTs (body: one Map per row), which the driver's
 * {@code reWriteBatchedInserts=true} turns into multi-row INSERTs. The driver cuts those into statements of at most
 * 128 rows (14 parameters each, 1,792 binds), far below PostgreSQL's 65,535 bind-parameter limit whatever the batch
 * size; the 5,000-row test proves it. Registry value of market-etl.load.writer: {@code sql}.
 * <p>
 * The camel-sql producer takes its connection through Spring's {@code DataSourceUtils}, so it joins the loader's
 * transaction (the same connection: the staging table is a temporary table that no other connection can see).
 * {@code batchAutoCommitDisabled=false} is essential: by default camel-sql runs a batch with auto-commit off and then
 * COMMITs it itself, which would commit the loader's transaction half-way (and empty the staging table).
 */
public final class SqlBatchStagingWriter implements StagingWriter {

    /**
     * Registry name of the DataSource the loader writes through ({@code PipelineBeans} binds it): camel-sql must use
     * that very object, because Spring binds a transaction's connection to its DataSource object; through any other
     * (e.g. the pool itself, {@code #dataSource}) it would take a second connection that cannot see the staging table.
     */
    public static final String LOAD_DATA_SOURCE = "loadDataSource";

    public static final String ENDPOINT_URI = "sql:INSERT INTO " + LoadTarget.WEBSOCKET_MESSAGES.stagingTable()
            + " (" + LoadTarget.WEBSOCKET_MESSAGES.columns()
            + ") VALUES (:#timestamp, :#exchange, :#connector_id, :#instrument, :#price, CAST(:#data AS jsonb),"
            + " :#message_type, :#latency_ms, :#message_number, :#format, :#extract_time, :#transform_time, :#trade_id,"
            + " CAST(:#flags AS text[]))"
            + "?batch=true&batchAutoCommitDisabled=false&dataSource=#" + SqlBatchStagingWriter.LOAD_DATA_SOURCE;
    public static final String API_ENDPOINT_URI = "sql:INSERT INTO " + LoadTarget.API_CONNECTOR_DATA.stagingTable()
            + " (" + LoadTarget.API_CONNECTOR_DATA.columns()
            + ") VALUES (:#timestamp, :#exchange, :#connector_id, :#instrument, :#price, CAST(:#data AS jsonb),"
            + " :#message_type, :#latency_ms, :#message_number, CAST(:#raw_response AS jsonb), :#status_code,"
            + " :#response_time_ms, :#source_id, :#session_id, :#extract_time, :#transform_time, :#trade_id,"
            + " CAST(:#flags AS text[]))"
            + "?batch=true&batchAutoCommitDisabled=false&dataSource=#" + SqlBatchStagingWriter.LOAD_DATA_SOURCE;

    private final CamelContext camelContext;
    private volatile ProducerTemplate template;
    private volatile Endpoint endpoint;
    private volatile Endpoint apiEndpoint;

    public SqlBatchStagingWriter(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public String name() {
        return "sql";
    }

    @Override
    public void stage(Connection connection, LoadTarget target, List<Row> rows) throws SQLException {
        List<Map<String, Object>> body = new ArrayList<>(rows.size());
        for (Row r : rows) {
            body.add(parameters(r));
        }
        ProducerTemplate t = template();
        Exchange result = t.send(target == LoadTarget.WEBSOCKET_MESSAGES ? endpoint : apiEndpoint,
                e -> e.getIn().setBody(body));
        Exception failure = result.getException();
        if (failure != null) {
            SQLException sql = LoadErrors.findSqlException(failure);
            if (sql != null) {
                throw sql;
            }
            throw new SQLException("camel-sql batch insert failed: " + failure, "58000", failure);
        }
    }

    static Map<String, Object> parameters(Row r) {
        Map<String, Object> p = new HashMap<>(24);
        p.put("timestamp", OffsetDateTime.ofInstant(r.timestamp, ZoneOffset.UTC));
        p.put("exchange", r.exchange);
        p.put("connector_id", r.connectorId);
        p.put("instrument", r.instrument);
        p.put("price", r.price);
        p.put("data", r.data);
        p.put("message_type", r.messageType);
        p.put("latency_ms", r.hasLatency ? BigDecimal.valueOf(r.latencyThousandths, 3) : null);
        p.put("message_number", r.messageNumber);
        if (r.target == LoadTarget.WEBSOCKET_MESSAGES) {
            p.put("format", r.format);
        } else {
            p.put("raw_response", r.rawResponse);
            p.put("status_code", r.statusCode);
            p.put("response_time_ms", r.hasResponseTime ? BigDecimal.valueOf(r.responseTimeThousandths, 3) : null);
            p.put("source_id", r.callId);
            p.put("session_id", r.sessionId);
        }
        p.put("extract_time", BigDecimal.valueOf(r.extractMicros, 6));
        p.put("transform_time", BigDecimal.valueOf(r.transformMicros, 6));
        p.put("trade_id", r.tradeId);
        p.put("flags", r.flags);
        return p;
    }

    private ProducerTemplate template() {
        ProducerTemplate t = template;
        if (t == null) {
            synchronized (this) {
                if (template == null) {
                    endpoint = camelContext.getEndpoint(ENDPOINT_URI);
                    apiEndpoint = camelContext.getEndpoint(API_ENDPOINT_URI);
                    template = camelContext.createProducerTemplate();
                }
                t = template;
            }
        }
        return t;
    }
}
