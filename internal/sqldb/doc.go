// Package sqldb opens the database a SlotWise service owns — SQLite for the
// embedded mode, PostgreSQL for scale-out, chosen by the URL scheme — and
// gives every engine the same transaction helper (with after-commit hooks)
// and embedded-migration runner.
//
// SQL itself does not belong here: each store keeps its statements per
// engine in its own postgres/ and sqlite/ packages.
package sqldb
