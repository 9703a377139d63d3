package app

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreValid(t *testing.T) {
	c := Defaults()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.NATSSync != NATSSyncAlways {
		t.Errorf("default nats sync = %q, want %q (nothing acknowledged may be lost)", c.NATSSync, NATSSyncAlways)
	}
	if got := c.DatabaseURL("scheduling"); got != "sqlite:data/scheduling.db" {
		t.Errorf("default scheduling database = %q", got)
	}
}

func TestValidateNamesTheBadSetting(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"http without port", func(c *Config) { c.HTTPAddr = "localhost" }, "http:"},
		{"http bad port", func(c *Config) { c.HTTPAddr = "127.0.0.1:99999" }, "http:"},
		{"nats listen", func(c *Config) { c.NATSListen = "nowhere" }, "nats-listen:"},
		{"nats monitor", func(c *Config) { c.NATSMonitor = ":x" }, "nats-monitor:"},
		{"sync word", func(c *Config) { c.NATSSync = "sometimes" }, "nats-sync:"},
		{"sync zero", func(c *Config) { c.NATSSync = "0s" }, "nats-sync:"},
		{"unknown service", func(c *Config) { c.Services = []string{"billing"} }, "services:"},
		{"twice", func(c *Config) { c.Services = []string{"auth", "auth"} }, "services:"},
		{"no services", func(c *Config) { c.Services = nil }, "services:"},
		{"db for unknown service", func(c *Config) { c.DatabaseURLs = map[string]string{"x": "sqlite:a.db"} }, "database-url:"},
		{"db engine", func(c *Config) { c.DatabaseURLs = map[string]string{"auth": "mysql://x"} }, "database-url auth:"},
		{"ack wait", func(c *Config) { c.AckWait = 0 }, "ack-wait:"},
		{"retry order", func(c *Config) { c.RetryMaxDelay = time.Millisecond }, "retry-max-delay:"},
		{"attempts", func(c *Config) { c.RetryAttempts = 0 }, "retry-attempts:"},
		{"batch", func(c *Config) { c.RelayBatch = 101 }, "relay-batch:"},
		{"log level", func(c *Config) { c.LogLevel = "loud" }, "log-level:"},
		{"log format", func(c *Config) { c.LogFormat = "xml" }, "log-format:"},
		{"data dir", func(c *Config) { c.DataDir = "" }, "data-dir:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Defaults()
			tt.change(&c)
			err := c.Validate()
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Validate() = %v, want an error starting %q", err, tt.want)
			}
		})
	}
}

func TestParseSync(t *testing.T) {
	always, _, err := ParseSync("always")
	if err != nil || !always {
		t.Errorf("always: %v %v", always, err)
	}
	always, d, err := ParseSync("2m")
	if err != nil || always || d != 2*time.Minute {
		t.Errorf("2m: %v %v %v", always, d, err)
	}
}
