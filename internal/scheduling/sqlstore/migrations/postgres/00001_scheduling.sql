-- +goose Up
-- The scheduling service's tables on PostgreSQL (mirrors sqlite's 00001).
-- btree_gist gives the exclusion constraint its "staff_id WITH =". It is
-- created in schema public, once per database (a trusted extension since
-- PostgreSQL 13); two instances migrating at once may race on it, so the
-- loser's duplicate error is swallowed.
-- +goose StatementBegin
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;
-- +goose StatementEnd

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
    price_minor           BIGINT  NOT NULL,
    currency              TEXT    NOT NULL,
    buffer_before         INTEGER NOT NULL,
    buffer_after          INTEGER NOT NULL,
    requires_payment      BOOLEAN NOT NULL,
    min_notice_minutes    INTEGER,
    horizon_days          INTEGER,
    slot_interval_minutes INTEGER
);

CREATE TABLE sched_staff (
    id          TEXT    PRIMARY KEY,
    business_id TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    service_ids JSONB   NOT NULL,
    implicit    BOOLEAN NOT NULL
);
CREATE INDEX sched_staff_business ON sched_staff (business_id);

CREATE TABLE sched_availability (
    staff_id    TEXT  PRIMARY KEY,
    business_id TEXT  NOT NULL,
    time_zone   TEXT  NOT NULL,
    weekly      JSONB NOT NULL,
    overrides   JSONB NOT NULL
);

-- Bookings. blocked is [start - buffer before, end + buffer after); while a
-- booking is pending or confirmed no other booking of its staff member may
-- overlap it: the exclusion constraint makes that a property of the data.
CREATE TABLE bookings (
    id                TEXT        PRIMARY KEY,
    business_id       TEXT        NOT NULL,
    service_id        TEXT        NOT NULL,
    staff_id          TEXT        NOT NULL,
    client_id         TEXT        NOT NULL,
    client_name       TEXT        NOT NULL,
    client_email      TEXT        NOT NULL,
    client_phone      TEXT        NOT NULL,
    status            TEXT        NOT NULL CHECK (status IN ('pending', 'confirmed', 'cancelled', 'expired')),
    start_at          TIMESTAMPTZ NOT NULL,
    end_at            TIMESTAMPTZ NOT NULL,
    blocked_start     TIMESTAMPTZ NOT NULL,
    blocked_end       TIMESTAMPTZ NOT NULL,
    blocked           TSTZRANGE   GENERATED ALWAYS AS (tstzrange(blocked_start, blocked_end, '[)')) STORED,
    total_minor       BIGINT      NOT NULL CHECK (total_minor >= 0),
    currency          TEXT        NOT NULL,
    requires_payment  BOOLEAN     NOT NULL,
    hold_until        TIMESTAMPTZ,
    manage_token_hash TEXT        NOT NULL,
    correlation_id    TEXT        NOT NULL,
    cancel_reason     TEXT        NOT NULL,
    cancelled_by      TEXT        NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    CHECK (blocked_start <= start_at AND start_at < end_at AND end_at <= blocked_end),
    CONSTRAINT bookings_no_overlap EXCLUDE USING gist (staff_id WITH =, blocked WITH &&)
        WHERE (status IN ('pending', 'confirmed'))
);
-- The busy range query; blocked_end is included so it can be answered from
-- the index alone.
CREATE INDEX bookings_staff_blocked ON bookings (staff_id, blocked_start) INCLUDE (blocked_end) WHERE status IN ('pending', 'confirmed');
CREATE INDEX bookings_business_start ON bookings (business_id, start_at);
CREATE INDEX bookings_hold ON bookings (hold_until) WHERE status = 'pending';

-- Idempotency-Key records: scope is the client ("user:<id>") or the
-- guest's e-mail ("guest:<email>").
CREATE TABLE booking_idempotency (
    scope        TEXT        NOT NULL,
    key          TEXT        NOT NULL,
    request_hash TEXT        NOT NULL,
    booking_id   TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (scope, key)
);

-- +goose Down
DROP TABLE booking_idempotency;
DROP TABLE bookings;
DROP TABLE sched_availability;
DROP TABLE sched_staff;
DROP TABLE sched_services;
DROP TABLE sched_businesses;
