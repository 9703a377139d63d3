package notification

import (
	"context"
	"errors"

	"github.com/slotwise/slotwise/internal/event"
)

// SendQueued sends every queued message due now (by the service's clock)
// and returns how many it handled. Each is claimed with FOR UPDATE SKIP
// LOCKED in the transaction that sends it, records its delivery (its
// ledger key is the queued message's id) and marks it sent, so several
// instances send each once. A failed send is retried on the reminders'
// schedule (Options.ReminderRetry) and the message is marked failed after
// the last attempt.
func (s *Service) SendQueued(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		err := s.sendOneQueued(ctx)
		var failed retryError
		switch {
		case errors.Is(err, errNoneDue):
			return n, nil
		case errors.As(err, &failed):
			s.opts.Logger.Warn("queued message not sent", "queued_id", failed.id, "err", failed.err)
		case err != nil:
			return n, err
		}
		n++
	}
	return n, ctx.Err()
}

func (s *Service) sendOneQueued(ctx context.Context) error {
	var claimed QueuedMessage
	var sendErr error
	err := s.store.Atomically(ctx, func(ctx context.Context) error {
		q, err := s.store.ClaimDueQueuedMessage(ctx, s.now())
		if errors.Is(err, ErrNotFound) {
			return errNoneDue
		}
		if err != nil {
			return err
		}
		claimed = q
		o := outgoing{
			key:         DeliveryKey{SourceID: q.ID, Channel: s.sender.Channel(), Recipient: q.Message.To},
			recipientID: q.RecipientID, kind: q.Kind, msg: q.Message, attempt: q.Attempts + 1,
			final: q.Attempts+1 >= s.opts.ReminderRetry.Attempts, correlation: q.Correlation,
		}
		if sendErr = s.deliver(event.WithCorrelationID(ctx, q.Correlation), o); sendErr != nil {
			return sendErr
		}
		q.Status, q.Attempts, q.LastError = QueuedSent, q.Attempts+1, ""
		return s.store.UpdateQueuedMessage(ctx, q)
	})
	if sendErr == nil {
		return err
	}
	return s.queuedFailed(ctx, claimed, sendErr)
}

// queuedFailed records a failed attempt in a transaction of its own: the
// message is due again after the backoff, or failed after the last
// attempt.
func (s *Service) queuedFailed(ctx context.Context, q QueuedMessage, cause error) error {
	q.Attempts++
	q.LastError = cause.Error()
	if q.Attempts >= s.opts.ReminderRetry.Attempts {
		q.Status = QueuedFailed
	} else {
		q.DueAt = s.now().Add(s.opts.ReminderRetry.Delay(q.Attempts))
	}
	if err := s.store.Atomically(ctx, func(ctx context.Context) error { return s.store.UpdateQueuedMessage(ctx, q) }); err != nil {
		return errors.Join(cause, err)
	}
	return retryError{id: q.ID, err: cause}
}

// QueuedMessages lists the queue of a recipient ("" for all).
func (s *Service) QueuedMessages(ctx context.Context, recipientID string) ([]QueuedMessage, error) {
	return s.store.QueuedMessages(ctx, recipientID)
}
