package cli

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/auth"
)

// adminCmd is `slotwise admin <sub>`: account administration.
func adminCmd(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "admin", args, map[string]func(context.Context, *env, []string) int{
		"create-user": adminCreateUserCmd,
	})
}

// adminCreateUserCmd is `slotwise admin create-user`: create an account of
// any role (the only way to create an admin) directly in the auth database.
// Its user.created event goes to the auth outbox; a running instance's
// relay publishes it (or the next one to start on that database).
func adminCreateUserCmd(ctx context.Context, e *env, args []string) int {
	cfg := app.Defaults()
	var (
		dbURLs []string
		reg    auth.Registration
		role   = string(auth.RoleAdmin)
	)
	fs := newFlagSet(e, "admin create-user",
		"admin create-user --email E --password P --first-name F --last-name L [--role admin|business_owner|client] [--data-dir D | --database-url auth=URL]")
	fs.StringVar(&reg.Email, "email", "", "the user's e-mail `address`")
	fs.StringVar(&reg.Password, "password", "", "the user's `password` (8 to 128 characters; prefer SLOTWISE_PASSWORD to keep it out of the process list)")
	fs.StringVar(&reg.FirstName, "first-name", "", "first `name`")
	fs.StringVar(&reg.LastName, "last-name", "", "last `name`")
	fs.Var(enumFlag{p: &role, allowed: []string{string(auth.RoleAdmin), string(auth.RoleOwner), string(auth.RoleClient)}}, "role", "the user's `role`")
	fs.StringVar(&cfg.DataDir, "data-dir", cfg.DataDir, "data `directory` holding auth.db (without --database-url)")
	fs.Var(&listFlag{p: &dbURLs, check: checkDatabaseURL}, "database-url", "the auth database as `auth=url`")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	cfg.DatabaseURLs = databaseURLs(dbURLs)
	if err := cfg.Validate(); err != nil {
		return usageError(fs, "invalid setting: %v", err)
	}
	reg.Role = auth.Role(role)
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	u, err := app.CreateUser(ctx, cfg.DatabaseURL("auth"), reg, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "slotwise admin create-user: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "created %s %s (%s)\n", u.Role, u.ID, u.Email)
	return 0
}
