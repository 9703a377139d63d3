package authn

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/oklog/ulid/v2"
)

// KeySet holds the token signing keys: one current key that signs, and every
// key (current and retired) that still verifies.
type KeySet struct {
	current string
	private map[string]ed25519.PrivateKey
	link    []byte
}

type keyFile struct {
	Current string    `json:"current"`
	Keys    []keyJSON `json:"keys"`
	// LinkKey is the HMAC key of the links SlotWise sends (see LinkKey);
	// base64 in JSON. Files written before it existed get one on load.
	LinkKey []byte `json:"linkKey,omitempty"`
}

// linkKeySize is the size of the link key: a full SHA-256 block of secret.
const linkKeySize = 32

type keyJSON struct {
	ID      string    `json:"kid"`
	Seed    []byte    `json:"seed"` // ed25519 seed, base64 in JSON
	Created time.Time `json:"created"`
}

// NewKeySet returns a key set with one fresh signing key and a fresh link
// key.
func NewKeySet() (*KeySet, error) {
	ks := &KeySet{private: map[string]ed25519.PrivateKey{}}
	if _, err := ks.Rotate(); err != nil {
		return nil, err
	}
	if err := ks.newLinkKey(); err != nil {
		return nil, err
	}
	return ks, nil
}

func (ks *KeySet) newLinkKey() error {
	ks.link = make([]byte, linkKeySize)
	if _, err := rand.Read(ks.link); err != nil {
		return fmt.Errorf("generate link key: %w", err)
	}
	return nil
}

// LinkKey returns the secret that derives the tokens of links SlotWise
// sends people (a booking's manage link: see package managetoken). It lives
// in the same file as the signing keys because every instance that serves
// or sends such links must share it, exactly like them; unlike them it is
// never rotated, since links already sent must keep working.
func (ks *KeySet) LinkKey() []byte { return ks.link }

// Rotate adds a fresh key and makes it current; older keys keep verifying
// tokens they signed. It returns the new key id.
func (ks *KeySet) Rotate() (string, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return "", fmt.Errorf("generate signing key: %w", err)
	}
	kid := "k_" + ulid.Make().String()
	ks.private[kid] = priv
	ks.current = kid
	return kid, nil
}

// CurrentID returns the id of the signing key.
func (ks *KeySet) CurrentID() string { return ks.current }

func (ks *KeySet) publicKey(kid string) (ed25519.PublicKey, bool) {
	priv, ok := ks.private[kid]
	if !ok {
		return nil, false
	}
	return priv.Public().(ed25519.PublicKey), true
}

// LoadOrCreateKeySet reads the key set at path, creating the file (mode
// 0600) with fresh keys when it does not exist. A file written before link
// keys existed gets one, saved back (slotwise migrate does this once for a
// file several serve instances share).
func LoadOrCreateKeySet(path string) (*KeySet, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		ks, err := NewKeySet()
		if err != nil {
			return nil, err
		}
		return ks, ks.Save(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read signing keys: %w", err)
	}
	var f keyFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("signing keys %s: %w", path, err)
	}
	ks := &KeySet{current: f.Current, private: map[string]ed25519.PrivateKey{}}
	for _, k := range f.Keys {
		if len(k.Seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("signing keys %s: key %s has a bad seed", path, k.ID)
		}
		ks.private[k.ID] = ed25519.NewKeyFromSeed(k.Seed)
	}
	if _, ok := ks.private[ks.current]; !ok {
		return nil, fmt.Errorf("signing keys %s: current key %q missing", path, ks.current)
	}
	switch len(f.LinkKey) {
	case linkKeySize:
		ks.link = f.LinkKey
	case 0:
		if err := ks.newLinkKey(); err != nil {
			return nil, err
		}
		if err := ks.Save(path); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("signing keys %s: link key has %d bytes, want %d", path, len(f.LinkKey), linkKeySize)
	}
	return ks, nil
}

// Save writes the key set to path atomically with mode 0600.
func (ks *KeySet) Save(path string) error {
	f := keyFile{Current: ks.current, LinkKey: ks.link}
	for kid, priv := range ks.private {
		f.Keys = append(f.Keys, keyJSON{ID: kid, Seed: priv.Seed(), Created: time.Now().UTC()})
	}
	raw, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("save signing keys: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("save signing keys: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("save signing keys: %w", err)
	}
	return nil
}
