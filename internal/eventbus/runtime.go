package eventbus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/sqldb"
)

// Defaults of RuntimeConfig and RetryPolicy.
const (
	DefaultAttempts      = 3
	DefaultBaseDelay     = time.Second
	DefaultMaxDelay      = 5 * time.Minute
	DefaultAckWait       = 30 * time.Second
	DefaultMaxAckPending = 256
	DefaultLagInterval   = 5 * time.Second
	// DefaultInboxRetention is how long the inbox remembers an event id.
	DefaultInboxRetention = 30 * 24 * time.Hour
	inboxCleanupEvery     = time.Hour
	// pullBuffer is how many messages a consumer buffers client-side; small,
	// so that Stop drains quickly.
	pullBuffer = 32
)

// Subscription is one handler of one service: it becomes the durable
// consumer "<Service>-<Name>" of the event types Types.
type Subscription struct {
	Service string
	Name    string
	Types   []string
	Handler Handler
}

// Durable returns the durable consumer name, "<Service>-<Name>".
func (s Subscription) Durable() string { return s.Service + "-" + s.Name }

// RuntimeConfig configures a Runtime. JS, DB, Inbox and Catalog are
// required; the rest have defaults.
type RuntimeConfig struct {
	JS      jetstream.JetStream
	DB      *sqldb.DB  // the service's own database: the inbox and the handlers' effects
	Inbox   InboxStore // the inbox of DB
	Catalog *catalog.Catalog
	Metrics *Metrics     // default: unregistered metrics
	Logger  *slog.Logger // default: discards
	Retry   RetryPolicy
	// AckWait is how long JetStream waits for an ack before redelivering;
	// a handler's context expires after it (default 30 s).
	AckWait time.Duration
	// MaxAckPending bounds unacknowledged messages per consumer (default 256).
	MaxAckPending int
	// LagInterval is how often the runtime calls ObserveLag (default 5 s).
	LagInterval time.Duration
	// InboxRetention is how long processed event ids are remembered for
	// de-duplication (default 30 days). It must exceed the longest time a
	// duplicate can arrive: the relay's re-publish after a crash, a re-drive.
	InboxRetention time.Duration
	Clock          func() time.Time // default time.Now
}

func (c RuntimeConfig) withDefaults() (RuntimeConfig, error) {
	switch {
	case c.JS == nil:
		return c, errors.New("consumer runtime: no JetStream")
	case c.DB == nil:
		return c, errors.New("consumer runtime: no database")
	case c.Inbox == nil:
		return c, errors.New("consumer runtime: no inbox store")
	case c.Catalog == nil:
		return c, errors.New("consumer runtime: no event catalog")
	}
	if c.Metrics == nil {
		c.Metrics = NewMetrics(nil)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Retry = c.Retry.withDefaults()
	if c.AckWait <= 0 {
		c.AckWait = DefaultAckWait
	}
	if c.MaxAckPending <= 0 {
		c.MaxAckPending = DefaultMaxAckPending
	}
	if c.LagInterval <= 0 {
		c.LagInterval = DefaultLagInterval
	}
	if c.InboxRetention <= 0 {
		c.InboxRetention = DefaultInboxRetention
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	return c, nil
}

// Runtime runs a service's event handlers as durable JetStream consumers:
// one on the event stream per Subscription and one on the DLQ stream for
// events re-driven to it, both through the same middleware chain, with the
// ack / retry / dead-letter decision made in settle.
type Runtime struct {
	cfg RuntimeConfig
	dlq *DLQ

	// base is the parent of every handler context; it is cancelled only
	// when Stop gives up waiting.
	base       context.Context
	cancelBase context.CancelFunc
	inflight   sync.WaitGroup
	stopLag    chan struct{}
	lagDone    chan struct{}

	mu      sync.Mutex
	subs    []*subscriber
	stopped bool
}

// subscriber is a running Subscription.
type subscriber struct {
	sub       Subscription
	durable   string
	chain     Handler
	consumers []jetstream.Consumer // the event-stream consumer, then the re-drive consumer
	running   []jetstream.ConsumeContext
}

// NewRuntime checks cfg and starts the runtime's lag observer.
func NewRuntime(cfg RuntimeConfig) (*Runtime, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	base, cancel := context.WithCancel(context.Background())
	r := &Runtime{
		cfg: cfg, dlq: NewDLQ(cfg.JS),
		base: base, cancelBase: cancel,
		stopLag: make(chan struct{}), lagDone: make(chan struct{}),
	}
	go r.observeLagLoop()
	return r, nil
}

// chain wraps a handler in the middleware, outermost first:
//
//  1. Correlation: puts the correlation id, the trace context and a logger
//     with the event's attributes into ctx, so every later log line (the
//     panic report, the settle decision) carries them.
//  2. Measure: times the attempt and counts failures; it sits outside
//     Recover so a panic is timed and counted like any failed attempt.
//  3. Recover: turns a panic into an error; outside Idempotent so the
//     transaction has been rolled back (sqldb.InTx re-raises) by then.
//  4. Idempotent: the transaction with the inbox row; innermost, so the
//     handler's effects and the inbox row commit or roll back together.
func (r *Runtime) chain(h Handler) Handler {
	return Chain(h,
		Correlation(),
		Measure(r.cfg.Metrics),
		Recover(),
		Idempotent(r.cfg.DB, r.cfg.Inbox, r.cfg.Clock),
	)
}

// Subscribe creates or updates the subscription's durable consumers (on
// the event stream, filtered to its types, and "<durable>-redrive" on the
// DLQ stream) and starts consuming them.
func (r *Runtime) Subscribe(ctx context.Context, sub Subscription) error {
	if err := r.validate(sub); err != nil {
		return err
	}
	s := &subscriber{sub: sub, durable: sub.Durable(), chain: r.chain(sub.Handler)}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stopped {
		return fmt.Errorf("subscribe %s: runtime stopped", s.durable)
	}
	for _, other := range r.subs {
		if other.durable == s.durable {
			return fmt.Errorf("subscribe %s: already subscribed", s.durable)
		}
	}
	if err := r.createConsumers(ctx, s); err != nil {
		return err
	}
	if err := r.start(s); err != nil {
		return err
	}
	r.subs = append(r.subs, s)
	r.initSeries(s)
	return nil
}

// initSeries creates the consumer's metric series at zero, so that they
// show on the first scrape rather than after the first event.
func (r *Runtime) initSeries(s *subscriber) {
	m := r.cfg.Metrics
	m.ConsumerPending.WithLabelValues(s.durable)
	for _, t := range s.sub.Types {
		m.Processing.WithLabelValues(s.durable, t)
		m.Failed.WithLabelValues(s.durable, t)
		m.DeadLettered.WithLabelValues(s.durable, t)
	}
}

func (r *Runtime) validate(sub Subscription) error {
	durable := sub.Durable()
	if sub.Service == "" || sub.Name == "" || !validDurable(durable) {
		return fmt.Errorf("subscribe %q: service and name must be non-empty letters, digits, '-' or '_'", durable)
	}
	if sub.Handler == nil {
		return fmt.Errorf("subscribe %s: no handler", durable)
	}
	if len(sub.Types) == 0 {
		return fmt.Errorf("subscribe %s: no event types", durable)
	}
	for _, t := range sub.Types {
		if _, ok := r.cfg.Catalog.Version(t); !ok {
			return fmt.Errorf("subscribe %s: %w %q", durable, catalog.ErrUnknownType, t)
		}
	}
	return nil
}

func validDurable(name string) bool {
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return name != ""
}

func (r *Runtime) createConsumers(ctx context.Context, s *subscriber) error {
	filters := make([]string, len(s.sub.Types))
	for i, t := range s.sub.Types {
		filters[i] = event.Subject(t)
	}
	configs := []struct {
		stream string
		cfg    jetstream.ConsumerConfig
	}{
		{EventStream, r.consumerConfig(s.durable, filters)},
		{DLQStream, r.consumerConfig(s.durable+"-redrive", []string{RedriveSubject(s.durable)})},
	}
	for _, c := range configs {
		cons, err := r.cfg.JS.CreateOrUpdateConsumer(ctx, c.stream, c.cfg)
		if err != nil {
			return fmt.Errorf("subscribe %s: consumer %s on %s: %w", s.durable, c.cfg.Durable, c.stream, err)
		}
		s.consumers = append(s.consumers, cons)
	}
	return nil
}

// consumerConfig: explicit acks and unlimited deliveries — the runtime
// dead-letters after the last attempt itself, so a crash during that
// attempt redelivers the event instead of losing it.
func (r *Runtime) consumerConfig(durable string, filters []string) jetstream.ConsumerConfig {
	return jetstream.ConsumerConfig{
		Durable:        durable,
		Description:    "SlotWise event handler " + durable,
		FilterSubjects: filters,
		DeliverPolicy:  jetstream.DeliverAllPolicy,
		AckPolicy:      jetstream.AckExplicitPolicy,
		AckWait:        r.cfg.AckWait,
		MaxDeliver:     -1,
		MaxAckPending:  r.cfg.MaxAckPending,
	}
}

func (r *Runtime) start(s *subscriber) error {
	for i, cons := range s.consumers {
		redrive := i == 1
		cc, err := cons.Consume(
			func(msg jetstream.Msg) { r.handle(s, msg, redrive) },
			jetstream.PullMaxMessages(pullBuffer),
			jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
				r.cfg.Logger.Warn("consume", "consumer", s.durable, "redrive", redrive, "error", err)
			}),
		)
		if err != nil {
			for _, c := range s.running {
				c.Stop()
			}
			return fmt.Errorf("subscribe %s: consume: %w", s.durable, err)
		}
		s.running = append(s.running, cc)
	}
	return nil
}

// Consumers returns the durable names of the subscriptions, in the order
// they were made.
func (r *Runtime) Consumers() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, len(r.subs))
	for i, s := range r.subs {
		out[i] = s.durable
	}
	return out
}

// Stop stops fetching and waits, bounded by ctx, for the handlers in flight
// (and the messages already buffered) to finish and be acknowledged. When
// ctx ends first, it cancels the handlers' contexts and returns ctx's
// error; unacknowledged events are redelivered after AckWait.
func (r *Runtime) Stop(ctx context.Context) error {
	r.mu.Lock()
	if r.stopped {
		r.mu.Unlock()
		return nil
	}
	r.stopped = true
	var running []jetstream.ConsumeContext
	for _, s := range r.subs {
		running = append(running, s.running...)
	}
	r.mu.Unlock()

	close(r.stopLag)
	for _, cc := range running {
		cc.Drain()
	}
	drained := make(chan struct{})
	go func() {
		for _, cc := range running {
			<-cc.Closed()
		}
		r.inflight.Wait()
		close(drained)
	}()
	defer r.cancelBase()
	select {
	case <-drained:
		<-r.lagDone
		return nil
	case <-ctx.Done():
		for _, cc := range running {
			cc.Stop()
		}
		return fmt.Errorf("stop consumers: %w", ctx.Err())
	}
}

func (r *Runtime) observeLagLoop() {
	defer close(r.lagDone)
	t := time.NewTicker(r.cfg.LagInterval)
	defer t.Stop()
	cleanup := time.NewTicker(inboxCleanupEvery)
	defer cleanup.Stop()
	for {
		select {
		case <-r.stopLag:
			return
		case <-cleanup.C:
			r.forgetOldInbox()
		case <-t.C:
			ctx, cancel := context.WithTimeout(r.base, r.cfg.LagInterval)
			if err := r.ObserveLag(ctx); err != nil {
				r.cfg.Logger.Warn("observe consumer lag", "error", err)
			}
			cancel()
		}
	}
}

// forgetOldInbox deletes inbox records older than InboxRetention.
func (r *Runtime) forgetOldInbox() {
	ctx, cancel := context.WithTimeout(r.base, time.Minute)
	defer cancel()
	n, err := r.cfg.Inbox.DeleteBefore(ctx, r.cfg.Clock().Add(-r.cfg.InboxRetention))
	if err != nil {
		r.cfg.Logger.Warn("inbox retention", "error", err)
		return
	}
	if n > 0 {
		r.cfg.Logger.Debug("inbox retention", "deleted", n)
	}
}

// ObserveLag sets Metrics.ConsumerPending for every subscription (messages
// not yet delivered to its consumer and its re-drive consumer) and
// Metrics.DLQMessages (dead-lettered events waiting in the DLQ). The
// runtime calls it every LagInterval.
func (r *Runtime) ObserveLag(ctx context.Context) error {
	r.mu.Lock()
	subs := append([]*subscriber(nil), r.subs...)
	r.mu.Unlock()
	var errs []error
	for _, s := range subs {
		var pending uint64
		for _, c := range s.consumers {
			info, err := c.Info(ctx)
			if err != nil {
				errs = append(errs, fmt.Errorf("consumer %s info: %w", s.durable, err))
				continue
			}
			pending += info.NumPending
		}
		r.cfg.Metrics.ConsumerPending.WithLabelValues(s.durable).Set(float64(pending))
	}
	n, err := r.dlq.Count(ctx)
	if err != nil {
		errs = append(errs, err)
	} else {
		r.cfg.Metrics.DLQMessages.Set(float64(n))
	}
	return errors.Join(errs...)
}
