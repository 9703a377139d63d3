-- +goose Up
-- The consumers' inbox: one row per (durable consumer, event id) processed,
-- written in the transaction of the handler's effects (idempotency).
CREATE TABLE inbox_events (
    consumer     TEXT        NOT NULL,
    event_id     TEXT        NOT NULL,
    processed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX inbox_events_processed_at ON inbox_events (processed_at);

-- +goose Down
DROP TABLE inbox_events;
