package io.marketetl.connector.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.marketetl.connector.ApiExtractor;
import io.marketetl.connector.ConnectorDefinition;
import io.marketetl.connector.ConnectorServices;
import io.marketetl.connector.ConnectorStore;
import io.marketetl.connector.ConnectorTester;
import io.marketetl.exchanges.Json;
import io.marketetl.normalise.MalformedFrameException;
import io.marketetl.normalise.MarketMessage;
import io.marketetl.rest.ApiError;
import io.marketetl.rest.ApiToken;
import io.marketetl.rest.JsonAnswers;
import io.marketetl.rest.SqlJson;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations of {@code /api/connectors} (bean {@code connectorApi}; routes in market-etl/connectors-api.camel.yaml).
 * Every answer is JSON; an error is {@code {"error":..,"problems":[..]}} with its status: 400 naming each bad field
 * (nothing is written), 401 without or with a wrong token, 403 when no token is configured (the write API is never
 * open by default; reads need the token only when MARKET_ETL_API_READS_NEED_TOKEN is true), 404 unknown id, 409 an
 * id that exists or belongs to a route file. Secrets are masked in every answer.
 */
public class ConnectorApi {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectorApi.class);
    static final int DEFAULT_DATA_LIMIT = 100;
    static final int MAX_DATA_LIMIT = 1000;

    private final ConnectorServices services;
    private final ConnectorManager manager;
    private final DataSource dataSource;
    private final ApiToken token;

    public ConnectorApi(ConnectorServices services, ConnectorManager manager, DataSource dataSource, ApiToken token) {
        this.services = services;
        this.manager = manager;
        this.dataSource = dataSource;
        this.token = token;
    }

    /** Runs an operation and answers its result (or its error) as JSON with the status. */
    private static void answer(Exchange exchange, int okStatus, JsonAnswers.Operation op) {
        JsonAnswers.answer(exchange, okStatus, op,
                e -> e instanceof ConnectorStore.NoSecretKey ? new ApiError(400, e.getMessage()) : null);
    }

    private void requireToken(Exchange exchange) {
        token.requireForWrite(exchange);
    }

    private static String id(Exchange exchange) {
        return exchange.getIn().getHeader("id", String.class);
    }

    private ConnectorDefinition existing(String id) throws SQLException {
        Optional<ConnectorDefinition> d = services.store().find(id);
        if (d.isEmpty()) {
            throw new ApiError(404, "no connector " + id);
        }
        return d.get();
    }

    private static void apiOwned(ConnectorDefinition d) {
        if (!ConnectorDefinition.ORIGIN_API.equals(d.origin())) {
            throw new ApiError(409, "connector " + d.connectorId() + " is defined in a route file: edit that file");
        }
    }

    private ConnectorDefinition parse(Exchange exchange, String idFromPath) {
        String text = exchange.getIn().getBody(String.class);
        JsonNode body;
        try {
            body = text == null || text.isBlank() ? null : Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ApiError(400, "malformed JSON: " + e.getOriginalMessage());
        }
        List<String> problems = new ArrayList<>();
        ConnectorDefinition d = ConnectorJson.read(body, idFromPath, problems);
        if (problems.isEmpty()) {
            if (d.connectorId() == null) {
                d = d.withId("conn_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 16));
            }
            if (d.pollingInterval() == null && d.cron() == null) {
                d = new ConnectorDefinition(d.connectorId(), d.name(), d.apiUrl(), d.httpMethod(), d.headers(),
                        d.queryParams(), d.authType(), d.credentials(), 1000, null, d.exchangeName(), d.extract(),
                        d.responseRules(), d.instruments(), d.origin(), d.status());
            }
            problems.addAll(services.validation().problems(d));
        }
        if (!problems.isEmpty()) {
            throw new ApiError(400, "invalid connector", problems);
        }
        boolean hasSecrets = !d.headers().isEmpty() || !d.queryParams().isEmpty() || !d.credentials().isEmpty();
        if (hasSecrets && !services.store().canStoreSecrets()) {
            throw new ConnectorStore.NoSecretKey();
        }
        return d;
    }

    public void list(Exchange exchange) {
        answer(exchange, 200, () -> {
            token.requireForRead(exchange);
            List<Object> out = new ArrayList<>();
            for (ConnectorDefinition d : services.store().list()) {
                out.add(ConnectorJson.write(d, manager.isRunning(d.connectorId())));
            }
            return out;
        });
    }

    public void get(Exchange exchange) {
        answer(exchange, 200, () -> {
            token.requireForRead(exchange);
            ConnectorDefinition d = existing(id(exchange));
            return ConnectorJson.write(d, manager.isRunning(d.connectorId()));
        });
    }

    public void create(Exchange exchange) {
        answer(exchange, 201, () -> {
            requireToken(exchange);
            ConnectorDefinition d = parse(exchange, null).withStatus("inactive");
            if (manager.isTakenByAnotherRoute(d.connectorId())) {
                throw new ApiError(409, "connector_id " + d.connectorId() + " is the id of a route file's route");
            }
            try {
                services.store().insert(d);
            } catch (ConnectorStore.ConnectorExists e) {
                throw new ApiError(409, "connector " + d.connectorId() + " exists");
            }
            LOG.info("REST API: connector {} registered ({} {})", d.connectorId(), d.httpMethod(), d.apiUrl());
            return ConnectorJson.write(existing(d.connectorId()), false);
        });
    }

    public void update(Exchange exchange) {
        answer(exchange, 200, () -> {
            requireToken(exchange);
            String id = id(exchange);
            ConnectorDefinition old = existing(id);
            apiOwned(old);
            ConnectorDefinition d = parse(exchange, id).withStatus(old.status());
            services.store().update(d);
            manager.restartIfRunning(id);
            return ConnectorJson.write(existing(id), manager.isRunning(id));
        });
    }

    public void delete(Exchange exchange) {
        answer(exchange, 204, () -> {
            requireToken(exchange);
            String id = id(exchange);
            apiOwned(existing(id));
            manager.remove(id);
            services.store().delete(id);
            LOG.info("REST API: connector {} deleted", id);
            return null;
        });
    }

    public void start(Exchange exchange) {
        answer(exchange, 200, () -> {
            requireToken(exchange);
            String id = id(exchange);
            apiOwned(existing(id));
            manager.start(id);
            return ConnectorJson.write(existing(id), manager.isRunning(id));
        });
    }

    public void stop(Exchange exchange) {
        answer(exchange, 200, () -> {
            requireToken(exchange);
            String id = id(exchange);
            apiOwned(existing(id));
            manager.stop(id);
            return ConnectorJson.write(existing(id), manager.isRunning(id));
        });
    }

    public void status(Exchange exchange) {
        answer(exchange, 200, () -> {
            token.requireForRead(exchange);
            String id = id(exchange);
            existing(id);
            List<Map<String, Object>> rows = query("SELECT status, message_count, last_message_timestamp,"
                    + " reconnect_attempts, last_error, error_log, performance_metrics, updated_at"
                    + " FROM connector_status WHERE connector_id = ?", id);
            if (rows.isEmpty()) {
                throw new ApiError(404, "connector " + id + " has no status yet");
            }
            return rows.get(0);
        });
    }

    public void data(Exchange exchange) {
        answer(exchange, 200, () -> {
            token.requireForRead(exchange);
            String id = id(exchange);
            existing(id);
            int limit = intParam(exchange, "limit", DEFAULT_DATA_LIMIT);
            if (limit < 1 || limit > MAX_DATA_LIMIT) {
                throw new ApiError(400, "limit: 1 to " + MAX_DATA_LIMIT);
            }
            Integer before = exchange.getIn().getHeader("before") == null ? null : intParam(exchange, "before", 0);
            List<Map<String, Object>> rows = query("SELECT id, timestamp, exchange, instrument, price, data,"
                    + " message_type, raw_response, status_code, response_time_ms, source_id, session_id, latency_ms,"
                    + " message_number, extract_time, transform_time, load_time, total_time FROM api_connector_data"
                    + " WHERE connector_id = ? AND id < ? ORDER BY id DESC LIMIT ?", id,
                    before == null ? Long.MAX_VALUE : (long) before, limit);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("items", rows);
            out.put("next", rows.size() == limit ? rows.get(rows.size() - 1).get("id") : null);
            return out;
        });
    }

    public void test(Exchange exchange) {
        answer(exchange, 200, () -> {
            requireToken(exchange);
            ConnectorDefinition d = existing(id(exchange));
            ConnectorTester.Result r = ConnectorTester.call(d, services);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("outcome", r.outcome());
            out.put("status_code", r.statusCode());
            out.put("response_time_ms", r.responseTimeMs());
            out.put("error", r.error());
            List<Map<String, Object>> rows = new ArrayList<>();
            if (r.response() != null) {
                try {
                    for (MarketMessage m : ApiExtractor.extract(r.response())) {
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("timestamp", m.timestamp().toString());
                        row.put("exchange", m.exchange());
                        row.put("instrument", m.instrument());
                        row.put("price", m.price());
                        row.put("message_type", m.messageType());
                        row.put("data", Json.MAPPER.readTree(m.data()));
                        rows.add(row);
                    }
                } catch (MalformedFrameException e) {
                    out.put("extract_error", e.getMessage());
                }
            }
            out.put("rows", rows);
            return out;
        });
    }

    private static int intParam(Exchange exchange, String name, int dflt) {
        Object v = exchange.getIn().getHeader(name);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(String.valueOf(v).strip());
        } catch (NumberFormatException e) {
            throw new ApiError(400, name + ": an integer is required");
        }
    }

    private List<Map<String, Object>> query(String sql, Object... params) throws SQLException {
        return SqlJson.rows(dataSource, sql, params);
    }
}
