-- V6: websocket_batches.messages is compressed with LZ4 instead of PostgreSQL's default pglz.
-- Why: the seed stores every message twice, as its websocket_messages row and again inside its batch's messages
-- JSONB array (kept: the spec asks for it). That array is about 400 KB of JSON per 1,000-message batch, always
-- TOASTed and compressed, and at full speed the compression is the largest single cost of the batch row. Measured
-- on the 2-core development box (PostgreSQL 15, 200,000 messages in 200 batch rows, one session, medians of 3):
-- pglz 1,109 ms, lz4 698 ms (-37%), of which JSON parsing about 145 ms; reading the arrays back 17 ms vs 10 ms; size
-- on disk within 10% either way. For scale, \copy of the same 200,000 rows into websocket_messages took 1,845 ms.
-- In the benchmark the pipeline at full speed went from 0.51 to 0.58 of \copy (medians of 3, same runs).
-- Rows already written keep pglz (PostgreSQL reads both); only new values are compressed with LZ4.
-- LZ4 needs PostgreSQL 14+ built with lz4 (Debian's and the official images are). Elsewhere the column keeps pglz
-- and the migration only says so: the data and every query are the same either way.
DO $$
BEGIN
    EXECUTE 'ALTER TABLE websocket_batches ALTER COLUMN messages SET COMPRESSION lz4';
EXCEPTION
    WHEN feature_not_supported OR syntax_error THEN
        RAISE NOTICE 'websocket_batches.messages keeps pglz compression: this server has no lz4 (%)', SQLERRM;
END
$$;
