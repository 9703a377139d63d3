package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/slotwise/slotwise/internal/event"
	"github.com/slotwise/slotwise/internal/event/catalog"
	"github.com/slotwise/slotwise/internal/eventbus"
)

// eventsCmd is `slotwise events <sub>`.
func eventsCmd(ctx context.Context, e *env, args []string) int {
	return subcommand(ctx, e, "events", args, map[string]func(context.Context, *env, []string) int{
		"tail":   eventsTailCmd,
		"replay": eventsReplayCmd,
	})
}

// tailOptions are the flags of `events tail`.
type tailOptions struct {
	typ, correlationID string
	fromStart, asJSON  bool
	count              int
}

// eventsTailCmd follows the event log until interrupted (or --count events).
func eventsTailCmd(ctx context.Context, e *env, args []string) int {
	var a attach
	var o tailOptions
	fs := newFlagSet(e, "events tail", "events tail [--data-dir D | --nats-url U] [--type T] [--correlation-id C] [--from-start] [--json] [--count N]")
	a.registerNATS(fs)
	fs.Var(eventTypeFlag{&o.typ}, "type", "only events of this `type` (e.g. booking.created) or domain (\"booking.*\")")
	fs.StringVar(&o.correlationID, "correlation-id", "", "only events with this correlation `id`")
	fs.BoolVar(&o.fromStart, "from-start", false, "start at the first event of the log, not the next new one")
	fs.BoolVar(&o.asJSON, "json", false, "print each event's envelope as one line of JSON")
	fs.Var(intFlag{&o.count, 0, math.MaxInt32}, "count", "stop after this `many` events (0: until interrupted)")
	if code, ok := parseFlags(fs, e, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		return usageError(fs, "unexpected argument %q", fs.Arg(0))
	}
	nc, js, err := a.connect()
	if err != nil {
		return fail(e, "events tail", err)
	}
	defer nc.Close()
	if err := tail(ctx, e, js, o); err != nil {
		return fail(e, "events tail", err)
	}
	return 0
}

// tail prints matching events until ctx ends or o.count were printed.
func tail(ctx context.Context, e *env, js jetstream.JetStream, o tailOptions) error {
	cfg := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverNewPolicy}
	if o.fromStart {
		cfg.DeliverPolicy = jetstream.DeliverAllPolicy
	}
	if o.typ != "" {
		cfg.FilterSubjects = []string{event.Subject(o.typ)}
	}
	cons, err := js.OrderedConsumer(ctx, eventbus.EventStream, cfg)
	if err != nil {
		return fmt.Errorf("follow %s: %w", eventbus.EventStream, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("follow %s: %w", eventbus.EventStream, err)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
		case <-done:
		}
		it.Stop()
	}()
	for n := 0; o.count == 0 || n < o.count; {
		msg, err := it.Next()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, jetstream.ErrMsgIteratorClosed) {
				return nil
			}
			return fmt.Errorf("follow %s: %w", eventbus.EventStream, err)
		}
		if printed := printEvent(e, msg, o); printed {
			n++
		}
	}
	return nil
}

// printEvent prints msg when it matches o and reports whether it did.
func printEvent(e *env, msg jetstream.Msg, o tailOptions) bool {
	ev, decodeErr := eventbus.DecodeEnvelope(msg.Data())
	corr := ev.CorrelationID
	if corr == "" {
		corr = msg.Headers().Get(event.HeaderCorrelationID)
	}
	if o.correlationID != "" && corr != o.correlationID {
		return false
	}
	if o.asJSON {
		var b bytes.Buffer
		if json.Compact(&b, msg.Data()) != nil {
			b.Reset()
			enc, _ := json.Marshal(string(msg.Data())) // a string always marshals
			b.Write(enc)
		}
		fmt.Fprintln(e.stdout, b.String())
		return true
	}
	var seq uint64
	if md, err := msg.Metadata(); err == nil {
		seq = md.Sequence.Stream
	}
	if decodeErr != nil {
		fmt.Fprintf(e.stdout, "#%d  %s  (unreadable: %v)\n", seq, msg.Subject(), decodeErr)
		return true
	}
	fmt.Fprintf(e.stdout, "%s  #%d  %s v%s  %s  corr=%s  from=%s  %s\n",
		ev.Timestamp.UTC().Format(time.RFC3339Nano), seq, ev.Type, ev.Version, ev.ID, corr, ev.Source,
		oneLine(string(ev.Data), 160))
	return true
}

// eventTypeFlag is an event type of the catalog, or "<domain>.*".
type eventTypeFlag struct{ p *string }

func (f eventTypeFlag) String() string {
	if f.p == nil {
		return ""
	}
	return *f.p
}

func (f eventTypeFlag) Set(s string) error {
	cat := catalog.Default()
	if domain, ok := strings.CutSuffix(s, ".*"); ok && slices.Contains(cat.Domains(), domain) {
		*f.p = s
		return nil
	}
	if !slices.Contains(cat.Types(), s) {
		return fmt.Errorf("unknown event type %q (known: %s; or a domain such as booking.*)", s, strings.Join(cat.Types(), ", "))
	}
	*f.p = s
	return nil
}
