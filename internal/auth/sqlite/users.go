package sqlite

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
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.FirstName, u.LastName, string(u.Role), passwordHash, micros(u.CreatedAt), micros(u.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert user: %w", interpretError(err))
	}
	return nil
}

// UserByID returns the user.
func (Store) UserByID(ctx context.Context, tx *sqldb.Tx, id string) (auth.User, error) {
	u, _, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+`, '' FROM users WHERE id = ?`, id))
	return u, err
}

// UserByEmail returns the live user of the e-mail and its password hash.
func (Store) UserByEmail(ctx context.Context, tx *sqldb.Tx, email string) (auth.User, string, error) {
	return scanUser(tx.QueryRowContext(ctx,
		`SELECT `+userColumns+`, password_hash FROM users WHERE lower(email) = lower(?) AND deleted_at IS NULL`, email))
}

func scanUser(row *sql.Row) (auth.User, string, error) {
	var (
		u                auth.User
		role, hash       string
		created, updated int64
		deleted          sql.NullInt64
	)
	err := row.Scan(&u.ID, &u.Email, &u.FirstName, &u.LastName, &role, &created, &updated, &deleted, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, "", auth.ErrNotFound
	}
	if err != nil {
		return auth.User{}, "", fmt.Errorf("read user: %w", err)
	}
	u.Role, u.CreatedAt, u.UpdatedAt = authn.Role(role), fromMicros(created), fromMicros(updated)
	if deleted.Valid {
		u.DeletedAt = nullMicros{&deleted.Int64}.time()
	}
	return u, hash, nil
}

// UpdateUser writes u (and the password hash when not "").
func (Store) UpdateUser(ctx context.Context, tx *sqldb.Tx, u auth.User, passwordHash string) error {
	res, err := tx.ExecContext(ctx, `
UPDATE users SET email = ?, first_name = ?, last_name = ?, updated_at = ?,
    password_hash = CASE WHEN ? = '' THEN password_hash ELSE ? END
WHERE id = ? AND deleted_at IS NULL`,
		u.Email, u.FirstName, u.LastName, micros(u.UpdatedAt), passwordHash, passwordHash, u.ID)
	if err != nil {
		return fmt.Errorf("update user: %w", interpretError(err))
	}
	return oneRow(res, "update user")
}

// DeleteUser anonymises and marks the user deleted.
func (Store) DeleteUser(ctx context.Context, tx *sqldb.Tx, id string, at time.Time) error {
	res, err := tx.ExecContext(ctx, `
UPDATE users SET email = id || '@deleted.invalid', first_name = '', last_name = '', password_hash = '',
    updated_at = ?, deleted_at = ?
WHERE id = ? AND deleted_at IS NULL`, micros(at), micros(at), id)
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
