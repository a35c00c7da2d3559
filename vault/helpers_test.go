package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/ossvault/ossvault/envelope"
)

// The unit tests run on go-keyring's in-memory mock; vault/systemtest runs
// the same paths against the real OS keychain.
func TestMain(m *testing.M) {
	keyring.MockInit()
	backupWorkFactor = 10
	os.Exit(m.Run())
}

// newTestVault opens a vault in a fresh folder, on a keychain that refuses
// what Windows or macOS would refuse.
func newTestVault(t *testing.T, opts ...Option) *Vault {
	t.Helper()
	v, err := Open(filepath.Join(t.TempDir(), "home"), append([]Option{WithKeychain(LimitedKeychain{SystemKeychain{}})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// funcKeychain is a Keychain built from functions, to inject failures.
type funcKeychain struct {
	get func(service, user string) (string, error)
	set func(service, user, secret string) error
	del func(service, user string) error
}

func (k funcKeychain) Get(s, u string) (string, error) { return k.get(s, u) }
func (k funcKeychain) Set(s, u, v string) error        { return k.set(s, u, v) }
func (k funcKeychain) Delete(s, u string) error        { return k.del(s, u) }

// memKeychain is a map-backed Keychain, for tests that need to look inside.
type memKeychain struct {
	mu sync.Mutex
	m  map[[2]string]string
}

func newMemKeychain() *memKeychain { return &memKeychain{m: map[[2]string]string{}} }

func (k *memKeychain) Get(s, u string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[[2]string{s, u}]
	if !ok {
		return "", ErrSecretMissing
	}
	return v, nil
}

func (k *memKeychain) Set(s, u, v string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[[2]string{s, u}] = v
	return nil
}

func (k *memKeychain) Delete(s, u string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[[2]string{s, u}]; !ok {
		return ErrSecretMissing
	}
	delete(k.m, [2]string{s, u})
	return nil
}

func (k *memKeychain) len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.m)
}

// sealFor locks a new object for the named key and returns its envelope,
// as written to and read back from headers.
func sealFor(t *testing.T, v *Vault, name string) (*envelope.Envelope, *envelope.DataKey) {
	t.Helper()
	ctx := context.Background()
	w, err := v.Wrapper(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	e, k, err := envelope.Seal(ctx, w, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	back, err := envelope.ParseMeta(e.Meta())
	if err != nil {
		t.Fatal(err)
	}
	return back, k
}

// mustOpen opens e with the vault's candidate identities and checks the key.
func mustOpen(t *testing.T, v *Vault, e *envelope.Envelope, want *envelope.DataKey) {
	t.Helper()
	ctx := context.Background()
	ids, err := v.Identities(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	k, err := envelope.Open(ctx, e, ids...)
	if err != nil {
		t.Fatalf("open: %v (%d identities)", err, len(ids))
	}
	if want != nil && (k.Key != want.Key || k.IV != want.IV) {
		t.Fatal("opened a different data key")
	}
}

// scanForSecrets fails if any file under dir contains one of the secrets.
func scanForSecrets(t *testing.T, dir string, secrets map[string][]byte) {
	t.Helper()
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for what, s := range secrets {
			if len(s) > 0 && bytes.Contains(b, s) {
				t.Errorf("%s contains the %s", p, what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func b64(b []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(b)) }

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var randReader = rand.Reader

func hexOf(b []byte) string { return hex.EncodeToString(b) }

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
