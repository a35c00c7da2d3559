package vault

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"crypto/rand"
)

// Vault is one OSSVAULT_HOME's keys and accounts. It is safe for concurrent
// use, and several processes may use the same home at once: every change
// re-reads vault.json under a file lock.
type Vault struct {
	home   string
	kc     Keychain
	getenv func(string) string
	newKMS KMSFactory
	rand   io.Reader
	now    func() time.Time
	// onRemove runs after Remove (WithKeyRemoved).
	onRemove []func(*Vault, Key) error

	mu     sync.Mutex // serialises this process's changes; the file lock serialises processes
	lastMu sync.Mutex
	last   *registry // last registry read, for the reading methods that cannot fail

	// keys are the private keys read lately (keycache.go).
	keys privateKeys
}

// Option configures Open.
type Option func(*Vault)

// WithKeychain replaces the OS keychain, e.g. with LimitedKeychain in tests.
func WithKeychain(k Keychain) Option { return func(v *Vault) { v.kc = k } }

// WithGetenv sets where KMS credentials are looked up when neither the key
// nor its account holds any (default os.Getenv).
func WithGetenv(getenv func(string) string) Option { return func(v *Vault) { v.getenv = getenv } }

// WithKMSFactory replaces how KMS clients are made (default: vault/kms).
func WithKMSFactory(f KMSFactory) Option { return func(v *Vault) { v.newKMS = f } }

// WithRand sets the randomness for key generation (default crypto/rand).
func WithRand(r io.Reader) Option { return func(v *Vault) { v.rand = r } }

// Open opens the vault in home, creating the folder (mode 0700) if needed.
// It does not touch the keychain unless the home was copied or moved (see the
// package documentation).
func Open(home string, opts ...Option) (*Vault, error) {
	if home == "" {
		return nil, errors.New("failed to open the key vault: no home folder given")
	}
	abs, err := filepath.Abs(home)
	if err != nil {
		return nil, fmt.Errorf("failed to open the key vault in %s: %w", home, err)
	}
	v := &Vault{
		home:   abs,
		kc:     SystemKeychain{},
		getenv: os.Getenv,
		rand:   rand.Reader,
		now:    time.Now,
	}
	v.newKMS = v.defaultKMS
	for _, o := range opts {
		o(v)
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return nil, fmt.Errorf("failed to create the settings folder %s: %w", abs, err)
	}
	r, ok, err := readRegistry(abs)
	if err != nil {
		return nil, err
	}
	v.last = r
	if ok && r.Home != abs {
		// Copied or moved: settle which one it is now rather than on the
		// first change (see adopt).
		if err := v.update(func(*registry) error { return nil }); err != nil && !errors.Is(err, ErrKeychainUnavailable) {
			return nil, err
		}
	}
	return v, nil
}

// Home returns the vault's folder.
func (v *Vault) Home() string { return v.home }

// snapshot returns the current registry. vault.json is replaced atomically,
// so reading it without the lock sees a whole version.
func (v *Vault) snapshot() *registry {
	r, _, err := readRegistry(v.home)
	v.lastMu.Lock()
	defer v.lastMu.Unlock()
	if err == nil {
		v.last = r
	}
	return v.last
}

// update applies fn to the current registry under the lock and saves the
// result. fn may write to the keychain through v.secrets(r). If fn fails,
// nothing is saved.
func (v *Vault) update(fn func(r *registry) error) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	lf, err := os.OpenFile(filepath.Join(v.home, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("failed to lock the key registry: %w", err)
	}
	defer lf.Close()
	if err := lockFileExclusive(lf); err != nil {
		return fmt.Errorf("failed to lock the key registry: %w", err)
	}
	defer unlockFile(lf)

	r, ok, err := readRegistry(v.home)
	if err != nil {
		return err
	}
	if !ok {
		r.VaultID = newID()
		r.Home = v.home
	}
	if r.Home != v.home {
		if err := v.adopt(r); err != nil {
			return err
		}
	}
	if err := fn(r); err != nil {
		return err
	}
	if err := writeRegistry(v.home, r); err != nil {
		return err
	}
	v.lastMu.Lock()
	v.last = r
	v.lastMu.Unlock()
	return nil
}

// adopt handles a vault.json that names another folder as its home. If that
// folder still holds a vault with the same id, this one is a copy: it gets a
// new id and its own copies of the secrets, so the two never share keychain
// entries. Otherwise the folder was moved or renamed and keeps its entries.
func (v *Vault) adopt(r *registry) error {
	if sameDir(r.Home, v.home) {
		// The same folder by another path (a symbolic link, another
		// spelling): not a copy.
		r.Home = v.home
		return nil
	}
	orig, ok, err := readRegistry(r.Home)
	if err != nil || !ok || orig.VaultID != r.VaultID {
		r.Home = v.home
		return nil
	}
	from := v.secretsFor(r.VaultID)
	to := v.secretsFor(newID())
	var refs []string
	for _, k := range r.Keys {
		if k.Secret != "" {
			refs = append(refs, k.Secret)
		}
	}
	for _, a := range r.Accounts {
		if a.Secret != "" {
			refs = append(refs, a.Secret)
		}
	}
	if r.Signing != nil {
		refs = append(refs, r.Signing.Secret)
	}
	var copied []string
	for _, ref := range refs {
		s, err := from.get(ref)
		if errors.Is(err, ErrSecretMissing) {
			continue // nothing to copy; using the key will say so
		}
		if err == nil {
			err = to.put(ref, s)
		}
		if err != nil {
			for _, c := range copied {
				_ = to.delete(c)
			}
			return fmt.Errorf("failed to give the copied settings folder %s its own keychain entries: %w", v.home, err)
		}
		copied = append(copied, ref)
	}
	r.VaultID = to.service[len(servicePrefix):]
	r.Home = v.home
	return nil
}

func sameDir(a, b string) bool {
	ia, err := os.Stat(a)
	if err != nil {
		return false
	}
	ib, err := os.Stat(b)
	return err == nil && os.SameFile(ia, ib)
}

const servicePrefix = "ossvault:"

func (v *Vault) secretsFor(vaultID string) secretStore {
	return secretStore{kc: v.kc, service: servicePrefix + vaultID}
}

func (v *Vault) secrets(r *registry) secretStore { return v.secretsFor(r.VaultID) }

// checkName enforces names that print on one line of "key list" and cannot
// be mistaken for a flag.
func checkName(what, name string) error {
	switch {
	case name == "":
		return fmt.Errorf("a %s name cannot be empty", what)
	case utf8.RuneCountInString(name) > 64:
		return fmt.Errorf("the %s name %q is too long (at most 64 characters)", what, name)
	case name[0] == '-':
		return fmt.Errorf("the %s name %q cannot start with '-'", what, name)
	case name != trimSpace(name):
		return fmt.Errorf("the %s name %q cannot start or end with spaces", what, name)
	}
	for _, c := range name {
		if !unicode.IsPrint(c) {
			return fmt.Errorf("the %s name %q contains a tab, line break or other control character", what, name)
		}
	}
	return nil
}

func trimSpace(s string) string {
	for s != "" && unicode.IsSpace(rune(s[0])) {
		s = s[1:]
	}
	for s != "" && unicode.IsSpace(rune(s[len(s)-1])) {
		s = s[:len(s)-1]
	}
	return s
}
