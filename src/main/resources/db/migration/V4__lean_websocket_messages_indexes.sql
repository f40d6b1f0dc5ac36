-- V4: websocket_messages keeps the indexes its queries use and drops those that only slow every insert down.
--
-- Why: every secondary index is updated on every row written; the seed's eight cut the load rate of this tick-data
-- table hard. Measured with bench/run on this project's 2-core machine kind (PostgreSQL 15, realistic OKX/Binance
-- trade rows, medians of 3 runs, 2026-11-25; seed-index and V4 runs interleaved round by round):
--   psql \copy of 300,000 rows   seed's 8 indexes  58,979 rows/s   these 4  79,288 rows/s   1.34x
--   the pipeline at full speed   seed's 8 indexes  42,741 msgs/s   these 4  48,759 msgs/s   1.14x
--   Round by round over the last two benchmark runs: \copy 1.23-1.56x, pipeline 1.09-1.15x (the pipeline spends
--   most of its database time elsewhere: the staging hop, the batch rows, the WAL flush per batch).
--   (for scale: primary key only ~180,000 rows/s; these 4 without the connector index ~91,000 rows/s)
-- Fewer indexes also mean less WAL and disk per row.
--
-- Which and why (IndexUsageTest EXPLAINs every query of the seed document's "Querying Data", "Common Queries" and
-- "Index Usage" sections on 200,000 realistic rows with both sets: every one still uses an index):
--   idx_websocket_messages_timestamp (timestamp DESC): a prefix of (timestamp DESC, exchange), which serves the same
--     scans ("recent messages", "the last hour", and "recent messages of an exchange" as with the seed's set). Dropped.
--   idx_websocket_messages_exchange (exchange): a prefix of (exchange, instrument, timestamp DESC), which serves the
--     exchange filters and counts (index-only scans). Dropped.
--   idx_websocket_messages_instrument (instrument): a prefix of (instrument, timestamp DESC), which serves "price
--     history for an instrument". Dropped.
--   idx_websocket_messages_price (price): no query of the seed document or the application filters or sorts on
--     price, and a price range over all instruments means nothing (BTC near 108,000 and DOGE near 0.16 share one
--     index); a price question about one instrument starts from (instrument, timestamp DESC). Dropped.
--   idx_websocket_messages_message_number (message_number): since V2 numbers are per source (connector_id), so a
--     global message_number index mixes the sources' sequences. Replaced by (connector_id, message_number), which
--     the pipeline needs: at start it continues each source's numbering after max(message_number) of that source
--     (an index-only lookup instead of a scan of the whole table), and per-source gap and duplicate checks use it.
--     It costs about 10% of raw COPY speed (91,000 -> 82,000 rows/s).
-- Kept: the primary key, (timestamp DESC, exchange), (instrument, timestamp DESC),
-- (exchange, instrument, timestamp DESC). websocket_batches (a row per batch, not per message) keeps its indexes.

DROP INDEX idx_websocket_messages_timestamp;
DROP INDEX idx_websocket_messages_exchange;
DROP INDEX idx_websocket_messages_instrument;
DROP INDEX idx_websocket_messages_price;
DROP INDEX idx_websocket_messages_message_number;

CREATE INDEX idx_websocket_messages_connector_message_number
    ON websocket_messages(connector_id, message_number);
