-- V8: natural keys (a trade is stored once), dead letters (nothing refused is lost with only a log line), and
-- implausible values flagged instead of taken as market data.

-- Why trade_id: the seed keeps the exchange's trade id only inside the data JSON, so the same trade received twice
-- (a replayed spool, a reconnect that re-sends, two sources or two instances on one stream, a later REST backfill)
-- is stored twice and counted twice in every volume query. With the id in its own column a unique index can refuse
-- the second copy. Binance `@trade` fills it with `t`, `@aggTrade` with `a`, OKX `trades` with `tradeId`, a custom
-- feed with its tradeIdPointer; tickers and book tickers have no trade id (NULL, never a conflict).
-- Why (exchange, instrument, message_type, trade_id): a trade id is unique per exchange and instrument only, and a
-- Binance aggregate id (`a`) shares no namespace with a trade id (`t`): message_type keeps them apart. Neither table
-- is partitioned (checked: V1..V7 create plain tables), so the unique index needs no partition column; if
-- websocket_messages is ever partitioned by time, the key must gain the partition column (PostgreSQL requires it).
-- Why partial (WHERE trade_id IS NOT NULL): the index then holds only trades, and the loader's
-- INSERT ... SELECT ... ON CONFLICT (...) WHERE trade_id IS NOT NULL DO NOTHING skips a stored trade without
-- failing the rest of its batch (before, a duplicate could only be found by a query over data->>'t').
-- Message numbers: numbers are given per source before the database sees the rows (the stamp stage), so a skipped
-- duplicate leaves a gap in its source's message_number sequence. The gap is recorded, not hidden: the batch row's
-- metrics list it (rows_duplicate, duplicate_message_numbers), so every number a source handed out is either a
-- stored row, a listed duplicate, or a dead letter (refused rows). Renumbering after the insert was not chosen: two
-- writers load batches of one source at the same time, and numbers must stay unique without a lock per source.
ALTER TABLE websocket_messages
    ADD COLUMN trade_id VARCHAR(100),
    ADD COLUMN flags TEXT[];
CREATE UNIQUE INDEX idx_websocket_messages_natural_key
    ON websocket_messages (exchange, instrument, message_type, trade_id) WHERE trade_id IS NOT NULL;

-- The same for HTTP connectors' rows: a REST backfill of trades must not store a trade the stream already stored.
-- Today no connector extracts a trade id (all NULL), so the index is empty and costs nothing until one does.
ALTER TABLE api_connector_data
    ADD COLUMN trade_id VARCHAR(100),
    ADD COLUMN flags TEXT[];
CREATE UNIQUE INDEX idx_api_connector_data_natural_key
    ON api_connector_data (exchange, instrument, message_type, trade_id) WHERE trade_id IS NOT NULL;

-- Why flags: the seed stores whatever a feed says as market data. An event time of -1 became 1969-12-31 and a price
-- of -5 was stored like any other. Such rows are now kept (the exchange's own message stays in data) and marked,
-- e.g. {price_not_positive} or {event_time_implausible} (the row's timestamp is then the receive time, not the
-- implausible one, and latency_ms is NULL), so that queries can leave them out: WHERE flags IS NULL.
-- NULL means plausible, which costs nothing on normal rows.

-- Why dead_letters: before V8, frames that could not be normalised went to malformed_frames (V3), while rows the
-- database refused (SQLSTATE 22/23/54, e.g. a JSON string with a lone surrogate escape) were logged and skipped,
-- and frames over the size limit were never seen again. One table now keeps every one of them, verbatim, with
-- its kind and reason, so an operator has one place to look and to replay from:
--   kind malformed_frame  a WebSocket frame that could not be normalised (not JSON, a field missing, ...)
--   kind http_body        an HTTP connector's answer that could not be extracted
--   kind oversize_frame   a frame over market-etl.normalise.max-frame-bytes (its first characters are kept)
--   kind refused_row      a row PostgreSQL refused (payload: the row's data; reason: SQLSTATE and message)
-- Retention is bounded by market-etl.dead-letters.max-rows: each insert deletes the rows that are more than that
-- many ids older, in the same statement, so a hostile feed cannot fill the disk. The age-based retention of
-- malformed_frames (MARKET_ETL_RETENTION_MALFORMED_FRAMES) deletes from dead_letters, through this index.
CREATE TABLE dead_letters (
    id BIGSERIAL PRIMARY KEY,
    connector_id VARCHAR(100) NOT NULL,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    kind VARCHAR(20) NOT NULL DEFAULT 'malformed_frame',
    reason VARCHAR(200) NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX idx_dead_letters_connector_received ON dead_letters (connector_id, received_at DESC);

-- What becomes of malformed_frames: dead_letters is its successor, and malformed_frames stays as a view of the
-- kinds it held (frames and HTTP bodies that could not be normalised), with its columns and ids, so that existing
-- queries, dashboards and the tests that read it keep working. Its rows move over first: nothing is dropped. It
-- is not written twice (one writer per row kind); a view over one table is updatable, and an INSERT through it
-- gets kind malformed_frame (the column's default), so an old writer still lands in the right place.
INSERT INTO dead_letters (connector_id, received_at, kind, reason, payload)
SELECT connector_id, received_at, 'malformed_frame', reason, frame FROM malformed_frames ORDER BY id;
DROP TABLE malformed_frames;
CREATE VIEW malformed_frames AS
SELECT id, connector_id, received_at, reason, payload AS frame
FROM dead_letters WHERE kind IN ('malformed_frame', 'http_body');
