package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const userColumns = `id, email, first_name, last_name, role, created_at, updated_at, deleted_at`

// CreateUser inserts u.
func (Store) CreateUser(ctx context.Context, tx *sqldb.Tx, u auth.User, passwordHash string) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO users (id, email, first_name, last_name, role, password_hash, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		u.ID, u.Email, u.FirstName, u.LastName, string(u.Role), passwordHash, u.CreatedAt, u.UpdatedAt)
	if err != nil {
		return fmt.Errorf("insert user: %w", interpretError(err))
	}
	return nil
}

// UserByID returns the user.
func (Store) UserByID(ctx context.Context, tx *sqldb.Tx, id string) (auth.User, error) {
	u, _, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, '' FROM users WHERE id = $1`, id))
	return u, err
}

// UserByEmail returns the live user of the e-mail and its password hash.
func (Store) UserByEmail(ctx context.Context, tx *sqldb.Tx, email string) (auth.User, string, error) {
	return scanUser(tx.QueryRowContext(ctx,
		`SELECT `+userColumns+`, password_hash FROM users WHERE lower(email) = lower($1) AND deleted_at IS NULL`, email))
}

func scanUser(row *sql.Row) (auth.User, string, error) {
	var (
		u                auth.User
		role, hash       string
		created, updated time.Time
		deleted          sql.NullTime
	)
	err := row.Scan(&u.ID, &u.Email, &u.FirstName, &u.LastName, &role, &created, &updated, &deleted, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, "", auth.ErrNotFound
	}
	if err != nil {
		return auth.User{}, "", fmt.Errorf("read user: %w", err)
	}
	u.Role, u.CreatedAt, u.UpdatedAt, u.DeletedAt = authn.Role(role), created.UTC(), updated.UTC(), nullTime(deleted)
	return u, hash, nil
}

// UpdateUser writes u (and the password hash when not "").
func (Store) UpdateUser(ctx context.Context, tx *sqldb.Tx, u auth.User, passwordHash string) error {
	res, err := tx.ExecContext(ctx, `
UPDATE users SET email = $1, first_name = $2, last_name = $3, updated_at = $4,
    password_hash = CASE WHEN $5::text = '' THEN password_hash ELSE $5::text END
WHERE id = $6 AND deleted_at IS NULL`,
		u.Email, u.FirstName, u.LastName, u.UpdatedAt, passwordHash, u.ID)
	if err != nil {
		return fmt.Errorf("update user: %w", interpretError(err))
	}
	return oneRow(res, "update user")
}

// DeleteUser anonymises and marks the user deleted.
func (Store) DeleteUser(ctx context.Context, tx *sqldb.Tx, id string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `
UPDATE users SET email = id || '@deleted.invalid', first_name = '', last_name = '', password_hash = '',
    updated_at = $1, deleted_at = $1
WHERE id = $2 AND deleted_at IS NULL`, at, id)
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return oneRow(res, "delete user")
}

// CountUsers counts users.
func (Store) CountUsers(ctx context.Context, tx *sqldb.Tx) (int, error) {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

func oneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n == 0 {
		return auth.ErrNotFound
	}
	return nil
}
