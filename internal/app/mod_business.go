package app

import (
	_ "time/tzdata" // business time zones must load on hosts without a zone database

	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/business/consumer"
	bizhttp "github.com/slotwise/slotwise/internal/business/httpapi"
	"github.com/slotwise/slotwise/internal/business/sqlstore"
	"github.com/slotwise/slotwise/internal/eventbus"
)

// businessModule wires the business service into the module table.
var businessModule = Module{
	Name:       "business",
	Migrations: sqlstore.Migrations,
	OpenAPI:    bizhttp.OpenAPI,
	New:        newBusiness,
}

func newBusiness(d Deps) (Instance, error) {
	svc := business.NewService(sqlstore.New(d.DB), d.Outbox, business.Options{Now: d.Now})
	d.Built.Business = svc
	h := bizhttp.New(svc, d.Logger)
	return Instance{
		Routes:        h.Routes,
		Subscriptions: []eventbus.Subscription{consumer.Owners(svc)},
	}, nil
}
