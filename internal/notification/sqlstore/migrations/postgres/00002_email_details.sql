-- +goose Up
-- Issue 11: what e-mails with links, prices and deadlines need, whether a
-- booking's client holds an invitation, and the queue of messages sent
-- after their event's transaction (the owners').
ALTER TABLE businesses ADD COLUMN subdomain TEXT NOT NULL DEFAULT '';
ALTER TABLE businesses ADD COLUMN address TEXT NOT NULL DEFAULT '';

ALTER TABLE bookings ADD COLUMN invited BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE bookings ADD COLUMN amount DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE bookings ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE bookings ADD COLUMN requires_payment BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE bookings ADD COLUMN hold_until TIMESTAMPTZ;
-- Confirmed bookings were sent their invitation.
UPDATE bookings SET invited = TRUE WHERE status = 'confirmed';

CREATE TABLE queued_messages (
    id            TEXT PRIMARY KEY,
    source_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    recipient_id  TEXT NOT NULL,
    to_addr       TEXT NOT NULL,
    to_name       TEXT NOT NULL DEFAULT '',
    from_name     TEXT NOT NULL DEFAULT '',
    reply_to      TEXT NOT NULL DEFAULT '',
    reply_to_name TEXT NOT NULL DEFAULT '',
    subject       TEXT NOT NULL,
    text_body     TEXT NOT NULL,
    html_body     TEXT NOT NULL,
    correlation   TEXT NOT NULL DEFAULT '',
    due_at        TIMESTAMPTZ NOT NULL,
    status        TEXT NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    CONSTRAINT queued_messages_source UNIQUE (source_id, kind, to_addr)
);
CREATE INDEX queued_messages_due ON queued_messages (status, due_at);
CREATE INDEX queued_messages_recipient ON queued_messages (recipient_id, created_at);

-- +goose Down
DROP TABLE queued_messages;
ALTER TABLE bookings DROP COLUMN hold_until;
ALTER TABLE bookings DROP COLUMN requires_payment;
ALTER TABLE bookings DROP COLUMN currency;
ALTER TABLE bookings DROP COLUMN amount;
ALTER TABLE bookings DROP COLUMN invited;
ALTER TABLE businesses DROP COLUMN address;
ALTER TABLE businesses DROP COLUMN subdomain;
