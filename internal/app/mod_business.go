package app

import (
	"io/fs"
	_ "time/tzdata" // business time zones must load on hosts without a zone database

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/business/consumer"
	bizhttp "github.com/slotwise/slotwise/internal/business/httpapi"
	"github.com/slotwise/slotwise/internal/business/outbox"
	bizpg "github.com/slotwise/slotwise/internal/business/postgres"
	bizsqlite "github.com/slotwise/slotwise/internal/business/sqlite"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// businessModule wires the business service into the module table.
var businessModule = Module{
	Name: "business",
	Migrations: func(engine sqldb.Engine) fs.FS {
		if engine == sqldb.Postgres {
			return bizpg.Migrations()
		}
		return bizsqlite.Migrations()
	},
	OpenAPI: bizhttp.OpenAPI,
	New:     newBusiness,
}

func newBusiness(d Deps) (Instance, error) {
	var store business.Store = bizsqlite.NewStore(d.DB)
	if d.DB.Engine == sqldb.Postgres {
		store = bizpg.NewStore(d.DB)
	}
	svc := business.NewService(store, outbox.New(d.Outbox), business.Options{Now: d.Now})
	h := bizhttp.New(svc, d.Logger)
	return Instance{
		Routes:        h.Routes,
		Subscriptions: []eventbus.Subscription{consumer.Owners(svc)},
	}, nil
}
