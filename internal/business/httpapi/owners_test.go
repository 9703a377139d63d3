package httpapi_test

import (
	"context"
	"testing"

	"github.com/slotwise/slotwise/internal/app/apptest"
	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus/eventbustest"
	"github.com/slotwise/slotwise/internal/sqldb"
	"github.com/slotwise/slotwise/internal/sqldb/sqldbtest"
)

// TestOwnerProjectionRenamesTheImplicitStaff: a user.updated from the auth
// service renames the implicit staff member (staff.updated), and a
// user.deleted clears the projected personal data.
func TestOwnerProjectionRenamesTheImplicitStaff(t *testing.T) {
	sqldbtest.ForEachEngine(t, func(t *testing.T, engine sqldb.Engine) {
		h := apptest.StartEngine(t, engine)
		owner, ownerID := registerOwner(t, h, "rename@example.com")
		biz := must[obj](owner, 201, "POST", "/api/v1/businesses", obj{"name": "R", "subdomain": "rename-me", "timeZone": "Asia/Tokyo"})
		staffPath := "/api/v1/businesses/" + biz["id"].(string) + "/staff"
		named := func(name string) func() bool {
			return func() bool {
				list := must[obj](owner, 200, "GET", staffPath, nil)["staff"].([]any)
				return len(list) == 1 && list[0].(map[string]any)["name"] == name
			}
		}
		apptest.WaitFor(t, "the owner's name on the implicit member", named("Ada Lovelace"))
		must[obj](owner, 200, "PATCH", "/api/v1/auth/me", obj{"firstName": "Augusta"})
		apptest.WaitFor(t, "the new name on the implicit member", named("Augusta Lovelace"))
		apptest.WaitFor(t, "staff.updated in the stream", func() bool {
			for _, d := range filter(t, eventbustest.StreamEvents(t, h.JS), event.TypeStaffUpdated) {
				if d["name"] == "Augusta Lovelace" && d["implicit"] == true {
					return true
				}
			}
			return false
		})
		db := h.OpenDB(t, "business")
		must[obj](owner, 204, "DELETE", "/api/v1/auth/me", nil)
		apptest.WaitFor(t, "the owner's personal data to be gone", func() bool {
			var email string
			var deleted bool
			err := db.QueryRow(context.Background(), "SELECT email, deleted FROM owners WHERE user_id = ?", ownerID).Scan(&email, &deleted)
			return err == nil && deleted && email == ""
		})
	})
}
