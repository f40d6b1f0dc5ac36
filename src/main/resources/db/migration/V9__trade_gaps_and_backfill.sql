-- V9: trade-id gap backfill (issue #11 item 5). A WebSocket trade stream that drops (a reconnect, a slow-consumer
-- cut, a restart, kill -9) misses the trades sent meanwhile, and a socket cannot send them again. The exchanges keep
-- them in their REST trade history (Binance historicalTrades by id, OKX history-trades by id), so a gap in the trade
-- ids is found (io.marketetl.backfill.TradeGapDetector) and filled from there (io.marketetl.backfill.Backfiller).

-- Why a column and not a message_type: a backfilled trade must collide with the same trade received live (the natural
-- key of V8 is exchange, instrument, message_type, trade_id), so its message_type stays 'trade'. NULL means received
-- live (the loader never writes the column, so live rows cost nothing); TRUE means fetched from REST history. Adding a
-- nullable column without a default changes no existing row (no table rewrite). Backfilled rows have no
-- message_number (they were not messages of the source's stream), no stage timings and no latency (they were not
-- received live); connector_id is the source whose stream had the gap, format is the exchange's.
ALTER TABLE websocket_messages ADD COLUMN backfilled BOOLEAN;

-- Why a table of gaps: a gap that cannot be filled now (REST down, rate limited, beyond the exchange's REST
-- retention, ids that never existed) must not be forgotten nor only logged. Each gap is one row from detection to its
-- end, so an operator sees what is missing and why, the backfill retries it (with back-off, up to
-- market-etl.backfill.max-attempts) across restarts, and metrics count it.
--   cause   stream: ids skipped inside a stream or across a reconnect; restart: ids between the last trade committed
--           before this start and the first one received after it (a restart, kill -9).
--   status  open: to be filled (next_attempt_at); filled: every id the history has was stored (trades_missing says
--           how many it did not have); unfillable: given up after max-attempts, or larger than max-gap-trades.
--   trades_backfilled  rows this gap's fill inserted (trades already stored are not counted again).
--   trades_missing     ids of the gap the REST history did not have (before its retention, or never existed), as far
--                      as the exchange's ids tell (Binance ids are consecutive: exact; OKX: ids before the oldest kept).
-- status is TEXT (its CHECK lists the three values): a VARCHAR's IN-list CHECK is rendered differently after a
-- pg_dump and restore, so the backup test could not tell the restored schema equal.
-- The unique key makes recording idempotent: the restart check and the stream may both find the same gap, and a
-- restart re-finds a hole it recorded before.
CREATE TABLE trade_gaps (
    id BIGSERIAL PRIMARY KEY,
    connector_id VARCHAR(100) NOT NULL,
    exchange VARCHAR(50) NOT NULL,
    instrument VARCHAR(100) NOT NULL,
    message_type VARCHAR(50) NOT NULL,
    from_trade_id BIGINT NOT NULL,
    to_trade_id BIGINT NOT NULL,
    cause VARCHAR(20) NOT NULL,
    detected_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    status TEXT NOT NULL DEFAULT 'open',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    trades_backfilled BIGINT NOT NULL DEFAULT 0,
    trades_missing BIGINT,
    last_error VARCHAR(200),
    resolved_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT trade_gaps_range CHECK (from_trade_id <= to_trade_id),
    CONSTRAINT trade_gaps_status CHECK (status IN ('open', 'filled', 'unfillable')),
    CONSTRAINT trade_gaps_once UNIQUE (exchange, instrument, message_type, from_trade_id)
);
-- the backfill's work list: open gaps by due time
CREATE INDEX idx_trade_gaps_due ON trade_gaps (next_attempt_at) WHERE status = 'open';
-- an operator's and the query API's view: a source's gaps, newest first
CREATE INDEX idx_trade_gaps_connector_detected ON trade_gaps (connector_id, detected_at DESC);
