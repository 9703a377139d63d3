package catalog_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
)

var (
	start = time.Date(2024, 1, 15, 14, 0, 0, 0, time.UTC)
	end   = start.Add(time.Hour)
)

// samples holds a realistic filled value of every payload type.
var samples = map[string]event.Payload{
	event.TypeUserCreated: event.UserCreated{UserID: "user_789", Email: "user@example.com", FirstName: "John", LastName: "Doe", Role: "business_owner"},
	event.TypeUserUpdated: event.UserUpdated{UserID: "user_789", Changes: map[string]any{"firstName": "Jane", "lastName": "Smith"}},
	event.TypeUserDeleted: event.UserDeleted{UserID: "user_789"},
	event.TypeBusinessCreated: event.BusinessCreated{BusinessID: "biz_101", Name: "Acme Consulting", Subdomain: "acme-consulting", OwnerID: "user_789",
		TimeZone: "Europe/Berlin", BookingRules: &event.BookingRules{MinNoticeMinutes: intp(0), HorizonDays: intp(365), SlotIntervalMinutes: intp(15)},
		Description: "Strategy for small firms.\nFirst call free.", Address: "1 Market St\nSpringfield", EmbedOrigins: []string{"https://www.acme.example"}},
	event.TypeBusinessUpdated: event.BusinessUpdated{BusinessID: "biz_101", Changes: map[string]any{"name": "Acme Partners", "address": "", "embedOrigins": []string{}}},
	event.TypeServiceCreated: event.ServiceCreated{ServiceID: "svc_202", BusinessID: "biz_101", Name: "Strategy Session", Duration: 60, Price: 150.00, Currency: "USD",
		Description: "One hour", BufferBefore: intp(5), BufferAfter: intp(10), RequiresPayment: boolp(true), BookingRules: &event.BookingRules{MinNoticeMinutes: intp(120)}},
	event.TypeServiceUpdated: event.ServiceUpdated{ServiceID: "svc_202", BusinessID: "biz_101", Changes: map[string]any{"price": 175.5}},
	event.TypeServiceDeleted: event.ServiceDeleted{ServiceID: "svc_202", BusinessID: "biz_101"},
	event.TypeStaffCreated:   event.StaffCreated{StaffID: "staff_11", BusinessID: "biz_101", Name: "Ann Lee", ServiceIDs: []string{"svc_202"}},
	event.TypeStaffUpdated:   event.StaffUpdated{StaffID: "staff_12", BusinessID: "biz_101", Name: "John Doe", Implicit: true},
	event.TypeStaffDeleted:   event.StaffDeleted{StaffID: "staff_12", BusinessID: "biz_101", Implicit: true},
	event.TypeAvailabilityUpdated: event.AvailabilityUpdated{
		BusinessID: "biz_101", StaffID: "staff_11", TimeZone: "Europe/Berlin",
		Weekly: []event.WeeklyInterval{{Weekday: 1, Start: "09:00", End: "12:30"}, {Weekday: 1, Start: "13:30", End: "17:00"}, {Weekday: 5, Start: "18:00", End: "24:00"}},
		Overrides: []event.DateOverride{
			{Date: "2024-12-25", Closed: true},
			{Date: "2024-12-24", Intervals: []event.TimeInterval{{Start: "09:00", End: "12:00"}}},
		},
	},
	event.TypeBookingCreated:     event.BookingCreated{BookingID: "booking_303", BusinessID: "biz_101", ServiceID: "svc_202", ClientID: "client_404", StartTime: start, EndTime: end, TotalAmount: 150, RequiresPayment: true, Note: "Second floor.\nPlease ring twice."},
	event.TypeBookingConfirmed:   event.BookingConfirmed{BookingID: "booking_303", BusinessID: "biz_101", ServiceID: "svc_202", ClientID: "client_404", StartTime: start, EndTime: end},
	event.TypeBookingCancelled:   event.BookingCancelled{BookingID: "booking_303", BusinessID: "biz_101", ServiceID: "svc_202", ClientID: "client_404", StartTime: start, EndTime: end, Reason: "client request", CancelledBy: "client_404"},
	event.TypeBookingRescheduled: event.BookingRescheduled{BookingID: "booking_303", BusinessID: "biz_101", ServiceID: "svc_202", ClientID: "client_404", PreviousStartTime: start, PreviousEndTime: end, StartTime: start.Add(24 * time.Hour), EndTime: end.Add(24 * time.Hour)},
	event.TypeBookingExpired:     event.BookingExpired{BookingID: "booking_303", BusinessID: "biz_101", ServiceID: "svc_202", ClientID: "client_404", StartTime: start, EndTime: end},
	event.TypePaymentSucceeded:   event.PaymentSucceeded{PaymentID: "pay_505", PaymentIntentID: "pi_stripe_123", BookingID: "booking_303", BusinessID: "biz_101", ClientID: "client_404", Amount: 150, Currency: "USD", Method: "card"},
	event.TypePaymentFailed:      event.PaymentFailed{PaymentID: "pay_505", PaymentIntentID: "pi_stripe_123", BookingID: "booking_303", BusinessID: "biz_101", ClientID: "client_404", Amount: 150, Currency: "USD", FailureReason: "card_declined", FailureMessage: "Your card was declined."},
	event.TypePaymentRefunded:    event.PaymentRefunded{PaymentID: "pay_505", RefundID: "re_1", BookingID: "booking_303", BusinessID: "biz_101", ClientID: "client_404", Amount: 49.99, Currency: "EUR", Reason: "booking cancelled"},
	event.TypeNotificationSent:   event.NotificationSent{NotificationID: "notif_606", RecipientID: "client_404", Type: "booking_confirmation", Channel: "email", Status: "sent"},
	event.TypeNotificationFailed: event.NotificationFailed{NotificationID: "notif_607", RecipientID: "client_404", Type: "booking_confirmation", Channel: "sms", Status: "failed", Error: "invalid phone number"},
	event.TypeDLQFailedEvent: event.DLQFailedEvent{
		OriginalEvent: json.RawMessage(readFile(nil, "testdata/seed/booking.created.json")),
		Error:         "scheduling: booking booking_303 not found", Timestamp: start, RetryCount: 3,
		Consumer: "notification-booking-created", Subject: "slotwise.booking.created",
	},
}

func intp(n int) *int    { return &n }
func boolp(b bool) *bool { return &b }

func readFile(t *testing.T, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		if t == nil {
			panic(err)
		}
		t.Fatal(err)
	}
	return b
}

func TestSeedVectorsValidate(t *testing.T) {
	files, err := filepath.Glob("testdata/seed/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 8 {
		t.Fatalf("want the seed's 8 examples, found %d", len(files))
	}
	for _, f := range files {
		typ := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(typ+"/valid", func(t *testing.T) {
			raw := readFile(t, f)
			if err := catalog.Default().ValidateJSON(raw); err != nil {
				t.Fatalf("seed vector rejected: %v", err)
			}
			// It also survives a round trip through the Go envelope.
			var e event.Envelope
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatal(err)
			}
			if e.Type != typ {
				t.Fatalf("type %q in %s", e.Type, f)
			}
			if err := catalog.Default().Validate(e); err != nil {
				t.Fatalf("re-marshalled seed vector rejected: %v", err)
			}
		})
	}
}

// TestSeedVectorsDecode checks every seed example decodes into its Go payload
// type without losing a field.
func TestSeedVectorsDecode(t *testing.T) {
	byType := map[string]event.Payload{}
	for _, p := range event.Payloads() {
		byType[p.EventType()] = p
	}
	files, _ := filepath.Glob("testdata/seed/*.json")
	for _, f := range files {
		typ := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(typ+"/decodes", func(t *testing.T) {
			var e event.Envelope
			if err := json.Unmarshal(readFile(t, f), &e); err != nil {
				t.Fatal(err)
			}
			var seedData map[string]any
			_ = json.Unmarshal(e.Data, &seedData)
			ptr := newOf(byType[typ])
			if err := json.Unmarshal(e.Data, ptr); err != nil {
				t.Fatal(err)
			}
			back, _ := json.Marshal(ptr)
			var got map[string]any
			_ = json.Unmarshal(back, &got)
			for k := range seedData {
				if _, ok := got[k]; !ok {
					t.Errorf("field %q of the seed is lost by the Go type", k)
				}
			}
		})
	}
}

func TestPayloadsValidate(t *testing.T) {
	for _, p := range event.Payloads() {
		typ := p.EventType()
		t.Run(typ+"/valid", func(t *testing.T) {
			s, ok := samples[typ]
			if !ok {
				t.Fatalf("no sample for %s: add one to samples", typ)
			}
			if s.EventType() != typ {
				t.Fatalf("sample for %s is a %T", typ, s)
			}
			v, ok := catalog.Default().Version(typ)
			if !ok {
				t.Fatalf("no schema for payload type %T (%s)", p, typ)
			}
			e, err := event.New(time.Now(), s.EventType(), v, "test", "", s)
			if err != nil {
				t.Fatal(err)
			}
			if err := catalog.Default().Validate(e); err != nil {
				t.Fatalf("filled %T rejected: %v", s, err)
			}
		})
	}
}

// TestPayloadFieldsMatchSchemas guards against typos in JSON tags that the
// additive schemas (additional properties allowed) would not catch: every
// field the Go type writes is declared in the schema, and every required one
// is written.
func TestPayloadFieldsMatchSchemas(t *testing.T) {
	for typ, s := range samples {
		t.Run(typ+"/fields_declared", func(t *testing.T) {
			v, _ := catalog.Default().Version(typ)
			var schema struct {
				Properties struct {
					Data struct {
						Required   []string                   `json:"required"`
						Properties map[string]json.RawMessage `json:"properties"`
					} `json:"data"`
				} `json:"properties"`
			}
			if err := json.Unmarshal(readFile(t, filepath.Join("schemas", typ, v+".json")), &schema); err != nil {
				t.Fatal(err)
			}
			raw, _ := json.Marshal(s)
			var got map[string]any
			_ = json.Unmarshal(raw, &got)
			for k := range got {
				if _, ok := schema.Properties.Data.Properties[k]; !ok {
					t.Errorf("%T writes %q, which the schema does not declare", s, k)
				}
			}
			for _, k := range schema.Properties.Data.Required {
				if _, ok := got[k]; !ok {
					t.Errorf("%T does not write required %q", s, k)
				}
			}
		})
	}
}

func TestCatalogAndPayloadsAgree(t *testing.T) {
	var goTypes []string
	for _, p := range event.Payloads() {
		goTypes = append(goTypes, p.EventType())
	}
	sort.Strings(goTypes)
	if dup := slices.Compact(slices.Clone(goTypes)); len(dup) != len(goTypes) {
		t.Fatalf("duplicate payload types: %v", goTypes)
	}
	if got := catalog.Default().Types(); !slices.Equal(got, goTypes) {
		t.Fatalf("catalog types %v\n!= Go payload types %v", got, goTypes)
	}
	if len(samples) != len(goTypes) {
		t.Fatalf("%d samples for %d payload types", len(samples), len(goTypes))
	}
}

func TestDomains(t *testing.T) {
	want := []string{"availability", "booking", "business", "notification", "payment", "service", "staff", "user"}
	if got := catalog.Default().Domains(); !slices.Equal(got, want) {
		t.Fatalf("Domains() = %v, want %v", got, want)
	}
}

// newest lists the event types past 1.0 and their newest version.
var newest = map[string]string{
	event.TypeBusinessCreated: "1.1", // description, address, embedOrigins
	event.TypeBusinessUpdated: "1.1", // changes may name description, address, embedOrigins
	event.TypePaymentFailed:   "1.1", // failureMessage
	event.TypeBookingCreated:  "1.1", // note
}

func TestVersion(t *testing.T) {
	for _, typ := range catalog.Default().Types() {
		want := newest[typ]
		if want == "" {
			want = "1.0"
		}
		t.Run(typ+"/"+want, func(t *testing.T) {
			if v, ok := catalog.Default().Version(typ); !ok || v != want {
				t.Fatalf("Version(%q) = %q, %v; want %s", typ, v, ok, want)
			}
		})
	}
	t.Run("unknown/not_found", func(t *testing.T) {
		if v, ok := catalog.Default().Version("booking.teleported"); ok {
			t.Fatalf("Version of unknown type = %q", v)
		}
	})
}

// mutate returns the booking.created seed vector with f applied to it.
func mutate(t *testing.T, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFile(t, "testdata/seed/booking.created.json"), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func data(m map[string]any) map[string]any { return m["data"].(map[string]any) }

func TestInvalid(t *testing.T) {
	paymentData := map[string]any{}
	_ = json.Unmarshal(mustMarshal(samples[event.TypePaymentSucceeded]), &paymentData)
	tests := []struct {
		name    string
		raw     func(t *testing.T) []byte
		wantErr error
		wantMsg []string // substrings of the message
	}{
		{"missing_data_field_is_invalid", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { delete(data(m), "bookingId") })
		}, catalog.ErrInvalid, []string{"/data", "bookingId"}},
		{"missing_data_is_invalid", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { delete(m, "data") })
		}, catalog.ErrInvalid, []string{"data"}},
		{"missing_id_is_invalid", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { delete(m, "id") })
		}, catalog.ErrInvalid, []string{"id"}},
		{"wrong_field_type_is_invalid", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { data(m)["totalAmount"] = "150.00" })
		}, catalog.ErrInvalid, []string{"/data/totalAmount"}},
		{"negative_amount_is_invalid", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { data(m)["totalAmount"] = -1 })
		}, catalog.ErrInvalid, []string{"/data/totalAmount"}},
		{"empty_id_is_invalid", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { data(m)["clientId"] = "" })
		}, catalog.ErrInvalid, []string{"/data/clientId"}},
		{"bad_timestamp_is_invalid", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { m["timestamp"] = "2024-01-01 00:00:00" })
		}, catalog.ErrInvalid, []string{"/timestamp"}},
		{"bad_data_time_is_invalid", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { data(m)["startTime"] = "tomorrow" })
		}, catalog.ErrInvalid, []string{"/data/startTime"}},
		{"lowercase_currency_is_invalid", func(t *testing.T) []byte {
			e, _ := event.New(time.Now(), event.TypePaymentSucceeded, "1.0", "test", "", samples[event.TypePaymentSucceeded])
			var m map[string]any
			_ = json.Unmarshal(mustMarshal(e), &m)
			data(m)["currency"] = "usd"
			return mustMarshal(m)
		}, catalog.ErrInvalid, []string{"/data/currency"}},
		{"body_of_other_type_is_invalid", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { m["data"] = paymentData })
		}, catalog.ErrInvalid, []string{"/data", "serviceId"}},
		{"unknown_type", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { m["type"] = "booking.teleported" })
		}, catalog.ErrUnknownType, []string{"booking.teleported"}},
		{"unknown_version", func(t *testing.T) []byte {
			return mutate(t, func(m map[string]any) { m["version"] = "9.0" })
		}, catalog.ErrUnknownVersion, []string{"9.0", "booking.created"}},
		{"malformed_json_is_invalid", func(t *testing.T) []byte {
			return []byte(`{"id":"evt_1","type":"booking.created",`)
		}, catalog.ErrInvalid, nil},
		{"non_object_is_invalid", func(t *testing.T) []byte { return []byte(`[1,2]`) }, catalog.ErrInvalid, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := catalog.Default().ValidateJSON(tt.raw(t))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			for _, s := range tt.wantMsg {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("message %q does not name %q", err, s)
				}
			}
		})
	}
}

func TestValidateEnvelopeWithoutData(t *testing.T) {
	e, _ := event.New(time.Now(), event.TypeUserDeleted, "1.0", "test", "", nil)
	if err := catalog.Default().Validate(e); !errors.Is(err, catalog.ErrInvalid) || !strings.Contains(err.Error(), "/data") {
		t.Fatalf("err = %v, want ErrInvalid naming /data", err)
	}
}

// Additive versioning: unknown fields in data and in the envelope are accepted.
func TestAdditionalPropertiesAccepted(t *testing.T) {
	raw := mutate(t, func(m map[string]any) {
		data(m)["notes"] = "window seat"
		m["tenant"] = "acme"
	})
	if err := catalog.Default().ValidateJSON(raw); err != nil {
		t.Fatalf("additional properties rejected: %v", err)
	}
}

// TestBusinessProfileFields: business.* 1.1 type the profile fields it
// added, and a 1.0 event of the same types still validates.
func TestBusinessProfileFields(t *testing.T) {
	envelope := func(typ, version string, d map[string]any) event.Envelope {
		t.Helper()
		e, err := event.New(time.Now(), typ, version, "business-service", "", d)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	created := func(k string, v any) map[string]any {
		return map[string]any{"businessId": "biz_1", "name": "N", "subdomain": "n-1", "ownerId": "user_1", k: v}
	}
	updated := func(k string, v any) map[string]any {
		return map[string]any{"businessId": "biz_1", "changes": map[string]any{k: v}}
	}
	tests := []struct {
		name    string
		e       event.Envelope
		invalid string // JSON pointer named by the error; "" when valid
	}{
		{"created_1.0_valid", envelope(event.TypeBusinessCreated, "1.0", created("timeZone", "UTC")), ""},
		{"updated_1.0_valid", envelope(event.TypeBusinessUpdated, "1.0", updated("name", "M")), ""},
		{"created_empty_description_invalid", envelope(event.TypeBusinessCreated, "1.1", created("description", "")), "/data/description"},
		{"created_long_address_invalid", envelope(event.TypeBusinessCreated, "1.1", created("address", strings.Repeat("a", 501))), "/data/address"},
		{"created_origins_not_list_invalid", envelope(event.TypeBusinessCreated, "1.1", created("embedOrigins", "https://a.example")), "/data/embedOrigins"},
		{"updated_cleared_address_valid", envelope(event.TypeBusinessUpdated, "1.1", updated("address", "")), ""},
		{"updated_numeric_description_invalid", envelope(event.TypeBusinessUpdated, "1.1", updated("description", 5)), "/data/changes/description"},
		{"updated_origins_not_list_invalid", envelope(event.TypeBusinessUpdated, "1.1", updated("embedOrigins", "x")), "/data/changes/embedOrigins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := catalog.Default().Validate(tt.e)
			switch {
			case tt.invalid == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.invalid != "" && (!errors.Is(err, catalog.ErrInvalid) || !strings.Contains(err.Error(), tt.invalid)):
				t.Fatalf("err = %v, want ErrInvalid naming %s", err, tt.invalid)
			}
		})
	}
}

// TestBookingNoteField: booking.created 1.1 types the note it added (a
// non-empty string of at most 1000 characters), and a 1.0 event still
// validates.
func TestBookingNoteField(t *testing.T) {
	data := func(note any) map[string]any {
		d := map[string]any{"bookingId": "booking_1", "businessId": "biz_1", "serviceId": "svc_1", "clientId": "guest_1",
			"startTime": "2030-01-08T09:00:00Z", "endTime": "2030-01-08T10:00:00Z", "totalAmount": 0, "requiresPayment": false}
		if note != nil {
			d["note"] = note
		}
		return d
	}
	tests := []struct {
		name    string
		version string
		d       map[string]any
		invalid string // JSON pointer named by the error; "" when valid
	}{
		{"1.0_without_note_valid", "1.0", data(nil), ""},
		{"1.1_without_note_valid", "1.1", data(nil), ""},
		{"1.1_multiline_note_valid", "1.1", data("Second floor.\nRing twice."), ""},
		{"1.1_note_of_1000_runes_valid", "1.1", data(strings.Repeat("é", 1000)), ""},
		{"1.1_note_of_1001_runes_invalid", "1.1", data(strings.Repeat("é", 1001)), "/data/note"},
		{"1.1_empty_note_invalid", "1.1", data(""), "/data/note"},
		{"1.1_numeric_note_invalid", "1.1", data(5), "/data/note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := event.New(time.Now(), event.TypeBookingCreated, tt.version, "scheduling-service", "", tt.d)
			if err != nil {
				t.Fatal(err)
			}
			err = catalog.Default().Validate(e)
			switch {
			case tt.invalid == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.invalid != "" && (!errors.Is(err, catalog.ErrInvalid) || !strings.Contains(err.Error(), tt.invalid)):
				t.Fatalf("err = %v, want ErrInvalid naming %s", err, tt.invalid)
			}
		})
	}
}

func TestDLQOriginalEventMayBeString(t *testing.T) {
	p := samples[event.TypeDLQFailedEvent].(event.DLQFailedEvent)
	p.OriginalEvent = mustMarshal("not json {")
	e, _ := event.New(time.Now(), p.EventType(), "1.0", "test", "", p)
	if err := catalog.Default().Validate(e); err != nil {
		t.Fatalf("string originalEvent rejected: %v", err)
	}
	p.OriginalEvent = json.RawMessage(`42`)
	e, _ = event.New(time.Now(), p.EventType(), "1.0", "test", "", p)
	if err := catalog.Default().Validate(e); !errors.Is(err, catalog.ErrInvalid) {
		t.Fatalf("numeric originalEvent: err = %v, want ErrInvalid", err)
	}
}

// A schema file must pin its own type and version, so a copied file cannot
// validate events of another type.
func TestLoadRejectsMismatchedSchema(t *testing.T) {
	good := string(readFile(t, "schemas/booking.created/1.0.json"))
	tests := []struct {
		name, path, body string
		ok               bool
	}{
		{"matching_loads", "schemas/booking.created/1.0.json", good, true},
		{"type_mismatch_fails", "schemas/booking.confirmed/1.0.json", good, false},
		{"version_mismatch_fails", "schemas/booking.created/1.1.json", good, false},
		{"bad_file_name_fails", "schemas/booking.created/v1.json", good, false},
		{"bad_schema_fails", "schemas/booking.created/1.0.json", `{"type": 12}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := catalog.Load(fstest.MapFS{tt.path: {Data: []byte(tt.body)}})
			if tt.ok != (err == nil) {
				t.Fatalf("Load: err = %v, want ok=%v", err, tt.ok)
			}
			if tt.ok {
				if got := c.Types(); !slices.Equal(got, []string{"booking.created"}) {
					t.Fatalf("Types() = %v", got)
				}
			}
		})
	}
}

// The newest minor version is what Version reports; older ones still validate.
func TestLoadNewestVersion(t *testing.T) {
	v10 := string(readFile(t, "schemas/booking.created/1.0.json"))
	v12 := strings.Replace(v10, `"version": {"const": "1.0"}`, `"version": {"const": "1.2"}`, 1)
	v110 := strings.Replace(v10, `"version": {"const": "1.0"}`, `"version": {"const": "1.10"}`, 1)
	c, err := catalog.Load(fstest.MapFS{
		"schemas/booking.created/1.0.json":  {Data: []byte(v10)},
		"schemas/booking.created/1.2.json":  {Data: []byte(v12)},
		"schemas/booking.created/1.10.json": {Data: []byte(v110)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := c.Version("booking.created"); v != "1.10" {
		t.Fatalf("Version = %q, want 1.10", v)
	}
	if err := c.ValidateJSON(readFile(t, "testdata/seed/booking.created.json")); err != nil {
		t.Fatalf("1.0 event rejected: %v", err)
	}
}

func mustMarshal(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// newOf returns a pointer to a new zero value of p's dynamic type.
func newOf(p event.Payload) any {
	return reflect.New(reflect.TypeOf(p)).Interface()
}
