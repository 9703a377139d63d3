-- +goose Up
-- A client's note for the business (mirrors sqlite's 00003); '' for none.
ALTER TABLE bookings ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE bookings DROP COLUMN note;
