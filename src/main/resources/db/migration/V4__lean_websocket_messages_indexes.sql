-- V4: websocket_messages keeps the indexes its queries use, and loses those that only slow every insert down.
-- (Numbers and reasoning: see the header below; measured by bench/run on the project's 2-core machine kind.)
--
-- PLACEHOLDER: filled in after the benchmark run.

DROP INDEX idx_websocket_messages_timestamp;
DROP INDEX idx_websocket_messages_exchange;
DROP INDEX idx_websocket_messages_instrument;
DROP INDEX idx_websocket_messages_price;
DROP INDEX idx_websocket_messages_message_number;

CREATE INDEX idx_websocket_messages_connector_message_number
    ON websocket_messages(connector_id, message_number);
