package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"

	"github.com/slotwise/slotwise/internal/sqldb"
)

// NATSClient is how the process authenticates to an external NATS server
// (Config.NATSURL): a credentials file or a user and password, and TLS with
// a CA and an optional client certificate. The zero value connects without
// authentication and, for nats:// URLs, without TLS.
type NATSClient struct {
	// CredsFile is a NATS .creds file (JWT + nkey seed).
	CredsFile string
	// User and Password authenticate with a user from the server config.
	User, Password string
	// TLSCA is the CA certificate file (PEM) the server's certificate must
	// chain to; setting it (or TLSCert) requires TLS.
	TLSCA string
	// TLSCert and TLSKey are the client certificate and key (PEM), for
	// servers that verify clients.
	TLSCert, TLSKey string
}

// inUse reports whether any setting is made.
func (c NATSClient) inUse() bool { return c != NATSClient{} }

// Validate reports a combination that cannot work, naming the setting.
func (c NATSClient) Validate() error {
	switch {
	case c.CredsFile != "" && (c.User != "" || c.Password != ""):
		return errors.New("nats-creds: not together with nats-user/nats-password")
	case c.Password != "" && c.User == "":
		return errors.New("nats-password: needs nats-user")
	case (c.TLSCert == "") != (c.TLSKey == ""):
		return errors.New("nats-tls-cert and nats-tls-key: give both or neither")
	}
	return nil
}

// Options returns the nats.go options for these settings; it reads the
// certificate files.
func (c NATSClient) Options() ([]nats.Option, error) {
	var opts []nats.Option
	switch {
	case c.CredsFile != "":
		if _, err := os.Stat(c.CredsFile); err != nil {
			return nil, fmt.Errorf("nats-creds: %w", err)
		}
		opts = append(opts, nats.UserCredentials(c.CredsFile))
	case c.User != "":
		opts = append(opts, nats.UserInfo(c.User, c.Password))
	}
	if c.TLSCA == "" && c.TLSCert == "" {
		return opts, nil
	}
	tc, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	return append(opts, nats.Secure(tc)), nil
}

func (c NATSClient) tlsConfig() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.TLSCA != "" {
		pem, err := os.ReadFile(c.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("nats-tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("nats-tls-ca: no PEM certificate in %s", c.TLSCA)
		}
		tc.RootCAs = pool
	}
	if c.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("nats-tls-cert/nats-tls-key: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// validateNATSClient checks the external-NATS settings of a Config.
func (c Config) validateNATSClient() error {
	if err := c.NATSClient.Validate(); err != nil {
		return err
	}
	if c.NATSURL == "" && c.NATSClient.inUse() {
		return errors.New("nats-creds/nats-user/nats-tls-*: only with an external server (nats-url)")
	}
	if c.StreamReplicas < 0 || c.StreamReplicas > 5 {
		return fmt.Errorf("stream-replicas: want 1 to 5, got %d", c.StreamReplicas)
	}
	if c.StreamReplicas > 1 && c.NATSURL == "" {
		return errors.New("stream-replicas: more than 1 needs a NATS cluster (nats-url)")
	}
	return nil
}

// streamReplicas returns the replicas of the streams (at least 1).
func (c Config) streamReplicas() int { return max(c.StreamReplicas, 1) }

// natsConnect connects to the external server(s) of Config.NATSURL (a
// comma-separated list of URLs), reconnecting forever.
func (c Config) natsConnect(name string, opts ...nats.Option) (*nats.Conn, error) {
	auth, err := c.NATSClient.Options()
	if err != nil {
		return nil, err
	}
	opts = append(opts, auth...)
	opts = append(opts, nats.Name(name), nats.MaxReconnects(-1))
	return nats.Connect(c.NATSURL, opts...)
}

// SchemaURL returns a PostgreSQL URL selecting schema through search_path:
// the way several services share one database, each in its own schema.
func SchemaURL(rawURL, schema string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", fmt.Errorf("database url %s: %w", sqldb.Redact(rawURL), err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// EnsureSchema creates the schema a PostgreSQL URL selects with
// search_path, when it does not exist (CREATE SCHEMA IF NOT EXISTS). Other
// URLs are left alone.
func EnsureSchema(ctx context.Context, rawURL string) error {
	if engine, err := sqldb.EngineOf(rawURL); err != nil || engine != sqldb.Postgres {
		return err
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("database url %s: %w", sqldb.Redact(rawURL), err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	if schema == "" || strings.Contains(schema, ",") {
		return nil // the default schema, or a list: nothing to create
	}
	q.Del("search_path")
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		return fmt.Errorf("open %s: %w", sqldb.Redact(rawURL), err)
	}
	stmt := "CREATE SCHEMA IF NOT EXISTS " + pgx.Identifier{schema}.Sanitize()
	_, err = db.ExecContext(ctx, stmt)
	if err != nil { // two instances creating it at once: one loses the race
		_, err = db.ExecContext(ctx, stmt)
	}
	if err != nil {
		return errors.Join(fmt.Errorf("create schema %s: %w", schema, err), db.Close())
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close %s: %w", sqldb.Redact(rawURL), err)
	}
	return nil
}
