-- Failed logins per throttle key ("email:<address>", "addr:<client ip>"),
-- kept in the database so the limit holds across instances. Rows older than
-- the throttle window are pruned when failures are recorded.

-- +goose Up
CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    throttle_key TEXT NOT NULL,
    at           INTEGER NOT NULL
);

CREATE INDEX login_failures_key_at ON login_failures (throttle_key, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- +goose Down
DROP TABLE login_failures;
