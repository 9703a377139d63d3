-- +goose Up
-- Lookups of bookings by manage link and by client (mirrors postgres's 00002).
-- Every booking has a manage token now; rows made before kept '' when
-- booked by a registered client, so the index leaves those out (and a
-- lookup repeats its condition). Token hashes are unique by construction:
-- the index says so.
CREATE UNIQUE INDEX bookings_manage_token ON bookings (manage_token_hash) WHERE manage_token_hash <> '';
-- "My bookings": a client's bookings by start, paged by (start_at, id).
CREATE INDEX bookings_client_start ON bookings (client_id, start_at, id);

-- +goose Down
DROP INDEX bookings_client_start;
DROP INDEX bookings_manage_token;
