package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/app"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

var projectionTables = []string{"sched_businesses", "sched_services", "sched_staff", "sched_availability"}

// dump returns every row of the projection tables as text, by primary key.
func dump(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	var b strings.Builder
	for _, table := range projectionTables {
		rows, err := db.QueryContext(context.Background(), "SELECT * FROM "+table+" ORDER BY 1")
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		cols, _ := rows.Columns()
		fmt.Fprintf(&b, "%s %v\n", table, cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if raw, ok := v.([]byte); ok {
					vals[i] = string(raw)
				}
			}
			fmt.Fprintf(&b, "  %v\n", vals)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestReplayEqualsLive: after businesses, services, staff and hours were
// created and changed, rebuilding the projections from the event log
// (`slotwise events replay --service scheduling`) gives the same read
// model as the live consumers built.
func TestReplayEqualsLive(t *testing.T) {
	t.Parallel()
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		f := setup(t, engine)
		base := "/api/v1/businesses/" + f.bizID
		f.owner.must(200, "PATCH", base, obj{"name": "Ada's New Studio", "bookingRules": obj{"minNoticeMinutes": 30}})
		f.owner.must(200, "PATCH", base+"/services/"+f.paidID, obj{"price": 65.5, "bufferBefore": 10, "bookingRules": obj{"slotIntervalMinutes": 30}})
		st := f.owner.must(201, "POST", base+"/staff", obj{"name": "Grace Hopper", "serviceIds": []string{f.paidID, f.freeID}})
		f.owner.must(200, "PUT", base+"/staff/"+st["id"].(string)+"/availability", obj{
			"weekly":    []obj{{"weekday": 2, "start": "10:00", "end": "18:00"}},
			"overrides": []obj{{"date": "2030-01-15", "closed": true}},
		})
		f.owner.must(204, "DELETE", base+"/services/"+f.freeID, nil)
		other := f.owner.must(201, "POST", "/api/v1/businesses", obj{"name": "Second", "subdomain": "second-biz", "timeZone": "Asia/Kathmandu"})
		f.owner.must(201, "POST", "/api/v1/businesses/"+other["id"].(string)+"/services", obj{"name": "S", "duration": 45, "price": 1000, "currency": "JPY"})
		// Everything the business service recorded is published, then every
		// projection consumer has settled all of it.
		bizDB := f.h.OpenDB(t, "business")
		eventbustest.AwaitCondition(t, time.Minute, "the business outbox to drain", func() bool {
			var unpublished int
			err := bizDB.QueryRowContext(context.Background(), "SELECT count(*) FROM outbox_events WHERE status <> 'published'").Scan(&unpublished)
			return err == nil && unpublished == 0
		})
		for _, c := range []string{"businesses", "services", "staff", "availability"} {
			eventbustest.AwaitCondition(t, time.Minute, "scheduling-"+c+" to settle", func() bool {
				info := eventbustest.ConsumerInfo(t, f.h.JS, eventbus.EventStream, "scheduling-"+c)
				return info.NumPending == 0 && info.NumAckPending == 0
			})
		}
		db := f.h.OpenDB(t, "scheduling")
		live := dump(t, db)
		for _, want := range []string{"Ada's New Studio", "6550", "Grace Hopper", "2030-01-15", "second-biz", "Asia/Kathmandu"} {
			if !strings.Contains(live, want) {
				t.Errorf("live read model lacks %q:\n%s", want, live)
			}
		}
		if strings.Contains(live, f.freeID) {
			t.Errorf("deleted service still projected:\n%s", live)
		}
		res, err := app.ReplayProjections(context.Background(), "scheduling", f.h.Config.DatabaseURL("scheduling"), f.h.JS)
		if err != nil {
			t.Fatalf("replay: %v", err)
		}
		if res.Total() < 10 || res.Skipped != 0 {
			t.Errorf("replay applied %v, skipped %d", res.Applied, res.Skipped)
		}
		if replayed := dump(t, db); replayed != live {
			t.Errorf("replayed read model differs:\n--- live\n%s--- replayed\n%s", live, replayed)
		}
	})
}
