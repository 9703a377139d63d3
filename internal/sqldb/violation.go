package sqldb

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Constraint is a kind of integrity constraint a statement can violate.
type Constraint int

// The kinds of constraint violation told apart.
const (
	NoViolation Constraint = iota
	Unique                 // unique index or primary key
	Exclusion              // PostgreSQL exclusion constraint
	ForeignKey
	Check
	NotNull
)

// Violation classifies err by the engine's error code — PostgreSQL's
// SQLSTATE, SQLite's extended result code — never by message text. name
// is the violated constraint's name where the engine reports it
// (PostgreSQL), "" otherwise. Stores map the result onto their own
// sentinel errors.
func Violation(err error) (kind Constraint, name string) {
	if err == nil {
		return NoViolation, ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return Unique, pe.ConstraintName
		case "23P01":
			return Exclusion, pe.ConstraintName
		case "23503":
			return ForeignKey, pe.ConstraintName
		case "23514":
			return Check, pe.ConstraintName
		case "23502":
			return NotNull, pe.ConstraintName
		}
		return NoViolation, ""
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return Unique, ""
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return ForeignKey, ""
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return Check, ""
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return NotNull, ""
		}
	}
	return NoViolation, ""
}

// IsUnique reports whether err violates a unique index or primary key.
func IsUnique(err error) bool {
	k, _ := Violation(err)
	return k == Unique
}
