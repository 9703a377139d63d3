-- +goose Up
-- Projections (from events), the delivery ledger, reminders and webhooks.

CREATE TABLE recipients (
    id         TEXT PRIMARY KEY,
    email      TEXT NOT NULL DEFAULT '',
    first_name TEXT NOT NULL DEFAULT '',
    last_name  TEXT NOT NULL DEFAULT '',
    time_zone  TEXT NOT NULL DEFAULT '',
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE businesses (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL DEFAULT '',
    time_zone        TEXT NOT NULL DEFAULT '',
    owner_id         TEXT NOT NULL DEFAULT '',
    reminder_offsets TEXT NOT NULL DEFAULT '' -- seconds, comma-separated; '' = defaults
);

CREATE TABLE services (
    id               TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL,
    name             TEXT NOT NULL DEFAULT '',
    duration_minutes INTEGER NOT NULL DEFAULT 0,
    deleted          BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE bookings (
    id              TEXT PRIMARY KEY,
    business_id     TEXT NOT NULL,
    service_id      TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    staff_id        TEXT NOT NULL DEFAULT '',
    start_at        TIMESTAMPTZ NOT NULL,
    end_at          TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL,
    sequence        INTEGER NOT NULL DEFAULT 0,
    guest_name      TEXT NOT NULL DEFAULT '',
    guest_email     TEXT NOT NULL DEFAULT '',
    guest_time_zone TEXT NOT NULL DEFAULT '',
    updated_at      TIMESTAMPTZ NOT NULL
);

CREATE TABLE deliveries (
    id                  TEXT PRIMARY KEY,
    source_id           TEXT NOT NULL,
    channel             TEXT NOT NULL,
    recipient           TEXT NOT NULL,
    recipient_id        TEXT NOT NULL,
    kind                TEXT NOT NULL,
    subject             TEXT NOT NULL,
    status              TEXT NOT NULL,
    attempts            INTEGER NOT NULL,
    provider_message_id TEXT NOT NULL DEFAULT '',
    last_error          TEXT NOT NULL DEFAULT '',
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    CONSTRAINT deliveries_key UNIQUE (source_id, channel, recipient)
);
CREATE INDEX deliveries_recipient ON deliveries (recipient_id, created_at);

CREATE TABLE reminders (
    id             TEXT PRIMARY KEY,
    booking_id     TEXT NOT NULL,
    offset_seconds INTEGER NOT NULL,
    due_at         TIMESTAMPTZ NOT NULL,
    status         TEXT NOT NULL,
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reminders_due ON reminders (status, due_at);
CREATE INDEX reminders_booking ON reminders (booking_id);

CREATE TABLE webhooks (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    url         TEXT NOT NULL,
    event_types TEXT NOT NULL, -- comma-separated
    secret      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_business ON webhooks (business_id, created_at);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    business_id      TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    body             BYTEA NOT NULL,
    status           TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CONSTRAINT webhook_deliveries_event UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT NOT NULL,
    duration_us BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
DROP TABLE reminders;
DROP TABLE deliveries;
DROP TABLE bookings;
DROP TABLE services;
DROP TABLE businesses;
DROP TABLE recipients;
