package notification

import (
	"context"
	"errors"
)

// queueOwnerNotice renders kind about b for the business's owner and
// queues it (see QueuedMessage): the event's handler writes to the client
// itself, so the owner's message goes out in a transaction of its own.
// The owner reads times in their zone (else the business's); replies go
// to the client. Nothing is queued when the owner is unknown or deleted.
func (s *Service) queueOwnerNotice(ctx context.Context, c call, b Booking, kind string, tweak func(*View)) error {
	a, err := s.about(ctx, b)
	if err != nil || a.owner.Email == "" {
		return err
	}
	client, err := s.clientOf(ctx, b)
	if err != nil {
		return err
	}
	v := a.view(a.owner.Name(), Zone(a.owner.TimeZone, a.biz.TimeZone))
	v.ForOwner, v.DashboardURL = true, s.opts.Links.OwnerBooking(b.ID)
	v.ClientName, v.ClientEmail, v.Note = client.Name(), client.Email, b.Note
	if v.ClientName == "" {
		v.ClientName = "A client"
	}
	if tweak != nil {
		tweak(&v)
	}
	env := envelope{replyTo: client.Email, replyToName: displayName(client.Name())}
	q := QueuedMessage{
		ID: newID("qmsg_"), SourceID: c.ev.ID, Kind: kind, RecipientID: a.owner.ID, Correlation: c.ev.CorrelationID,
		DueAt: s.now(), Status: QueuedWaiting, CreatedAt: s.now(),
	}
	if err := s.render(&q.Message, a.owner, kind, v, nil, env); err != nil {
		return err
	}
	_, err = s.store.QueueMessage(ctx, q)
	return err
}

// clientOf returns the client of b as far as known: the guest's details,
// the registered user, or nobody (a zero Recipient) when the user is
// deleted or not projected.
func (s *Service) clientOf(ctx context.Context, b Booking) (Recipient, error) {
	r, ok, err := s.bookingRecipient(ctx, b)
	if errors.Is(err, ErrRecipientUnknown) || (err == nil && !ok) {
		return Recipient{}, nil
	}
	return r, err
}
