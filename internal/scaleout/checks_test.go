package scaleout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/mail"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/eventbus"
	"github.com/slotwise/slotwise/internal/notification/smtptest"
)

// What the notification service sends (internal/notification/handle.go,
// owner.go), to a guest per booking kind: a free booking is created
// confirmed (no message) and its booking.confirmed sends the confirmation;
// a paid one gets "payment needed" on booking.created and the confirmation
// on booking.confirmed (payment.succeeded: webhooks only); a declined one
// gets "payment needed", then "payment failed" (payment.failed, the
// booking still held) and "cancelled" (booking.cancelled, the guest's own
// cancellation). Every message about a booking carries its manage link.
// The owner gets the welcome (user.created) and, through the queue, a
// "new booking" message per booking.confirmed — a free booking at once, a
// paid one when paid; a declined booking was never confirmed, so its
// cancellation tells the owner nothing.
var (
	emailKinds = map[kind][]string{
		free:     {"booking_confirmation"},
		paid:     {"booking_awaiting_payment", "booking_confirmation"},
		declined: {"booking_awaiting_payment", "booking_cancelled", "payment_failed"},
	}
	// ownerKinds are the owner's messages about a booking, per kind.
	ownerKinds = map[kind][]string{
		free:     {"owner_booking_new"},
		paid:     {"owner_booking_new"},
		declined: nil,
	}
	// eventTypes are the booking's booking.* and payment.* events.
	eventTypes = map[kind][]string{
		free:     {event.TypeBookingConfirmed, event.TypeBookingCreated},
		paid:     {event.TypeBookingConfirmed, event.TypeBookingCreated, event.TypePaymentSucceeded},
		declined: {event.TypeBookingCancelled, event.TypeBookingCreated, event.TypePaymentFailed},
	}
	// subjectKinds tells a message's kind by its subject's beginning
	// (internal/notification/templates/messages.txt.tmpl).
	subjectKinds = []struct{ prefix, kind string }{
		{"Welcome to SlotWise", "welcome"},
		{"Payment needed: ", "booking_awaiting_payment"},
		{"Confirmed: ", "booking_confirmation"},
		{"Cancelled: ", "booking_cancelled"},
		{"Payment failed: ", "payment_failed"},
		{"Expired: ", "booking_expired"},
		{"Rescheduled: ", "booking_rescheduled"},
		{"Booking received: ", "booking_received"},
		{"New booking: ", "owner_booking_new"},
		{"Booking moved: ", "owner_booking_rescheduled"},
		{"Booking cancelled: ", "owner_booking_cancelled"},
	}
)

// created returns the bookings that were made (mains and rivals that won
// their slot).
func (r *scaleRun) created() []*booking {
	var out []*booking
	for _, b := range r.mains {
		if b.created {
			out = append(out, b)
		}
		if rv := r.rivals[b.n]; rv != nil && rv.created {
			out = append(out, rv)
		}
	}
	return out
}

// check waits for the saga to finish and the system to be quiet (outboxes
// published, consumers caught up, every expected message received), then
// checks that nothing was lost or doubled.
func (r *scaleRun) check(t *testing.T) {
	t.Helper()
	created := r.created()
	counts := map[kind]int{}
	emails, owner := 1, 0 // the owner's welcome
	for _, b := range created {
		counts[b.kind]++
		emails += len(emailKinds[b.kind]) + len(ownerKinds[b.kind])
		owner += len(ownerKinds[b.kind])
	}
	t.Logf("created %d bookings (free %d, paid %d, declined %d; %d contested slots); expecting %d e-mails (%d to the owner about bookings)",
		len(created), counts[free], counts[paid], counts[declined], len(r.rivals), emails, owner)

	began := time.Now()
	r.waitFinalStates(t, created)
	final := time.Now()
	r.waitQuiet(t, emails)
	t.Logf("final states after %s, quiet (outboxes, consumers, queue, e-mails) %s later",
		final.Sub(began).Round(time.Millisecond), time.Since(final).Round(time.Millisecond))
	events := r.readLog(t)
	t.Logf("event log: %d events", len(events))
	r.checkEventLog(t, events, created)
	r.checkOutboxes(t, events)
	r.checkInboxes(t, events)
	r.checkPayments(t, created)
	r.checkNoOverlaps(t)
	r.checkEmails(t, created, emails)
	r.checkQueue(t, owner)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var dlq *jetstream.StreamInfo
	err := r.until(ctx, "DLQ info", func() (bool, error) {
		s, err := r.d.js.Stream(ctx, eventbus.DLQStream)
		if err == nil {
			dlq, err = s.Info(ctx)
		}
		return err == nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if dlq.State.Msgs != 0 {
		t.Errorf("DLQ holds %d events, want 0", dlq.State.Msgs)
	}
	if err := r.until(ctx, "streams healthy", func() (bool, error) { return r.d.streamsHealthy(ctx) == nil, nil }); err != nil {
		t.Errorf("streams after the run: %v (%v)", err, r.d.streamsHealthy(ctx))
	}
}

// readLog reads the whole event log through an ordered consumer. A read
// that fails (the cluster moved the consumer or a leader meanwhile) is
// started again, for at most 2 minutes.
func (r *scaleRun) readLog(t *testing.T) []event.Envelope {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for {
		events, err := r.tryReadLog(ctx)
		if err == nil {
			return events
		}
		t.Logf("reading the event log again: %v", err)
		select {
		case <-ctx.Done():
			t.Fatalf("read the event log: %v", err)
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (r *scaleRun) tryReadLog(ctx context.Context) ([]event.Envelope, error) {
	s, err := r.d.js.Stream(ctx, eventbus.EventStream)
	if err != nil {
		return nil, err
	}
	info, err := s.Info(ctx)
	if err != nil {
		return nil, err
	}
	want := int(info.State.Msgs)
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy})
	if err != nil {
		return nil, err
	}
	out := make([]event.Envelope, 0, want)
	for len(out) < want {
		batch, err := cons.Fetch(min(want-len(out), 500), jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			return nil, err
		}
		for m := range batch.Messages() {
			ev, err := eventbus.DecodeEnvelope(m.Data())
			if err != nil {
				return nil, fmt.Errorf("event log message %d: %w", len(out)+1, err)
			}
			out = append(out, ev)
		}
		if err := batch.Error(); err != nil && !errors.Is(err, jetstream.ErrNoMessages) {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// waitFinalStates waits until scheduling's bookings table holds exactly
// the created bookings, each in its kind's final status.
func (r *scaleRun) waitFinalStates(t *testing.T, created []*booking) {
	t.Helper()
	var problem string
	deadline := time.Now().Add(5 * time.Minute)
	for {
		problem = r.finalStateProblem(created)
		if problem == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("bookings not in their final states within 5m: %s", problem)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (r *scaleRun) finalStateProblem(created []*booking) string {
	rows, err := r.d.db.Query("SELECT id, status FROM scheduling.bookings")
	if err != nil {
		return err.Error()
	}
	defer rows.Close()
	got := map[string]string{}
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			return err.Error()
		}
		got[id] = status
	}
	if err := rows.Err(); err != nil {
		return err.Error()
	}
	wrong := map[string]int{}
	var example string
	for _, b := range created {
		if s := got[b.id]; s != b.kind.finalStatus() {
			wrong[fmt.Sprintf("%s→%q", b.kind, s)]++
			example = fmt.Sprintf("%s (%s) is %q", b.id, b.kind, s)
		}
		delete(got, b.id)
	}
	switch {
	case len(got) > 0:
		return fmt.Sprintf("%d bookings in the database that no request created (e.g. %v)", len(got), firstKey(got))
	case len(wrong) > 0:
		return fmt.Sprintf("not final: %v; e.g. %s", wrong, example)
	}
	return ""
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}

// waitQuiet waits until every service's outbox is published, every
// durable consumer of the event log has nothing pending or unacknowledged,
// notification's queue holds nothing waiting, and the SMTP server
// received at least the expected number of messages.
func (r *scaleRun) waitQuiet(t *testing.T, emails int) {
	t.Helper()
	var problem string
	began := time.Now()
	deadline, report := began.Add(5*time.Minute), began.Add(15*time.Second)
	for {
		problem = r.quietProblem(emails)
		if problem == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not quiet within 5m: %s", problem)
		}
		if time.Now().After(report) {
			t.Logf("not quiet yet after %s: %s", time.Since(began).Round(time.Second), problem)
			report = report.Add(15 * time.Second)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func (r *scaleRun) quietProblem(emails int) string {
	for _, svc := range Services {
		var n int
		q := "SELECT count(*) FROM " + pgx.Identifier{svc, "outbox_events"}.Sanitize() + " WHERE status <> 'published'"
		if err := r.d.db.QueryRow(q).Scan(&n); err != nil {
			return err.Error()
		}
		if n > 0 {
			return fmt.Sprintf("%s: %d outbox rows unpublished", svc, n)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	infos, err := r.consumers(ctx)
	if err != nil {
		return err.Error()
	}
	for _, c := range infos {
		if c.NumPending > 0 || c.NumAckPending > 0 {
			return fmt.Sprintf("consumer %s: %d pending, %d unacknowledged", c.Name, c.NumPending, c.NumAckPending)
		}
	}
	var queued int
	if err := r.d.db.QueryRow("SELECT count(*) FROM notification.queued_messages WHERE status = 'queued'").Scan(&queued); err != nil {
		return err.Error()
	}
	if queued > 0 {
		return fmt.Sprintf("notification: %d queued messages not sent yet", queued)
	}
	if got := len(r.d.smtp.Messages()); got < emails {
		return fmt.Sprintf("%d of %d e-mails received", got, emails)
	}
	return ""
}

// consumers returns the durable consumers of the event log.
func (r *scaleRun) consumers(ctx context.Context) ([]*jetstream.ConsumerInfo, error) {
	s, err := r.d.js.Stream(ctx, eventbus.EventStream)
	if err != nil {
		return nil, err
	}
	var out []*jetstream.ConsumerInfo
	list := s.ListConsumers(ctx)
	for c := range list.Info() {
		if c.Config.Durable != "" { // not the checks' ordered consumers
			out = append(out, c)
		}
	}
	if err := list.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// bookingRef is what the checks read from an event's data.
type bookingRef struct {
	BookingID     string `json:"bookingId"`
	RecipientID   string `json:"recipientId"`
	Type          string `json:"type"`
	Reason        string `json:"reason"`        // booking.cancelled
	CancelledBy   string `json:"cancelledBy"`   // booking.cancelled
	FailureReason string `json:"failureReason"` // payment.failed
}

// sentRef is one notification.sent: the kind sent and the correlation id
// of its cause.
type sentRef struct{ kind, corr string }

// checkEventLog: every event id once; each booking's booking.* and
// payment.* events exactly those of its kind, sharing its correlation id
// (a declined booking's payment.failed for the declined card and its
// booking.cancelled by its guest); notification.sent once per expected
// message — to each guest the kinds of its booking, to the owner the
// welcome and one "new booking" under the correlation id of each confirmed
// booking; nothing failed, expired, rescheduled or refunded.
func (r *scaleRun) checkEventLog(t *testing.T, events []event.Envelope, created []*booking) {
	t.Helper()
	ids := map[string]int{}
	perBooking := map[string][]string{}
	corr := map[string]map[string]bool{}
	sent := map[string][]sentRef{} // recipient id → what was sent
	cancelled := map[string]bookingRef{}
	failed := map[string][]string{} // booking id → payment.failed reasons
	byType := map[string]int{}
	for _, ev := range events {
		ids[ev.ID]++
		byType[ev.Type]++
		var ref bookingRef
		if err := json.Unmarshal(ev.Data, &ref); err != nil {
			t.Errorf("event %s: data: %v", ev.ID, err)
			continue
		}
		switch {
		case strings.HasPrefix(ev.Type, "booking.") || strings.HasPrefix(ev.Type, "payment."):
			perBooking[ref.BookingID] = append(perBooking[ref.BookingID], ev.Type)
			if corr[ref.BookingID] == nil {
				corr[ref.BookingID] = map[string]bool{}
			}
			corr[ref.BookingID][ev.CorrelationID] = true
			switch ev.Type {
			case event.TypeBookingCancelled:
				cancelled[ref.BookingID] = ref
			case event.TypePaymentFailed:
				failed[ref.BookingID] = append(failed[ref.BookingID], ref.FailureReason)
			}
		case ev.Type == event.TypeNotificationSent:
			sent[ref.RecipientID] = append(sent[ref.RecipientID], sentRef{kind: ref.Type, corr: ev.CorrelationID})
		}
	}
	t.Logf("event log by type: %v", byType)
	for id, n := range ids {
		if n != 1 {
			t.Errorf("event %s is %d times in the log", id, n)
		}
	}
	for _, typ := range []string{event.TypeNotificationFailed, event.TypeBookingExpired, event.TypePaymentRefunded, event.TypeBookingRescheduled} {
		if byType[typ] != 0 {
			t.Errorf("%d %s events, want none", byType[typ], typ)
		}
	}
	bookingOf := map[string]*booking{} // correlation id → booking
	bad := 0
	for _, b := range created {
		got := slices.Sorted(slices.Values(perBooking[b.id]))
		var kinds []string
		for _, s := range sent[b.clientID] {
			kinds = append(kinds, s.kind)
		}
		slices.Sort(kinds)
		c := cancelled[b.id]
		switch {
		case !slices.Equal(got, eventTypes[b.kind]):
			t.Errorf("booking %s (%s): events %v, want %v", b.id, b.kind, got, eventTypes[b.kind])
		case len(corr[b.id]) != 1:
			t.Errorf("booking %s: events under %d correlation ids, want 1", b.id, len(corr[b.id]))
		case !slices.Equal(kinds, emailKinds[b.kind]):
			t.Errorf("booking %s (%s): notification.sent %v, want %v", b.id, b.kind, kinds, emailKinds[b.kind])
		case b.kind == declined && (c.Reason != "cancelled_by_client" || c.CancelledBy != b.clientID):
			t.Errorf("booking %s (declined): booking.cancelled reason %q by %q, want cancelled_by_client by its guest %s", b.id, c.Reason, c.CancelledBy, b.clientID)
		case b.kind == declined && !slices.Equal(failed[b.id], []string{"card_declined"}):
			t.Errorf("booking %s (declined): payment.failed reasons %v, want [card_declined]", b.id, failed[b.id])
		default:
			for id := range corr[b.id] {
				bookingOf[id] = b
			}
			delete(perBooking, b.id)
			delete(sent, b.clientID)
			continue
		}
		if bad++; bad > 20 {
			t.Fatalf("too many wrong bookings")
		}
	}
	if len(perBooking) > 0 {
		t.Errorf("%d bookings in the log that no request created: %v", len(perBooking), perBooking)
	}
	if len(sent) != 1 { // the owner remains
		for id, s := range sent {
			if len(s) > 5 {
				sent[id] = s[:5]
			}
		}
		t.Errorf("notification.sent to %d recipients besides the guests, want the owner only (at most 5 each shown): %v", len(sent), sent)
		return
	}
	// The owner's: the welcome, and per booking its kind's owner messages
	// under the booking's correlation id.
	for _, ss := range sent {
		welcomes := 0
		perCorr := map[string][]string{}
		for _, s := range ss {
			if s.kind == "welcome" && bookingOf[s.corr] == nil {
				welcomes++
				continue
			}
			perCorr[s.corr] = append(perCorr[s.corr], s.kind)
		}
		if welcomes != 1 {
			t.Errorf("owner's welcome notification.sent %d times, want 1", welcomes)
		}
		bad := 0
		for _, b := range created {
			var got []string
			for id := range corr[b.id] {
				got = append(got, perCorr[id]...)
				delete(perCorr, id)
			}
			slices.Sort(got)
			if !slices.Equal(got, ownerKinds[b.kind]) {
				if bad++; bad <= 20 {
					t.Errorf("booking %s (%s): owner's notification.sent %v, want %v", b.id, b.kind, got, ownerKinds[b.kind])
				}
			}
		}
		if len(perCorr) > 0 {
			t.Errorf("owner's notification.sent under correlation ids of no booking: %v", perCorr)
		}
	}
}

// checkOutboxes: the log holds exactly the events the services' outboxes
// recorded — none lost on the way (an outbox row marked published whose
// event is not in the log would be an acknowledged write lost by the
// cluster), none published that no outbox recorded.
func (r *scaleRun) checkOutboxes(t *testing.T, events []event.Envelope) {
	t.Helper()
	inLog := map[string]bool{}
	for _, ev := range events {
		inLog[ev.ID] = true
	}
	recorded := 0
	for _, svc := range Services {
		rows, err := r.d.db.Query("SELECT event_id FROM " + pgx.Identifier{svc, "outbox_events"}.Sanitize())
		if err != nil {
			t.Fatal(err)
		}
		missing := 0
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			recorded++
			if !inLog[id] {
				missing++
			}
			delete(inLog, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		_ = rows.Close()
		if missing > 0 {
			t.Errorf("%s: %d events recorded in the outbox are not in the log", svc, missing)
		}
	}
	if len(inLog) > 0 {
		t.Errorf("%d events in the log that no outbox recorded", len(inLog))
	}
	if recorded != len(events) {
		t.Errorf("outboxes recorded %d events, the log holds %d", recorded, len(events))
	}
}

// checkInboxes: each durable consumer's inbox (in its service's schema)
// holds exactly the ids of the log's events of its types — every event
// processed, once.
func (r *scaleRun) checkInboxes(t *testing.T, events []event.Envelope) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var infos []*jetstream.ConsumerInfo
	err := r.until(ctx, "consumer infos", func() (bool, error) {
		var err error
		infos, err = r.consumers(ctx)
		return err == nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, c := range infos {
		filters := c.Config.FilterSubjects
		if c.Config.FilterSubject != "" {
			filters = append(filters, c.Config.FilterSubject)
		}
		want := map[string]bool{}
		for _, ev := range events {
			if slices.ContainsFunc(filters, func(f string) bool { return subjectMatches(f, ev.Subject()) }) {
				want[ev.ID] = true
			}
		}
		svc, _, _ := strings.Cut(c.Name, "-")
		got, err := r.inbox(ctx, svc, c.Name)
		if err != nil {
			t.Fatal(err)
		}
		missing, extra := 0, 0
		for id := range want {
			if !got[id] {
				missing++
			}
		}
		for id := range got {
			if !want[id] {
				extra++
			}
		}
		if missing > 0 || extra > 0 || len(got) != len(want) {
			t.Errorf("consumer %s: inbox %d rows, log %d events of its types (%d missing, %d not in the log)", c.Name, len(got), len(want), missing, extra)
		}
		summary = append(summary, fmt.Sprintf("%s=%d", c.Name, len(got)))
	}
	sort.Strings(summary)
	t.Logf("inboxes (rows = events of the consumer's types): %s", strings.Join(summary, " "))
	if len(infos) < 8 {
		t.Errorf("%d durable consumers on the event log, want every service's", len(infos))
	}
}

// inbox returns the event ids consumer recorded in svc's schema.
func (r *scaleRun) inbox(ctx context.Context, svc, consumer string) (map[string]bool, error) {
	q := "SELECT event_id FROM " + pgx.Identifier{svc, "inbox_events"}.Sanitize() + " WHERE consumer = $1"
	rows, err := r.d.db.QueryContext(ctx, q, consumer)
	if err != nil {
		return nil, fmt.Errorf("inbox of %s: %w", consumer, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if out[id] {
			return nil, fmt.Errorf("inbox of %s: %s twice", consumer, id)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// subjectMatches reports whether a NATS subject filter (with * and >)
// matches subject.
func subjectMatches(filter, subject string) bool {
	f, s := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, tok := range f {
		switch {
		case tok == ">":
			return len(s) > i
		case i >= len(s):
			return false
		case tok != "*" && tok != s[i]:
			return false
		}
	}
	return len(f) == len(s)
}

// checkPayments: one payment per paid booking, succeeded as its card
// decided, or — declined, then the booking cancelled by its guest —
// canceled unpaid with the decline's reason (no refund); none for free
// bookings.
func (r *scaleRun) checkPayments(t *testing.T, created []*booking) {
	t.Helper()
	rows, err := r.d.db.Query("SELECT booking_id, status || '/' || failure_reason FROM payment.payments")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string][]string{}
	for rows.Next() {
		var id, status string
		if err := rows.Scan(&id, &status); err != nil {
			t.Fatal(err)
		}
		got[id] = append(got[id], status)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[kind][]string{paid: {"succeeded/"}, declined: {"canceled/card_declined"}}
	for _, b := range created {
		if !slices.Equal(got[b.id], want[b.kind]) {
			t.Errorf("booking %s (%s): payments %v, want %v", b.id, b.kind, got[b.id], want[b.kind])
		}
		delete(got, b.id)
	}
	if len(got) > 0 {
		t.Errorf("%d payments of unknown bookings", len(got))
	}
}

// checkNoOverlaps: no two pending or confirmed bookings of a staff member
// overlap (blocked ranges, buffers included).
func (r *scaleRun) checkNoOverlaps(t *testing.T) {
	t.Helper()
	var n int
	err := r.d.db.QueryRow(`SELECT count(*) FROM scheduling.bookings a JOIN scheduling.bookings b
		ON a.staff_id = b.staff_id AND a.id < b.id AND a.blocked && b.blocked
		WHERE a.status IN ('pending', 'confirmed') AND b.status IN ('pending', 'confirmed')`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d pairs of overlapping pending/confirmed bookings", n)
	}
}

// checkEmails: every expected message arrived once at the SMTP server —
// per guest exactly the kinds of its booking, each with the booking's
// manage link (the token of the 201); to the owner the welcome and, per
// booking, its kind's owner messages (told apart by their Reply-To, the
// guest's address); nothing else.
func (r *scaleRun) checkEmails(t *testing.T, created []*booking, total int) {
	t.Helper()
	got := map[string][]string{}
	owner := map[string][]string{} // Reply-To (a guest's address) → the owner's kinds
	byAddr := map[string]*booking{}
	for _, b := range created {
		byAddr[b.email] = b
	}
	msgIDs := map[string]int{}
	msgs := r.d.smtp.Messages()
	noLink := 0
	for _, m := range msgs {
		p, err := smtptest.Parse(m.Raw)
		if err != nil {
			t.Errorf("message to %v: %v", m.To, err)
			continue
		}
		msgIDs[p.Header.Get("Message-Id")]++
		k := "unknown: " + p.Subject
		for _, sk := range subjectKinds {
			if strings.HasPrefix(p.Subject, sk.prefix) {
				k = sk.kind
			}
		}
		for _, to := range m.To {
			to = strings.ToLower(to)
			if to == r.ownerEmail && k != "welcome" {
				rt, err := mail.ParseAddress(p.Header.Get("Reply-To"))
				if err != nil {
					t.Errorf("owner's %q: Reply-To %q: %v", p.Subject, p.Header.Get("Reply-To"), err)
					continue
				}
				owner[strings.ToLower(rt.Address)] = append(owner[strings.ToLower(rt.Address)], k)
				continue
			}
			got[to] = append(got[to], k)
			if b := byAddr[to]; b != nil && !strings.Contains(p.Text, "/m/"+b.manageToken) {
				if noLink++; noLink <= 5 {
					t.Errorf("%q to %s: no manage link /m/%s in its text:\n%s", p.Subject, to, b.manageToken, p.Text)
				}
			}
		}
	}
	if noLink > 0 {
		t.Errorf("%d e-mails to guests without their booking's manage link", noLink)
	}
	if len(msgs) != total {
		t.Errorf("%d e-mails received, want %d", len(msgs), total)
	}
	for id, n := range msgIDs {
		if n > 1 {
			t.Errorf("Message-ID %s received %d times", id, n)
		}
	}
	check := func(addr string, want []string) {
		if g := slices.Sorted(slices.Values(got[addr])); !slices.Equal(g, want) {
			t.Errorf("e-mails to %s: %v, want %v", addr, g, want)
		}
		delete(got, addr)
	}
	check(r.ownerEmail, []string{"welcome"})
	for _, b := range created {
		check(b.email, emailKinds[b.kind])
		if g := slices.Sorted(slices.Values(owner[b.email])); !slices.Equal(g, ownerKinds[b.kind]) {
			t.Errorf("e-mails to the owner about %s (%s, %s): %v, want %v", b.id, b.kind, b.email, g, ownerKinds[b.kind])
		}
		delete(owner, b.email)
	}
	if len(got) > 0 {
		t.Errorf("e-mails to unexpected recipients: %v", got)
	}
	if len(owner) > 0 {
		t.Errorf("e-mails to the owner about no booking of the run (by Reply-To): %v", owner)
	}
}

// checkQueue: notification's queue sent each of the owner's messages
// (want of them), none failed or waiting.
func (r *scaleRun) checkQueue(t *testing.T, want int) {
	t.Helper()
	rows, err := r.d.db.Query("SELECT status, kind, count(*) FROM notification.queued_messages GROUP BY status, kind")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var status, kind string
		var n int
		if err := rows.Scan(&status, &kind, &n); err != nil {
			t.Fatal(err)
		}
		got[status+" "+kind] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	wantQ := map[string]int{}
	if want > 0 {
		wantQ["sent owner_booking_new"] = want
	}
	if !maps.Equal(got, wantQ) {
		t.Errorf("notification's queued messages by status and kind: %v, want %v", got, wantQ)
	}
}
