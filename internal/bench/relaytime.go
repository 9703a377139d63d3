package bench

import (
	"context"
	"sync"
	"time"

	"github.com/slotwise/slotwise/internal/eventbus"
)

// RelayBreakdown says where the relay's time went during a phase, measured
// around the outbox store it calls. A claim is one call of Claim that
// published a batch: "before" is finding a due partition, locking it and
// reading its rows; "publish" sending the batch and awaiting every ack;
// "after" marking the rows and committing. Empty claims found nothing due.
// Busy is the relay-seconds spent inside the store per second of the phase
// (above 1 with several relays).
type RelayBreakdown struct {
	Claims          int     `json:"claims"`
	EventsPerClaim  float64 `json:"events_per_claim"`
	BeforePublishMs float64 `json:"before_publish_ms"`
	PublishMs       float64 `json:"publish_ms"`
	AfterPublishMs  float64 `json:"after_publish_ms"`
	EmptyClaims     int     `json:"empty_claims"`
	EmptyClaimMs    float64 `json:"empty_claim_ms"`
	StatusCalls     int     `json:"status_calls"`
	StatusMs        float64 `json:"status_ms"`
	Busy            float64 `json:"busy"`
}

// timedStore is an OutboxStore that times the relay's calls.
type timedStore struct {
	eventbus.OutboxStore

	mu                     sync.Mutex
	since                  time.Time
	claims, rows, empty    int
	before, publish, after time.Duration
	emptyDur, statusDur    time.Duration
	statusCalls            int
}

func newTimedStore(s eventbus.OutboxStore) *timedStore {
	return &timedStore{OutboxStore: s, since: time.Now()}
}

// Claim times the phases of one claim.
func (s *timedStore) Claim(ctx context.Context, limit int, now time.Time, retryDelay func(int) time.Duration, publish eventbus.PublishFunc) (int, error) {
	t0 := time.Now()
	var t1, t2 time.Time
	n, err := s.OutboxStore.Claim(ctx, limit, now, retryDelay, func(ctx context.Context, recs []eventbus.OutboxRecord) (int, error) {
		t1 = time.Now()
		defer func() { t2 = time.Now() }()
		return publish(ctx, recs)
	})
	t3 := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if t1.IsZero() {
		s.empty++
		s.emptyDur += t3.Sub(t0)
		return n, err
	}
	s.claims++
	s.rows += n
	s.before += t1.Sub(t0)
	s.publish += t2.Sub(t1)
	s.after += t3.Sub(t2)
	return n, err
}

// Status times the relay's gauge query.
func (s *timedStore) Status(ctx context.Context, now time.Time) (eventbus.OutboxStatus, error) {
	t0 := time.Now()
	st, err := s.OutboxStore.Status(ctx, now)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.statusCalls++
	s.statusDur += time.Since(t0)
	return st, err
}

// take returns the breakdown since the last take (or the start) and
// starts anew.
func (s *timedStore) take() RelayBreakdown {
	s.mu.Lock()
	defer s.mu.Unlock()
	span := time.Since(s.since)
	b := RelayBreakdown{Claims: s.claims, EmptyClaims: s.empty, StatusCalls: s.statusCalls}
	if s.claims > 0 {
		c := time.Duration(s.claims)
		b.EventsPerClaim = round3(float64(s.rows) / float64(s.claims))
		b.BeforePublishMs, b.PublishMs, b.AfterPublishMs = ms(s.before/c), ms(s.publish/c), ms(s.after/c)
	}
	if s.empty > 0 {
		b.EmptyClaimMs = ms(s.emptyDur / time.Duration(s.empty))
	}
	if s.statusCalls > 0 {
		b.StatusMs = ms(s.statusDur / time.Duration(s.statusCalls))
	}
	if span > 0 {
		busy := s.before + s.publish + s.after + s.emptyDur + s.statusDur
		b.Busy = round3(float64(busy) / float64(span))
	}
	s.since = time.Now()
	s.claims, s.rows, s.empty, s.statusCalls = 0, 0, 0, 0
	s.before, s.publish, s.after, s.emptyDur, s.statusDur = 0, 0, 0, 0, 0
	return b
}
