-- +goose Up
-- Declined attempts leave a payment payable; a closed booking cancels its
-- unpaid payment; the hosted checkout page opened last (mirrors
-- sqlite's 00002).
ALTER TABLE payments ADD COLUMN checkout_ref TEXT NOT NULL DEFAULT '';
-- Unpaid payments of bookings already over (a decline used to cancel the
-- booking and leave its payment failed) are canceled; any other failed
-- one waits for another attempt.
UPDATE payments SET status = 'canceled'
    WHERE status IN ('requires_payment', 'failed')
      AND booking_id IN (SELECT id FROM payment_bookings WHERE state <> 'open');
UPDATE payments SET status = 'requires_payment' WHERE status = 'failed';

-- +goose Down
UPDATE payments SET status = 'failed' WHERE status = 'canceled';
ALTER TABLE payments DROP COLUMN checkout_ref;
