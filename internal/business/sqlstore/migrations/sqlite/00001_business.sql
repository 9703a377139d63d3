-- +goose Up
-- The business service's tables on SQLite. Instants are Unix microseconds
-- (UTC); booleans 0/1; service_ids, weekly and overrides JSON text.
CREATE TABLE businesses (
    id                    TEXT    PRIMARY KEY,
    owner_id              TEXT    NOT NULL,
    name                  TEXT    NOT NULL,
    subdomain             TEXT    NOT NULL,
    time_zone             TEXT    NOT NULL,
    min_notice_minutes    INTEGER NOT NULL,
    horizon_days          INTEGER NOT NULL,
    slot_interval_minutes INTEGER NOT NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE UNIQUE INDEX businesses_subdomain ON businesses (subdomain);
CREATE INDEX businesses_owner ON businesses (owner_id, created_at);

CREATE TABLE services (
    id                    TEXT    PRIMARY KEY,
    business_id           TEXT    NOT NULL REFERENCES businesses (id),
    name                  TEXT    NOT NULL,
    description           TEXT    NOT NULL,
    duration_minutes      INTEGER NOT NULL,
    price_minor           INTEGER NOT NULL CHECK (price_minor >= 0),
    currency              TEXT    NOT NULL,
    buffer_before         INTEGER NOT NULL,
    buffer_after          INTEGER NOT NULL,
    requires_payment      INTEGER NOT NULL,
    min_notice_minutes    INTEGER,
    horizon_days          INTEGER,
    slot_interval_minutes INTEGER,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
CREATE INDEX services_business ON services (business_id, created_at);

CREATE TABLE staff (
    id          TEXT    PRIMARY KEY,
    business_id TEXT    NOT NULL REFERENCES businesses (id),
    name        TEXT    NOT NULL,
    email       TEXT    NOT NULL,
    service_ids TEXT    NOT NULL,
    implicit    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX staff_business ON staff (business_id, created_at);

CREATE TABLE availability (
    staff_id    TEXT    PRIMARY KEY REFERENCES staff (id) ON DELETE CASCADE,
    business_id TEXT    NOT NULL,
    weekly      TEXT    NOT NULL,
    overrides   TEXT    NOT NULL,
    updated_at  INTEGER NOT NULL
);

-- The owner projection, from user.* events.
CREATE TABLE owners (
    user_id    TEXT    PRIMARY KEY,
    email      TEXT    NOT NULL,
    first_name TEXT    NOT NULL,
    last_name  TEXT    NOT NULL,
    deleted    INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE owners;
DROP TABLE availability;
DROP TABLE staff;
DROP TABLE services;
DROP TABLE businesses;
