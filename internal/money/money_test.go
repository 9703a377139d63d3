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

func TestFromFloat(t *testing.T) {
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
		got, err := FromFloat(tt.major, tt.code)
		if !errors.Is(err, tt.err) || (tt.err == nil && got != tt.want) {
			t.Errorf("FromFloat(%v, %s) = %d, %v; want %d, %v", tt.major, tt.code, got, err, tt.want, tt.err)
		}
	}
}

func TestFormatAndFloatOfEventAmounts(t *testing.T) {
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
		if got := Float(tt.minor, tt.code); got != tt.major {
			t.Errorf("Float(%d, %s) = %v, want %v", tt.minor, tt.code, got, tt.major)
		}
		back, err := FromFloat(tt.major, tt.code)
		if err != nil || back != tt.minor {
			t.Errorf("round trip %d %s = %d, %v", tt.minor, tt.code, back, err)
		}
	}
}

func TestFromFloatRoundTrip(t *testing.T) {
	tests := []struct {
		amount float64
		code   string
		minor  int64
		text   string
	}{
		{150, "USD", 15000, "150.00"},
		{49.9, "EUR", 4990, "49.90"},
		{0.1 + 0.2, "EUR", 30, "0.30"},
		{1000, "JPY", 1000, "1000"},
		{1.234, "BHD", 1234, "1.234"},
		{0, "EUR", 0, "0.00"},
	}
	for _, tt := range tests {
		got, err := FromFloat(tt.amount, tt.code)
		if err != nil || got != tt.minor {
			t.Errorf("FromFloat(%v, %s) = %d, %v; want %d", tt.amount, tt.code, got, err, tt.minor)
		}
		if s := Format(tt.minor, tt.code); s != tt.text {
			t.Errorf("Format(%d, %s) = %q, want %q", tt.minor, tt.code, s, tt.text)
		}
	}
	if _, err := FromFloat(1, "eur"); err == nil {
		t.Error("lower-case code accepted")
	}
	if _, err := FromFloat(-1, "EUR"); err == nil {
		t.Error("negative amount accepted")
	}
}
