-- A business's public profile (mirrors sqlite's 00002): a description and
-- a postal address (plain text, '' when not set) and the origins allowed to
-- show its booking page in a frame (a JSON list of strings).

-- +goose Up
ALTER TABLE businesses ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE businesses ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE businesses ADD COLUMN embed_origins JSONB NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE businesses DROP COLUMN embed_origins;
ALTER TABLE businesses DROP COLUMN address;
ALTER TABLE businesses DROP COLUMN description;
