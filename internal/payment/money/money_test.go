package money

import (
	"errors"
	"testing"
)

func TestFromMajor(t *testing.T) {
	tests := []struct {
		major float64
		code  string
		want  int64
		err   error
	}{
		{150, "USD", 15000, nil},
		{150.5, "EUR", 15050, nil},
		{0.001, "USD", 0, ErrInvalidAmount},
		{19.99, "USD", 1999, nil},
		{1500, "JPY", 1500, nil},
		{1500.5, "JPY", 0, ErrInvalidAmount},
		{1.234, "BHD", 1234, nil},
		{0, "USD", 0, nil},
		{-1, "USD", 0, ErrInvalidAmount},
		{1e17, "USD", 0, ErrInvalidAmount},
		{10, "usd", 0, ErrUnknownCurrency},
		{10, "XYZ", 0, ErrUnknownCurrency},
	}
	for _, tt := range tests {
		got, err := FromMajor(tt.major, tt.code)
		if !errors.Is(err, tt.err) || (tt.err == nil && got != tt.want) {
			t.Errorf("FromMajor(%v, %s) = %d, %v; want %d, %v", tt.major, tt.code, got, err, tt.want, tt.err)
		}
	}
}

func TestFormatAndToMajor(t *testing.T) {
	tests := []struct {
		minor int64
		code  string
		text  string
		major float64
	}{
		{15000, "USD", "150.00", 150},
		{5, "EUR", "0.05", 0.05},
		{1500, "JPY", "1500", 1500},
		{1234, "BHD", "1.234", 1.234},
	}
	for _, tt := range tests {
		if got := Format(tt.minor, tt.code); got != tt.text {
			t.Errorf("Format(%d, %s) = %q, want %q", tt.minor, tt.code, got, tt.text)
		}
		if got := ToMajor(tt.minor, tt.code); got != tt.major {
			t.Errorf("ToMajor(%d, %s) = %v, want %v", tt.minor, tt.code, got, tt.major)
		}
		back, err := FromMajor(tt.major, tt.code)
		if err != nil || back != tt.minor {
			t.Errorf("round trip %d %s = %d, %v", tt.minor, tt.code, back, err)
		}
	}
}
