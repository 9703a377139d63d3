package app

import (
	"context"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/scheduling"
	"github.com/slotwise/slotwise/internal/scheduling/consumer"
	schedhttp "github.com/slotwise/slotwise/internal/scheduling/httpapi"
	"github.com/slotwise/slotwise/internal/scheduling/sqlstore"
)

// schedulingModule wires the scheduling service into the module table.
var schedulingModule = Module{
	Name:       "scheduling",
	Migrations: sqlstore.Migrations,
	OpenAPI:    schedhttp.OpenAPI,
	New:        newScheduling,
}

func newScheduling(d Deps) (Instance, error) {
	// The sweeper comes first: the service wakes it for each new hold.
	sweeper := scheduling.NewSweeper(scheduling.SweeperOptions{Logger: d.Logger.With("component", "hold-sweeper")})
	svc := newSchedulingService(d, sweeper.Wake)
	d.Built.Scheduling = svc
	h := schedhttp.New(svc, d.Logger)
	return Instance{
		Routes:        h.Routes,
		Subscriptions: append(consumer.Projections(svc), consumer.Payments(svc)),
		Background:    func(ctx context.Context) { sweeper.Run(ctx, svc) },
	}, nil
}

// newSchedulingService returns the service on d's database and outbox;
// holdMade is told of each new hold (nil: nobody is).
func newSchedulingService(d Deps, holdMade func()) *scheduling.Service {
	return scheduling.NewService(sqlstore.New(d.DB), d.Outbox, scheduling.Options{
		Now: d.Now, Hold: d.Hold, HoldMade: holdMade, LinkKey: d.LinkKey,
	})
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
	// Replaying projections records no events: no outbox, no sweeper.
	svc := newSchedulingService(Deps{Service: service, DB: db, Outbox: (*eventbus.Outbox)(nil)}, nil)
	return consumer.Replay(ctx, db, svc, js)
}
