-- +goose Up
-- The scheduling service's tables on SQLite (mirrors postgres's 00001).
-- Instants are Unix microseconds (UTC); booleans 0/1; JSON as text. There
-- is no exclusion constraint: the single writer's transaction checks for
-- overlaps before it writes a booking (see bookings.go).

-- Projections of the business service's events.
CREATE TABLE sched_businesses (
    id                    TEXT    PRIMARY KEY,
    owner_id              TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    subdomain             TEXT    NOT NULL,
    time_zone             TEXT    NOT NULL,
    min_notice_minutes    INTEGER NOT NULL,
    horizon_days          INTEGER NOT NULL,
    slot_interval_minutes INTEGER NOT NULL
);
CREATE INDEX sched_businesses_subdomain ON sched_businesses (subdomain);

CREATE TABLE sched_services (
    id                    TEXT    PRIMARY KEY,
    business_id           TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    duration_minutes      INTEGER NOT NULL,
    price_minor           INTEGER NOT NULL,
    currency              TEXT    NOT NULL,
    buffer_before         INTEGER NOT NULL,
    buffer_after          INTEGER NOT NULL,
    requires_payment      INTEGER NOT NULL,
    min_notice_minutes    INTEGER,
    horizon_days          INTEGER,
    slot_interval_minutes INTEGER
);

CREATE TABLE sched_staff (
    id          TEXT    PRIMARY KEY,
    business_id TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    service_ids TEXT    NOT NULL,
    implicit    INTEGER NOT NULL
);
CREATE INDEX sched_staff_business ON sched_staff (business_id);

CREATE TABLE sched_availability (
    staff_id    TEXT PRIMARY KEY,
    business_id TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    weekly      TEXT NOT NULL,
    overrides   TEXT NOT NULL
);

-- Bookings. blocked_start/blocked_end is [start - buffer before, end +
-- buffer after).
CREATE TABLE bookings (
    id                TEXT    PRIMARY KEY,
    business_id       TEXT    NOT NULL,
    service_id        TEXT    NOT NULL,
    staff_id          TEXT    NOT NULL,
    client_id         TEXT    NOT NULL,
    client_name       TEXT    NOT NULL,
    client_email      TEXT    NOT NULL,
    client_phone      TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled', 'expired')),
    start_at          INTEGER NOT NULL,
    end_at            INTEGER NOT NULL,
    blocked_start     INTEGER NOT NULL,
    blocked_end       INTEGER NOT NULL,
    total_minor       INTEGER NOT NULL CHECK (total_minor >= 0),
    currency          TEXT    NOT NULL,
    requires_payment  INTEGER NOT NULL,
    hold_until        INTEGER,
    manage_token_hash TEXT    NOT NULL,
    correlation_id    TEXT    NOT NULL,
    cancel_reason     TEXT    NOT NULL,
    cancelled_by      TEXT    NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    CHECK (blocked_start <= start_at AND start_at < end_at AND end_at <= blocked_end)
);
-- The range query: a staff member's blocking bookings by blocked start;
-- covering (blocked_end too), so the busy query never visits the table.
CREATE INDEX bookings_staff_blocked ON bookings (staff_id, blocked_start, blocked_end) WHERE status IN ('pending', 'confirmed');
CREATE INDEX bookings_business_start ON bookings (business_id, start_at);
CREATE INDEX bookings_hold ON bookings (hold_until) WHERE status = 'pending';

CREATE TABLE booking_idempotency (
    scope        TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    booking_id   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
);

-- +goose Down
DROP TABLE booking_idempotency;
DROP TABLE bookings;
DROP TABLE sched_availability;
DROP TABLE sched_staff;
DROP TABLE sched_services;
DROP TABLE sched_businesses;
