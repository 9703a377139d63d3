-- +goose Up
-- The client's note for the business, from booking.created 1.1, for the
-- owner's "new booking" message (mirrors postgres's 00003); '' for none.
ALTER TABLE bookings ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE bookings DROP COLUMN note;
