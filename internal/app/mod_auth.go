package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/slotwise/slotwise/internal/auth"
	authhttp "github.com/slotwise/slotwise/internal/auth/httpapi"
	"github.com/slotwise/slotwise/internal/auth/password"
	authsql "github.com/slotwise/slotwise/internal/auth/sqlstore"
	"github.com/slotwise/slotwise/internal/authn"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/httpapi"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// authModule wires the auth service into the module table.
var authModule = Module{
	Name:       "auth",
	Migrations: authsql.Migrations,
	OpenAPI:    authhttp.OpenAPI,
	New:        newAuth,
}

func newAuth(d Deps) (Instance, error) {
	svc, err := newAuthService(d.DB, d.Outbox, d)
	if err != nil {
		return Instance{}, err
	}
	if d.Built != nil {
		d.Built.Auth = svc
	}
	h := authhttp.New(svc, d.Logger, authhttp.Options{})
	return Instance{Routes: func(r *httpapi.Router) { h.Routes(r) }}, nil
}

func newAuthService(db *sqldb.DB, outbox *eventbus.Outbox, d Deps) (*auth.Service, error) {
	hasher, err := password.New(0)
	if err != nil {
		return nil, err
	}
	deps := auth.Deps{Store: authsql.New(db), Events: outbox, Hasher: hasher, Now: d.Now, Logger: d.Logger}
	if d.Tokens != nil { // without tokens (the CLI) the service must see no issuer at all
		deps.Tokens = tokenIssuer{d.Tokens}
	}
	return auth.NewService(deps)
}

// tokenIssuer signs auth's access tokens with authn, which every service
// verifies them with; auth itself does not import authn.
type tokenIssuer struct{ tokens *authn.Tokens }

// Issue implements auth.TokenIssuer.
func (i tokenIssuer) Issue(userID string, role auth.Role) (string, time.Time, error) {
	return i.tokens.Issue(authn.Principal{UserID: userID, Role: authn.Role(role)})
}

// CreateUser creates an account of any role (admin included) in the auth
// database at url, migrating it first: `slotwise admin create-user`. The
// user.created event is written to the auth outbox; the relay of a running
// instance on that database publishes it (at once, or at its next start).
func CreateUser(ctx context.Context, url string, reg auth.Registration, log *slog.Logger) (user auth.User, err error) {
	db, err := OpenAndMigrate(ctx, "auth", url)
	if err != nil {
		return auth.User{}, err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("close auth database: %w", cerr))
		}
	}()
	outbox := eventbus.NewOutbox(db, stores.Outbox(db), "auth", catalog.Default(), eventbus.OutboxOptions{})
	svc, err := newAuthService(db, outbox, Deps{Service: "auth", Now: time.Now, Logger: log})
	if err != nil {
		return auth.User{}, err
	}
	return svc.CreateAdmin(ctx, reg)
}
