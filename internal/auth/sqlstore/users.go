package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/slotwise/slotwise/internal/auth"
	"github.com/slotwise/slotwise/internal/sqldb"
)

const userColumns = `id, email, first_name, last_name, role, created_at, updated_at, deleted_at`

// CreateUser inserts u.
func (s *Store) CreateUser(ctx context.Context, u auth.User, passwordHash string) error {
	_, err := s.db.Exec(ctx, `
INSERT INTO users (id, email, first_name, last_name, role, password_hash, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.FirstName, u.LastName, string(u.Role), passwordHash, s.db.Time(u.CreatedAt), s.db.Time(u.UpdatedAt))
	if err != nil {
		return fmt.Errorf("insert user: %w", interpretError(err))
	}
	return nil
}

// UserByID returns the user.
func (s *Store) UserByID(ctx context.Context, id string) (auth.User, error) {
	u, _, err := scanUser(s.db.QueryRow(ctx, `SELECT `+userColumns+`, '' FROM users WHERE id = ?`, id))
	return u, err
}

// UserByEmail returns the live user of the e-mail and its password hash.
func (s *Store) UserByEmail(ctx context.Context, email string) (auth.User, string, error) {
	return scanUser(s.db.QueryRow(ctx,
		`SELECT `+userColumns+`, password_hash FROM users WHERE lower(email) = lower(?) AND deleted_at IS NULL`, email))
}

func scanUser(row sqldb.Scanner) (auth.User, string, error) {
	var (
		u          auth.User
		role, hash string
	)
	err := row.Scan(&u.ID, &u.Email, &u.FirstName, &u.LastName, &role,
		sqldb.Instant(&u.CreatedAt), sqldb.Instant(&u.UpdatedAt), sqldb.NullInstant(&u.DeletedAt), &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.User{}, "", auth.ErrNotFound
	}
	if err != nil {
		return auth.User{}, "", fmt.Errorf("read user: %w", err)
	}
	u.Role = auth.Role(role)
	return u, hash, nil
}

// UpdateUser writes u (and the password hash when not ""). The casts give
// PostgreSQL the parameters' type, which a comparison with an empty
// string literal leaves open.
func (s *Store) UpdateUser(ctx context.Context, u auth.User, passwordHash string) error {
	res, err := s.db.Exec(ctx, `
UPDATE users SET email = ?, first_name = ?, last_name = ?, updated_at = ?,
    password_hash = CASE WHEN CAST(? AS TEXT) = '' THEN password_hash ELSE CAST(? AS TEXT) END
WHERE id = ? AND deleted_at IS NULL`,
		u.Email, u.FirstName, u.LastName, s.db.Time(u.UpdatedAt), passwordHash, passwordHash, u.ID)
	if err != nil {
		return fmt.Errorf("update user: %w", interpretError(err))
	}
	return oneRow(res, "update user")
}

// DeleteUser anonymises and marks the user deleted.
func (s *Store) DeleteUser(ctx context.Context, id string, at time.Time) error {
	res, err := s.db.Exec(ctx, `
UPDATE users SET email = id || '@deleted.invalid', first_name = '', last_name = '', password_hash = '',
    updated_at = ?, deleted_at = ?
WHERE id = ? AND deleted_at IS NULL`, s.db.Time(at), s.db.Time(at), id)
	if err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return oneRow(res, "delete user")
}

// CountUsers counts users.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// oneRow is ErrNotFound unless the statement changed a row.
func oneRow(res sql.Result, what string) error {
	n, err := affected(res, what)
	if err == nil && n == 0 {
		return auth.ErrNotFound
	}
	return err
}
