package app

import (
	"context"
	"fmt"
	"io/fs"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/scheduling/consumer"
	schedhttp "github.com/slotwise/slotwise/internal/scheduling/httpapi"
	"github.com/slotwise/slotwise/internal/scheduling/outbox"
	schedpg "github.com/slotwise/slotwise/internal/scheduling/postgres"
	schedsqlite "github.com/slotwise/slotwise/internal/scheduling/sqlite"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// schedulingModule wires the scheduling service into the module table.
var schedulingModule = Module{
	Name: "scheduling",
	Migrations: func(engine sqldb.Engine) fs.FS {
		if engine == sqldb.Postgres {
			return schedpg.Migrations()
		}
		return schedsqlite.Migrations()
	},
	OpenAPI: schedhttp.OpenAPI,
	New:     newScheduling,
}

func newScheduling(d Deps) (Instance, error) {
	svc := newSchedulingService(d)
	sweeper := scheduling.NewSweeper(svc, scheduling.SweeperOptions{Logger: d.Logger.With("component", "hold-sweeper")})
	h := schedhttp.New(svc, d.Logger)
	return Instance{
		Routes:        h.Routes,
		Subscriptions: append(consumer.Projections(svc), consumer.Payments(svc)),
		Background:    sweeper.Run,
	}, nil
}

func newSchedulingService(d Deps) *scheduling.Service {
	var store scheduling.Store = schedsqlite.NewStore(d.DB)
	if d.DB.Engine == sqldb.Postgres {
		store = schedpg.NewStore(d.DB)
	}
	return scheduling.NewService(store, outbox.New(d.Outbox), scheduling.Options{Now: d.Now, Hold: d.Hold})
}

// ReplayResult is what ReplayProjections did: events applied per type, and
// events skipped as unusable.
type ReplayResult = consumer.ReplayResult

// ReplayProjections rebuilds a service's read models from the event log
// read through js (`slotwise events replay`): its database at url is
// migrated, its projection rows deleted and every projected event applied
// again, in one transaction. Only the scheduling service has projections
// to replay.
func ReplayProjections(ctx context.Context, service, url string, js jetstream.JetStream) (res ReplayResult, err error) {
	if service != schedulingModule.Name {
		return res, fmt.Errorf("service %q has no projections to replay (only %s)", service, schedulingModule.Name)
	}
	db, err := OpenAndMigrate(ctx, service, url)
	if err != nil {
		return res, err
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %s database: %w", service, cerr)
		}
	}()
	svc := newSchedulingService(Deps{Service: service, DB: db, Outbox: (*eventbus.Outbox)(nil)})
	return consumer.Replay(ctx, db, svc, js)
}
