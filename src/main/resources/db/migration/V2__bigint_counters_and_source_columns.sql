-- V2: where the seed schema is too weak for a tick-data pipeline. V1 stays exactly the seed.

-- Why BIGINT: at 20,000 messages/s a SERIAL (int4) id or message_number wraps after
-- 2^31 / 20,000 / 3,600 = ~30 hours. BIGINT costs 4 bytes a row and never wraps in practice.
ALTER TABLE websocket_messages ALTER COLUMN id TYPE BIGINT, ALTER COLUMN message_number TYPE BIGINT;
ALTER SEQUENCE websocket_messages_id_seq AS BIGINT;
ALTER TABLE websocket_batches ALTER COLUMN id TYPE BIGINT;
ALTER SEQUENCE websocket_batches_id_seq AS BIGINT;
ALTER TABLE api_connector_data ALTER COLUMN id TYPE BIGINT;
ALTER SEQUENCE api_connector_data_id_seq AS BIGINT;

-- Why connector_id on messages and batches: message_number is numbered per source, and several sources
-- share one exchange (OKX trades and OKX tickers); without the source on the row, neither the numbering nor
-- per-source sent-versus-stored counts can be checked. No foreign key: a per-row FK lookup on the hot
-- insert path costs throughput, and rows must outlive a deleted connector definition.
ALTER TABLE websocket_messages ADD COLUMN connector_id VARCHAR(100);
ALTER TABLE websocket_batches ADD COLUMN connector_id VARCHAR(100);

-- Why unique: the seed allows several status rows per connector, but a connector has one current status;
-- a unique key makes keeping it current an atomic upsert (INSERT ... ON CONFLICT).
ALTER TABLE connector_status ADD CONSTRAINT connector_status_connector_id_key UNIQUE (connector_id);

-- Why last_message_number: message_number must stay monotonic across restarts. The loader writes the last
-- number it committed here in the same transaction as the rows, so a restart continues from the truth
-- without scanning websocket_messages.
ALTER TABLE connector_status ADD COLUMN last_message_number BIGINT NOT NULL DEFAULT 0;
