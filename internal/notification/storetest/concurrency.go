package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/slotwise/slotwise/internal/notification"
)

// Claimers run at once, and how long one holds its first claim open at
// most waiting for the others: on PostgreSQL they all claim within it, so
// their transactions overlap and SKIP LOCKED must keep them apart; on
// SQLite, whose one connection serialises transactions, the others cannot
// claim until it has passed.
const (
	claimers  = 4
	claimHold = 200 * time.Millisecond
	dueItems  = 12
)

func testConcurrentReminderClaims(t *testing.T, s notification.Store) {
	ctx := context.Background()
	for i := range dueItems {
		bk := fmt.Sprintf("bk_%02d", i)
		must(t, s.ReplaceReminders(ctx, bk, []notification.Reminder{
			{ID: "rem_" + bk, BookingID: bk, Offset: time.Hour, DueAt: t0.Add(-time.Duration(i) * time.Minute), Status: notification.ReminderScheduled},
			{ID: "rem_later_" + bk, BookingID: bk, Offset: time.Minute, DueAt: t0.Add(time.Hour), Status: notification.ReminderScheduled},
		}))
	}
	counts := claimAll(t, s, func(ctx context.Context) (string, error) {
		r, err := s.ClaimDueReminder(ctx, t0)
		if err != nil {
			return "", err
		}
		r.Status = notification.ReminderSent
		return r.ID, s.UpdateReminder(ctx, r)
	})
	checkClaimedOnce(t, counts, "rem_bk_")
	list, err := s.Reminders(ctx, "")
	must(t, err)
	for _, r := range list {
		if due := !r.DueAt.After(t0); due != (r.Status == notification.ReminderSent) {
			t.Errorf("reminder %s due at %v has status %s after the claims", r.ID, r.DueAt, r.Status)
		}
	}
}

func testConcurrentWebhookClaims(t *testing.T, s notification.Store) {
	ctx := context.Background()
	must(t, s.CreateWebhook(ctx, notification.Webhook{ID: "wh_1", BusinessID: "biz_1", URL: "http://127.0.0.1/x",
		EventTypes: []string{"booking.created"}, Secret: "s", CreatedAt: t0}))
	add := func(id string, due time.Time) {
		t.Helper()
		_, err := s.AddWebhookDelivery(ctx, notification.WebhookDelivery{ID: id, WebhookID: "wh_1", BusinessID: "biz_1",
			EventID: "evt_" + id, EventType: "booking.created", Body: []byte(`{}`), Status: notification.WebhookPending,
			NextAttemptAt: due, CreatedAt: t0, UpdatedAt: t0})
		must(t, err)
	}
	for i := range dueItems {
		add(fmt.Sprintf("whd_%02d", i), t0.Add(-time.Duration(i)*time.Minute))
	}
	add("whd_later", t0.Add(time.Hour))
	counts := claimAll(t, s, func(ctx context.Context) (string, error) {
		d, err := s.ClaimDueWebhookDelivery(ctx, t0)
		if err != nil {
			return "", err
		}
		d.Status, d.Attempts = notification.WebhookDelivered, d.Attempts+1
		return d.ID, s.UpdateWebhookDelivery(ctx, d)
	})
	checkClaimedOnce(t, counts, "whd_")
}

func testConcurrentQueueClaims(t *testing.T, s notification.Store) {
	ctx := context.Background()
	for i := range dueItems {
		id := fmt.Sprintf("qmsg_%02d", i)
		_, err := s.QueueMessage(ctx, queued(id, "evt_"+id, "o@example.com", t0.Add(-time.Duration(i)*time.Minute)))
		must(t, err)
	}
	_, err := s.QueueMessage(ctx, queued("qmsg_later", "evt_later", "o@example.com", t0.Add(time.Hour)))
	must(t, err)
	counts := claimAll(t, s, func(ctx context.Context) (string, error) {
		q, err := s.ClaimDueQueuedMessage(ctx, t0)
		if err != nil {
			return "", err
		}
		q.Status, q.Attempts = notification.QueuedSent, q.Attempts+1
		return q.ID, s.UpdateQueuedMessage(ctx, q)
	})
	checkClaimedOnce(t, counts, "qmsg_")
}

// claimAll runs claimers that each claim (and settle) one due item per
// transaction with claim until none is due, and returns how often each
// item was claimed by a committed transaction. Each claimer holds its
// first claim open until every claimer has made one, or for claimHold.
func claimAll(t *testing.T, s notification.Store, claim func(ctx context.Context) (string, error)) map[string]int {
	t.Helper()
	var (
		mu     sync.Mutex
		counts = map[string]int{}
		wg     sync.WaitGroup
		first  sync.WaitGroup
	)
	first.Add(claimers)
	allClaimed := make(chan struct{})
	go func() { first.Wait(); close(allClaimed) }()
	for range claimers {
		wg.Go(func() {
			arrived := false
			arrive := func() {
				if !arrived {
					arrived = true
					first.Done()
				}
			}
			defer arrive() // also when there was nothing left to claim
			for {
				id, err := claimOne(s, claim, func() {
					if !arrived {
						arrive()
						waitOrTimeout(allClaimed, claimHold)
					}
				})
				if errors.Is(err, notification.ErrNotFound) {
					return
				}
				if err != nil {
					t.Errorf("claim: %v", err)
					return
				}
				mu.Lock()
				counts[id]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return counts
}

// claimOne runs claim in a transaction of its own and then, still inside
// it, hold.
func claimOne(s notification.Store, claim func(ctx context.Context) (string, error), hold func()) (string, error) {
	var id string
	err := s.Atomically(context.Background(), func(ctx context.Context) error {
		var err error
		if id, err = claim(ctx); err != nil {
			return err
		}
		hold()
		return nil
	})
	return id, err
}

func waitOrTimeout(c <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-c:
	case <-t.C:
	}
}

// checkClaimedOnce fails unless the dueItems items prefix<NN> were each
// claimed exactly once.
func checkClaimedOnce(t *testing.T, counts map[string]int, prefix string) {
	t.Helper()
	for i := range dueItems {
		id := fmt.Sprintf("%s%02d", prefix, i)
		if n := counts[id]; n != 1 {
			t.Errorf("%s claimed %d times, want once", id, n)
		}
		delete(counts, id)
	}
	for id, n := range counts {
		t.Errorf("%s claimed %d times, want never (not due)", id, n)
	}
}
