-- The transactional outbox: a service writes its events here in the
-- transaction of its state change; the relay publishes them to JetStream in
-- seq order and marks them published. Failed rows are retried
-- at next_attempt_at with retry_count and failure_reason recorded.
-- Instants are integer Unix microseconds (UTC).

-- +goose Up
CREATE TABLE outbox_events (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id        TEXT NOT NULL UNIQUE,
    event_type      TEXT NOT NULL,
    event_version   TEXT NOT NULL,
    source          TEXT NOT NULL,
    correlation_id  TEXT NOT NULL DEFAULT '',
    occurred_at     INTEGER NOT NULL,
    aggregate_id    TEXT NOT NULL,
    partition       INTEGER NOT NULL CHECK (partition >= 0),
    event_data      TEXT NOT NULL CHECK (json_valid(event_data)),
    traceparent     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'published', 'failed')),
    created_at      INTEGER NOT NULL,
    published_at    INTEGER,
    failure_reason  TEXT NOT NULL DEFAULT '',
    retry_count     INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER
);

-- The relay's work queue: the unpublished rows in order.
CREATE INDEX outbox_events_unpublished ON outbox_events (seq)
    WHERE status <> 'published';

-- Partitions blocked behind a failed row waiting for its retry.
CREATE INDEX outbox_events_failed ON outbox_events (partition, next_attempt_at)
    WHERE status = 'failed';

-- Retention: published rows older than the retention period are deleted.
CREATE INDEX outbox_events_published_at ON outbox_events (published_at)
    WHERE status = 'published';

-- +goose Down
DROP TABLE outbox_events;
