-- V7: HTTP API connectors (polled REST endpoints) next to the WebSocket sources.

-- Why stage timings and latency on api_connector_data: every stored row of either path must say how long
-- extract, transform and load took and how old the data was when it arrived, so that the two paths can be
-- compared and alerted on alike. The seed's api_connector_data has only response_time_ms (the HTTP call).
-- Why message_number: rows of a connector are numbered per connector like WebSocket messages (one counter,
-- connector_status.last_message_number), so a commit in doubt is settled the same way and gaps are visible.
ALTER TABLE api_connector_data
    ADD COLUMN latency_ms DECIMAL(10, 3),
    ADD COLUMN message_number BIGINT,
    ADD COLUMN extract_time DECIMAL(10, 6),
    ADD COLUMN transform_time DECIMAL(10, 6),
    ADD COLUMN load_time DECIMAL(10, 6),
    ADD COLUMN total_time DECIMAL(10, 6);

-- Why an index on (connector_id, id DESC): GET /api/connectors/{id}/data pages newest first with a keyset
-- cursor on id ("before"); the seed's (connector_id, timestamp DESC) orders by data time, which is not unique
-- and not insertion order, so it cannot serve a stable cursor.
CREATE INDEX idx_api_connector_data_connector_id_id ON api_connector_data (connector_id, id DESC);

-- Why these api_connectors columns: the seed stores only a polling interval in ms; a connector may instead run
-- on a Quartz cron expression, says which JSON pointers of an answer become rows (extract), how an answer's body
-- reports errors (response_rules: OKX answers HTTP 200 with "code":"50011" when rate limited), and whether it was
-- declared in a route file (origin 'yaml', owned by that file) or registered through the REST API (origin 'api',
-- owned by the table: it is run from here at start-up).
ALTER TABLE api_connectors
    ADD COLUMN cron_expression VARCHAR(120),
    ADD COLUMN extract JSONB,
    ADD COLUMN response_rules JSONB,
    ADD COLUMN origin VARCHAR(10);
