// Package catalog holds the JSON Schema of every SlotWise event type and
// version, embedded in the binary, and validates envelopes against them: on
// publish (the outbox refuses an invalid event) and on consume (an invalid
// event goes to the dead letter queue).
//
// Schemas live in schemas/<type>/<major>.<minor>.json. The versioning rule is
// in docs/event-versioning.md.
package catalog

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/slotwise/slotwise/internal/event"
)

//go:embed schemas
var schemaFS embed.FS

// Errors returned by Validate; match them with errors.Is.
var (
	ErrUnknownType    = errors.New("unknown event type")
	ErrUnknownVersion = errors.New("unknown event version")
	ErrInvalid        = errors.New("event does not match its schema")
)

// Catalog is the set of known event types and versions.
type Catalog struct {
	schemas map[key]*jsonschema.Schema
	latest  map[string]string // type -> newest version
}

type key struct{ typ, version string }

var (
	defaultOnce sync.Once
	defaultCat  *Catalog
	defaultErr  error
)

// Default returns the catalog of the embedded schemas. It panics only if an
// embedded schema does not compile, which the package's tests rule out.
func Default() *Catalog {
	defaultOnce.Do(func() { defaultCat, defaultErr = Load(schemaFS) })
	if defaultErr != nil {
		panic(defaultErr)
	}
	return defaultCat
}

// Load compiles every schemas/<type>/<version>.json in fsys.
func Load(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{schemas: map[key]*jsonschema.Schema{}, latest: map[string]string{}}
	comp := jsonschema.NewCompiler()
	comp.AssertFormat() // enforce "date-time", "date", "email"
	var files []string
	err := fs.WalkDir(fsys, "schemas", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	for _, p := range files {
		raw, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", p, err)
		}
		if err := checkNames(p, doc); err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", p, err)
		}
		if err := comp.AddResource(p, doc); err != nil {
			return nil, fmt.Errorf("catalog: %s: %w", p, err)
		}
	}
	for _, p := range files {
		s, err := comp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("catalog: compile %s: %w", p, err)
		}
		typ := path.Base(path.Dir(p))
		version := strings.TrimSuffix(path.Base(p), ".json")
		c.schemas[key{typ, version}] = s
		if cur, ok := c.latest[typ]; !ok || versionLess(cur, version) {
			c.latest[typ] = version
		}
	}
	return c, nil
}

// Types returns the known event types, sorted.
func (c *Catalog) Types() []string {
	out := make([]string, 0, len(c.latest))
	for t := range c.latest {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Version returns the newest version of an event type, the one publishers
// write.
func (c *Catalog) Version(eventType string) (string, bool) {
	v, ok := c.latest[eventType]
	return v, ok
}

// Domains returns the first tokens of the known event types except the
// dead letter queue's ("user", "booking", …), sorted. The event-log stream
// takes the subjects slotwise.<domain>.> of these.
func (c *Catalog) Domains() []string {
	seen := map[string]bool{}
	var out []string
	for t := range c.latest {
		d, _, _ := strings.Cut(t, ".")
		if d == "dlq" || seen[d] {
			continue
		}
		seen[d] = true
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// Validate checks a whole envelope — the envelope fields and the data of its
// type and version — against the catalog. The error wraps ErrUnknownType,
// ErrUnknownVersion or ErrInvalid and names the offending field by its JSON
// pointer.
func (c *Catalog) Validate(e event.Envelope) error {
	doc, ok := envelopeDoc(e)
	if !ok {
		return c.validateMarshalled(e)
	}
	s, err := c.schema(e.Type, e.Version)
	if err != nil {
		return err
	}
	return validateDoc(s, e.Type, e.Version, doc)
}

// validateMarshalled validates e by way of its JSON encoding: the path for
// envelopes envelopeDoc cannot turn into a document directly, so that their
// errors are exactly those of ValidateJSON.
func (c *Catalog) validateMarshalled(e event.Envelope) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return c.ValidateJSON(raw)
}

// envelopeDoc returns the document json.Marshal(e) would decode to —
// without encoding the envelope and decoding it again, only its data —
// or false when e has something (invalid UTF-8, a time JSON cannot hold,
// data that is not JSON) that only the encoding path reports faithfully.
func envelopeDoc(e event.Envelope) (map[string]any, bool) {
	for _, s := range []string{e.ID, e.Type, e.Version, e.Source, e.CorrelationID} {
		if !utf8.ValidString(s) {
			return nil, false
		}
	}
	ts, err := e.Timestamp.MarshalJSON()
	if err != nil || len(ts) < 2 {
		return nil, false
	}
	var data any
	if len(e.Data) > 0 {
		if data, err = jsonschema.UnmarshalJSON(bytes.NewReader(e.Data)); err != nil {
			return nil, false
		}
	}
	doc := map[string]any{
		"id": e.ID, "type": e.Type, "timestamp": string(ts[1 : len(ts)-1]), "version": e.Version,
		"source": e.Source, "data": data,
	}
	if e.CorrelationID != "" {
		doc["correlationId"] = e.CorrelationID
	}
	return doc, true
}

// schema returns the compiled schema of a type and version.
func (c *Catalog) schema(typ, version string) (*jsonschema.Schema, error) {
	if _, ok := c.latest[typ]; !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, typ)
	}
	s, ok := c.schemas[key{typ, version}]
	if !ok {
		return nil, fmt.Errorf("%w %q of %s", ErrUnknownVersion, version, typ)
	}
	return s, nil
}

// validateDoc validates a decoded envelope against s.
func validateDoc(s *jsonschema.Schema, typ, version string, doc any) error {
	if err := s.Validate(doc); err != nil {
		return fmt.Errorf("%w: %s %s: %s", ErrInvalid, typ, version, describe(err))
	}
	return nil
}

// ValidateJSON validates a raw JSON envelope (as received off the wire).
func (c *Catalog) ValidateJSON(raw []byte) error {
	var head struct {
		Type    string `json:"type"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return fmt.Errorf("%w: not a JSON envelope: %v", ErrInvalid, err)
	}
	s, err := c.schema(head.Type, head.Version)
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return validateDoc(s, head.Type, head.Version, doc)
}

// printer formats schema errors in English.
var printer = message.NewPrinter(language.English)

// describe turns a validation error into one line naming each failing field
// by its JSON pointer, e.g. "/data/bookingId: missing property".
func describe(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var parts []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			loc := "/" + strings.Join(e.InstanceLocation, "/")
			parts = append(parts, fmt.Sprintf("%s: %s", loc, e.ErrorKind.LocalizedString(printer)))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return strings.Join(parts, "; ")
}

// checkNames makes sure a schema file's path and its content agree: the file
// schemas/<type>/<major>.<minor>.json must pin "type" to <type> and "version"
// to <major>.<minor>, so a copied schema cannot validate the wrong type.
func checkNames(p string, doc any) error {
	typ := path.Base(path.Dir(p))
	version := strings.TrimSuffix(path.Base(p), ".json")
	if !validVersion(version) {
		return fmt.Errorf("file name %q is not <major>.<minor>.json", path.Base(p))
	}
	constOf := func(prop string) any {
		m, _ := doc.(map[string]any)
		props, _ := m["properties"].(map[string]any)
		pm, _ := props[prop].(map[string]any)
		return pm["const"]
	}
	if got := constOf("type"); got != typ {
		return fmt.Errorf("properties.type.const is %v, want %q (the directory name)", got, typ)
	}
	if got := constOf("version"); got != version {
		return fmt.Errorf("properties.version.const is %v, want %q (the file name)", got, version)
	}
	return nil
}

// validVersion reports whether v is "<major>.<minor>" in decimal digits.
func validVersion(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	return ok && digits(major) && digits(minor)
}

func digits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// versionLess compares "major.minor" versions numerically.
func versionLess(a, b string) bool {
	am, an := splitVersion(a)
	bm, bn := splitVersion(b)
	if am != bm {
		return am < bm
	}
	return an < bn
}

func splitVersion(v string) (major, minor int) {
	_, _ = fmt.Sscanf(v, "%d.%d", &major, &minor)
	return major, minor
}
