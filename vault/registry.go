package vault

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ossvault/ossvault/envelope"

	"github.com/ossvault/ossvault/internal/atomicfile"
)

const (
	registryFile    = "vault.json"
	lockFile        = "vault.lock"
	registryVersion = 1
)

// registry is the content of vault.json: every non-secret fact.
type registry struct {
	Version  int             `json:"version"`
	VaultID  string          `json:"vault_id"`
	Home     string          `json:"home"`
	Default  string          `json:"default_key,omitempty"`
	Keys     []keyRecord     `json:"keys"`
	Accounts []accountRecord `json:"accounts"`
	// Signing is this vault's own signing key (signing.go), made on
	// first use.
	Signing *signingRecord `json:"signing,omitempty"`
}

type keyRecord struct {
	Name        string           `json:"name"`
	Kind        Kind             `json:"kind"`
	Fingerprint string           `json:"fingerprint"`
	MatDesc     envelope.MatDesc `json:"matdesc"`
	Created     time.Time        `json:"created"`
	Bits        int              `json:"bits,omitempty"`
	// PublicKey is the PKIX DER public half of an RSA key, so encrypting
	// never needs the keychain.
	PublicKey []byte `json:"public_key,omitempty"`
	// Secret is the keychain entry (under the vault's service) holding the
	// private key or the KMS key's own credentials; empty if none.
	Secret string     `json:"secret,omitempty"`
	KMS    *kmsRecord `json:"kms,omitempty"`
	// SigningKey is a colleague's Ed25519 signing public key (32 bytes),
	// from the second block of their export; Verified says the keys were
	// compared with them ("key verify").
	SigningKey []byte `json:"signing_key,omitempty"`
	Verified   bool   `json:"verified,omitempty"`
}

type kmsRecord struct {
	KeyID    string `json:"key_id"`
	Region   string `json:"region"`
	Endpoint string `json:"endpoint,omitempty"`
	Account  string `json:"account,omitempty"`
}

type accountRecord struct {
	Name        string    `json:"name"`
	Endpoint    string    `json:"endpoint"`
	Region      string    `json:"region,omitempty"`
	AccessKeyID string    `json:"access_key_id"`
	STS         bool      `json:"sts,omitempty"`
	Created     time.Time `json:"created"`
	Secret      string    `json:"secret"`
	// VerifiedOnly is Account.VerifiedOnly; absent in registries written
	// before it existed, which keeps their accounts as they were.
	VerifiedOnly bool `json:"verified_only,omitempty"`
}

func (r *registry) key(name string) (int, *keyRecord) {
	for i := range r.Keys {
		if r.Keys[i].Name == name {
			return i, &r.Keys[i]
		}
	}
	return -1, nil
}

func (r *registry) account(name string) (int, *accountRecord) {
	for i := range r.Accounts {
		if r.Accounts[i].Name == name {
			return i, &r.Accounts[i]
		}
	}
	return -1, nil
}

// readRegistry reads dir's vault.json. A missing file is an empty registry
// with no id yet (ok == false).
func readRegistry(dir string) (r *registry, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, registryFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &registry{Version: registryVersion}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("failed to read the key registry: %w", err)
	}
	r = new(registry)
	if err := json.Unmarshal(b, r); err != nil {
		return nil, false, fmt.Errorf("failed to read the key registry %s: it is damaged (%v)", filepath.Join(dir, registryFile), err)
	}
	if r.Version > registryVersion {
		return nil, false, fmt.Errorf("the key registry %s was written by a newer ossvault (format %d); update ossvault", filepath.Join(dir, registryFile), r.Version)
	}
	if r.VaultID == "" {
		return nil, false, fmt.Errorf("the key registry %s is damaged: it has no vault id", filepath.Join(dir, registryFile))
	}
	return r, true, nil
}

// writeRegistry replaces dir's vault.json atomically: a reader sees the old
// or the new file, never a torn one, even after a crash.
func writeRegistry(dir string, r *registry) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("failed to encode the key registry: %w", err)
	}
	return atomicfile.WriteFile(filepath.Join(dir, registryFile), append(b, '\n'))
}

func newID() string {
	b := make([]byte, 10)
	rand.Read(b)
	return hex.EncodeToString(b)
}
