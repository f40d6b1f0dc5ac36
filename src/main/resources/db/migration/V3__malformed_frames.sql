-- V3: a place for frames that could not be normalised.
-- Why: the seed schema has nowhere to put a frame that is not valid JSON or lacks the fields its exchange's
-- format requires. Dropping it silently hides exchange-side changes and bugs; storing it in
-- websocket_messages would put rows without a price or instrument among the market data. Each such frame is
-- kept here verbatim with the reason, and counted in connector_status and the batch metrics.
CREATE TABLE malformed_frames (
    id BIGSERIAL PRIMARY KEY,
    connector_id VARCHAR(100) NOT NULL,
    received_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    reason VARCHAR(200) NOT NULL,
    frame TEXT NOT NULL
);

CREATE INDEX idx_malformed_frames_connector_received ON malformed_frames(connector_id, received_at DESC);
