package money

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, cur string
		want    int64
		err     error
	}{
		{"150", "EUR", 15000, nil},
		{"150.00", "EUR", 15000, nil},
		{"150.5", "EUR", 15050, nil},
		{"0.01", "EUR", 1, nil},
		{"0", "EUR", 0, nil},
		{"-0", "EUR", 0, nil},
		{"1.5e2", "EUR", 15000, nil},
		{"1.2345e2", "EUR", 12345, nil},
		{"1e-2", "EUR", 1, nil},
		{"1000", "JPY", 1000, nil},
		{"1000.0", "JPY", 1000, nil},
		{"1.234", "BHD", 1234, nil},
		{"0.10", "USD", 10, nil},
		{"19.999", "EUR", 0, ErrTooManyDecimals},
		{"1e-3", "EUR", 0, ErrTooManyDecimals},
		{"1000.5", "JPY", 0, ErrTooManyDecimals},
		{"-1", "EUR", 0, ErrNegative},
		{"-0.01", "EUR", 0, ErrNegative},
		{"1", "XXX1", 0, ErrUnknownCurrency},
		{"1", "eur", 0, ErrUnknownCurrency},
		{"1", "ABC", 0, ErrUnknownCurrency},
		{"1e20", "EUR", 0, ErrTooLarge},
		{"10000000000000.01", "EUR", 0, ErrTooLarge},
		{"abc", "EUR", 0, ErrNotANumber},
		{".5", "EUR", 0, ErrNotANumber},
	}
	for _, tt := range tests {
		t.Run(tt.in+"_"+tt.cur, func(t *testing.T) {
			got, err := Parse(tt.in, tt.cur)
			if !errors.Is(err, tt.err) || (tt.err == nil && got != tt.want) {
				t.Fatalf("Parse(%q, %s) = %d, %v; want %d, %v", tt.in, tt.cur, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		minor int64
		cur   string
		want  string
	}{
		{15000, "EUR", "150.00"}, {1, "EUR", "0.01"}, {0, "EUR", "0.00"},
		{1000, "JPY", "1000"}, {1234, "BHD", "1.234"}, {5, "BHD", "0.005"},
	}
	for _, tt := range tests {
		if got := Format(tt.minor, tt.cur); got != tt.want {
			t.Errorf("Format(%d, %s) = %q, want %q", tt.minor, tt.cur, got, tt.want)
		}
		back, err := Parse(tt.want, tt.cur)
		if err != nil || back != tt.minor {
			t.Errorf("Parse(Format(%d)) = %d, %v", tt.minor, back, err)
		}
	}
	if f := Float(15050, "EUR"); f != 150.5 {
		t.Errorf("Float = %v", f)
	}
}
