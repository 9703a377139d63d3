// Package sqldb opens the database a SlotWise service owns — SQLite for the
// embedded mode, PostgreSQL for scale-out, chosen by the URL scheme — and
// gives every engine the same transaction helper (with after-commit hooks)
// and embedded-migration runner.
//
// It is also the dialect layer under every service's one SQL store: SQL is
// written once with ? placeholders and run through Exec/Query/QueryRow,
// which rebind it for the engine; Time/Instant store and scan instants the
// same way on both; ForUpdate gives the row-lock suffix; Violation
// classifies constraint errors by code. Statements themselves, and the
// mapping of violations onto a service's sentinel errors, belong to the
// service's store.
package sqldb
