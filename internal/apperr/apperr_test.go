package apperr_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/slotwise/slotwise/internal/apperr"
)

func TestStatusAndAs(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"field error is 400", apperr.Field(apperr.Invalid, "email", "is required"), http.StatusBadRequest},
		{"wrapped conflict is 409", fmt.Errorf("create: %w", apperr.New(apperr.Conflict, "taken")), http.StatusConflict},
		{"plain error is 500", errors.New("disk on fire"), http.StatusInternalServerError},
		{"throttled is 429", apperr.New(apperr.TooManyRequests, "slow down"), http.StatusTooManyRequests},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apperr.Status(apperr.As(tt.err).Code); got != tt.status {
				t.Fatalf("status %d, want %d", got, tt.status)
			}
		})
	}
	if apperr.As(errors.New("secret")).Message != "internal error" {
		t.Fatal("an internal error must not leak its cause in Message")
	}
}
