-- V1: the seed document's schema exactly as specified (shared/seed/postgresql-database-setup.md):
-- five tables with every column, type, default, NOT NULL and ON DELETE CASCADE foreign key, and all of
-- the document's indexes. Deviations from the seed go in later migrations, each saying why.

CREATE TABLE websocket_messages (
    id SERIAL PRIMARY KEY,
    timestamp TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    exchange VARCHAR(50) NOT NULL,
    instrument VARCHAR(100),
    price DECIMAL(20, 8),
    data JSONB NOT NULL,
    message_type VARCHAR(50) DEFAULT 'trade',
    latency_ms DECIMAL(10, 3),
    message_number INTEGER,
    format VARCHAR(50),
    extract_time DECIMAL(10, 6),
    transform_time DECIMAL(10, 6),
    load_time DECIMAL(10, 6),
    total_time DECIMAL(10, 6)
);

CREATE TABLE websocket_batches (
    id SERIAL PRIMARY KEY,
    timestamp TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    exchange VARCHAR(50) NOT NULL,
    total_messages INTEGER NOT NULL,
    messages_per_second DECIMAL(10, 2) NOT NULL,
    instruments TEXT[],
    messages JSONB NOT NULL,
    metrics JSONB
);

CREATE TABLE api_connectors (
    id SERIAL PRIMARY KEY,
    connector_id VARCHAR(100) UNIQUE NOT NULL,
    name VARCHAR(255) NOT NULL,
    api_url TEXT NOT NULL,
    http_method VARCHAR(10) DEFAULT 'GET',
    headers_encrypted TEXT,
    query_params_encrypted TEXT,
    auth_type VARCHAR(50) DEFAULT 'None',
    credentials_encrypted TEXT,
    status VARCHAR(20) DEFAULT 'inactive',
    polling_interval INTEGER DEFAULT 1000,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    protocol_type VARCHAR(20),
    exchange_name VARCHAR(50)
);

CREATE TABLE connector_status (
    id SERIAL PRIMARY KEY,
    connector_id VARCHAR(100) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'stopped',
    last_message_timestamp TIMESTAMP WITH TIME ZONE,
    message_count BIGINT DEFAULT 0,
    error_log TEXT,
    reconnect_attempts INTEGER DEFAULT 0,
    last_error TIMESTAMP WITH TIME ZONE,
    performance_metrics JSONB,
    updated_at TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    FOREIGN KEY (connector_id) REFERENCES api_connectors(connector_id) ON DELETE CASCADE
);

CREATE TABLE api_connector_data (
    id SERIAL PRIMARY KEY,
    connector_id VARCHAR(100) NOT NULL,
    timestamp TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
    exchange VARCHAR(50),
    instrument VARCHAR(100),
    price DECIMAL(20, 8),
    data JSONB NOT NULL,
    message_type VARCHAR(50) DEFAULT 'api_response',
    raw_response JSONB,
    status_code INTEGER,
    response_time_ms DECIMAL(10, 3),
    source_id VARCHAR(50),
    session_id VARCHAR(100),
    FOREIGN KEY (connector_id) REFERENCES api_connectors(connector_id) ON DELETE CASCADE
);

-- websocket_messages
CREATE INDEX idx_websocket_messages_timestamp ON websocket_messages(timestamp DESC);
CREATE INDEX idx_websocket_messages_exchange ON websocket_messages(exchange);
CREATE INDEX idx_websocket_messages_instrument ON websocket_messages(instrument);
CREATE INDEX idx_websocket_messages_price ON websocket_messages(price);
CREATE INDEX idx_websocket_messages_message_number ON websocket_messages(message_number);
CREATE INDEX idx_websocket_messages_timestamp_exchange ON websocket_messages(timestamp DESC, exchange);
CREATE INDEX idx_websocket_messages_instrument_timestamp ON websocket_messages(instrument, timestamp DESC);
CREATE INDEX idx_websocket_messages_exchange_instrument_timestamp ON websocket_messages(exchange, instrument, timestamp DESC);

-- websocket_batches
CREATE INDEX idx_websocket_batches_timestamp ON websocket_batches(timestamp DESC);
CREATE INDEX idx_websocket_batches_exchange ON websocket_batches(exchange);
CREATE INDEX idx_websocket_batches_timestamp_exchange ON websocket_batches(timestamp DESC, exchange);

-- api_connectors
CREATE INDEX idx_api_connectors_connector_id ON api_connectors(connector_id);
CREATE INDEX idx_api_connectors_status ON api_connectors(status);
CREATE INDEX idx_api_connectors_created_at ON api_connectors(created_at DESC);

-- connector_status
CREATE INDEX idx_connector_status_connector_id ON connector_status(connector_id);
CREATE INDEX idx_connector_status_status ON connector_status(status);

-- api_connector_data
CREATE INDEX idx_api_connector_data_connector_id ON api_connector_data(connector_id);
CREATE INDEX idx_api_connector_data_timestamp ON api_connector_data(timestamp DESC);
CREATE INDEX idx_api_connector_data_exchange ON api_connector_data(exchange);
CREATE INDEX idx_api_connector_data_instrument ON api_connector_data(instrument);
CREATE INDEX idx_api_connector_data_connector_timestamp ON api_connector_data(connector_id, timestamp DESC);
