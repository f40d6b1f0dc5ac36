-- V5: a batch row is written once, even when its insert is retried.
-- Why: the websocket_batches row is inserted after the batch's messages commit. When the connection drops after
-- PostgreSQL committed that insert but before the reply arrived, the retry wrote the row a second time (seen in
-- DatabaseOutageTest: sum(total_messages) above the messages stored). A batch is identified by its source and its
-- first message number (message numbers are unique per source), so a unique index on those lets the insert say
-- ON CONFLICT DO NOTHING. Rows of batches with no stored message carry no first_message_number (NULL), which never
-- conflicts.
CREATE UNIQUE INDEX idx_websocket_batches_connector_first_message
    ON websocket_batches (connector_id, (CAST(metrics->>'first_message_number' AS BIGINT)));
