package money

import "testing"

func TestRoundTrip(t *testing.T) {
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
