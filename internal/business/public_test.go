package business_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/apperr"
	"github.com/slotwise/slotwise/internal/business"
	"github.com/slotwise/slotwise/internal/business/sqlstore"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/stores"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

func ptr[T any](v T) *T { return &v }

// newService returns a Service on a fresh database of engine with the
// real outbox.
func newService(t *testing.T, engine sqldb.Engine) *business.Service {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.Open(t, engine)
	if err := stores.Migrate(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, "business", sqlstore.Migrations(engine)); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return time.Date(2030, 1, 7, 7, 0, 0, 0, time.UTC) }
	outbox := eventbus.NewOutbox(db, stores.Outbox(db), "business", catalog.Default(), eventbus.OutboxOptions{Clock: clock})
	return business.NewService(sqlstore.New(db), outbox, business.Options{Now: clock})
}

// TestPublicByID: a business's public view by id is the one by subdomain
// (its services and staff included), for anyone; an unknown id is a 404
// matching ErrNotFound.
func TestPublicByID(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		t.Parallel()
		svc := newService(t, engine)
		ctx := context.Background()
		owner := business.Actor{UserID: "user_owner", Role: business.RoleOwner}
		b, err := svc.CreateBusiness(ctx, owner, business.NewBusiness{Name: ptr("Salon Rosa"), Subdomain: ptr("rosa"),
			TimeZone: ptr("Europe/Berlin"), Address: ptr("Parkstraße 12\n10115 Berlin")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateOffering(ctx, owner, b.ID, business.OfferingInput{Name: ptr("Cut"), Duration: ptr(30),
			Price: ptr("20"), Currency: ptr("EUR")}); err != nil {
			t.Fatal(err)
		}
		other, err := svc.CreateBusiness(ctx, owner, business.NewBusiness{Name: ptr("Other"), Subdomain: ptr("other"), TimeZone: ptr("UTC")})
		if err != nil {
			t.Fatal(err)
		}
		bySub, err := svc.Public(ctx, "rosa")
		if err != nil {
			t.Fatal(err)
		}
		byID, err := svc.PublicByID(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(byID, bySub) || len(byID.Offerings) != 1 || len(byID.Staff) != 1 {
			t.Errorf("by id = %+v\nby subdomain = %+v", byID, bySub)
		}
		if o, err := svc.PublicByID(ctx, other.ID); err != nil || o.Business.Subdomain != "other" || len(o.Offerings) != 0 {
			t.Errorf("the other business by id = %+v, %v", o, err)
		}
		for _, id := range []string{"biz_unknown", ""} {
			_, err := svc.PublicByID(ctx, id)
			if !errors.Is(err, business.ErrNotFound) || apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("PublicByID(%q) = %v, want a 404 matching ErrNotFound", id, err)
			}
		}
	})
}
