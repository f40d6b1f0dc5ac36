-- V11: the natural key's unique index (V10) compares its four text columns byte by byte (COLLATE "C"), so a trade
-- costs less to store.
--
-- Why: every trade descends this index to check that its key is new and to insert it; under the database's default
-- collation (C.UTF-8 on this project's machines, en_US.UTF-8 on many others) each comparison of two text values
-- calls strcoll(), under "C" it is a memcmp(). The key only has to say whether two trades are the same, and for that
-- byte equality is what every deterministic collation means anyway: the same rows are duplicates as before.
-- Measured (2026-12-03, PostgreSQL 15, 2 cores): the CPU time of the inserting backend itself (utime + stime from
-- /proc/self/stat, read in the same session before and after, so the checkpointer, the WAL writer and the machine's
-- other work do not count) for 400,000 trade rows inserted by INSERT ... SELECT in 20,000-row transactions inside a
-- savepoint as the loader does, on top of 200,000 already stored, into a table with V4's indexes; variants
-- interleaved round by round, medians of 5-6 rounds, in clock ticks of 10 ms:
--   no natural key 376-391   V10's index 441-449 (+13-19%)   this index 420-421 (+8-12%)
--   for scale, any fifth secondary index costs about as much: a non-unique index on (trade_id COLLATE "C") alone
--   405-417 against this index's 409-422 in the same rounds. Uniqueness and the key's width cost nothing measurable;
--   what is left is one B-tree entry per trade, which the natural key needs.
--   ON CONFLICT DO NOTHING instead of the loader's plain insert in a savepoint: 514-618 with either index.
-- (V10's wall-clock measurement could not tell "C" from the default collation: the spread between rounds was larger
-- than the difference. The CPU of the backend alone can.)
-- What it changes for queries: an equality or range on these columns under the default collation cannot use this
-- index (the planner needs the index's collation); no query of the seed document or of the application reads trades
-- through it (they go through (exchange, instrument, timestamp DESC) and (instrument, timestamp DESC)), and an
-- operator looking a trade up by id writes trade_id COLLATE "C" = '...' to use it. The loader's and the backfill's
-- ON CONFLICT (trade_id, instrument, exchange, message_type) WHERE trade_id IS NOT NULL names no collation, so it
-- infers this index as it inferred V10's (LoadTarget.NATURAL_KEY).
DROP INDEX idx_websocket_messages_natural_key;
CREATE UNIQUE INDEX idx_websocket_messages_natural_key
    ON websocket_messages (trade_id COLLATE "C", instrument COLLATE "C", exchange COLLATE "C", message_type COLLATE "C")
    WHERE trade_id IS NOT NULL;

DROP INDEX idx_api_connector_data_natural_key;
CREATE UNIQUE INDEX idx_api_connector_data_natural_key
    ON api_connector_data (trade_id COLLATE "C", instrument COLLATE "C", exchange COLLATE "C", message_type COLLATE "C")
    WHERE trade_id IS NOT NULL;
