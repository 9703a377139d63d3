-- +goose Up
-- The payment service's tables on SQLite (mirrors postgres's 00001).
-- Instants are Unix microseconds.
CREATE TABLE payment_bookings (
    id                TEXT    PRIMARY KEY,
    business_id       TEXT    NOT NULL,
    client_id         TEXT    NOT NULL,
    start_time        INTEGER NOT NULL,
    manage_token_hash TEXT    NOT NULL,
    state             TEXT    NOT NULL CHECK (state IN ('open', 'cancelled', 'expired')),
    closed_at         INTEGER,
    updated_at        INTEGER NOT NULL
);

CREATE TABLE payments (
    id             TEXT    PRIMARY KEY,
    booking_id     TEXT    NOT NULL,
    business_id    TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    amount_minor   INTEGER NOT NULL CHECK (amount_minor >= 0),
    currency       TEXT    NOT NULL,
    provider       TEXT    NOT NULL,
    provider_ref   TEXT    NOT NULL,
    client_secret  TEXT    NOT NULL,
    pay_url        TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    failure_reason TEXT    NOT NULL,
    refunded_minor INTEGER NOT NULL CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    correlation_id TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
-- One payment per booking: a redelivered booking.created finds it.
CREATE UNIQUE INDEX payments_booking ON payments (booking_id);
CREATE UNIQUE INDEX payments_provider_ref ON payments (provider, provider_ref);

CREATE TABLE payment_refunds (
    id           TEXT    PRIMARY KEY,
    payment_id   TEXT    NOT NULL REFERENCES payments (id),
    provider_ref TEXT    NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    currency     TEXT    NOT NULL,
    reason       TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX payment_refunds_payment ON payment_refunds (payment_id, created_at);

-- Processed provider webhook events: a redelivery or replay is refused.
CREATE TABLE payment_webhook_events (
    provider    TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (provider, event_id)
);

-- The owner projection (business.created).
CREATE TABLE payment_business_owners (
    business_id TEXT PRIMARY KEY,
    owner_id    TEXT NOT NULL
);

-- +goose Down
DROP TABLE payment_business_owners;
DROP TABLE payment_webhook_events;
DROP TABLE payment_refunds;
DROP TABLE payments;
DROP TABLE payment_bookings;
