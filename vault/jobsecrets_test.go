package vault

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestJobSecretsRoundTrip(t *testing.T) {
	kc := newMemKeychain()
	v := newTestVault(t, WithKeychain(LimitedKeychain{kc}))
	js := v.JobSecrets()
	long := []byte("https://bkt.oss-cn-hangzhou.aliyuncs.com/report.pdf?security-token=" + strings.Repeat("T", 2500) + "&Signature=abc")
	for _, tc := range []struct {
		name   string
		secret []byte
	}{
		{"data key", bytes.Repeat([]byte{0, 1, 0xff}, 27)},
		{"long link over several entries", long},
		{"empty", []byte{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := "upload-key-0123abcd"
			if err := js.Put(id, tc.secret); err != nil {
				t.Fatal(err)
			}
			got, ok, err := v.JobSecrets().Get(id)
			if err != nil || !ok || !bytes.Equal(got, tc.secret) {
				t.Fatalf("Get = %d bytes, %v, %v; want the %d bytes put", len(got), ok, err, len(tc.secret))
			}
			if err := js.Delete(id); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := js.Get(id); ok || err != nil {
				t.Fatalf("after Delete: ok=%v err=%v, want nothing", ok, err)
			}
			if kc.len() != 0 {
				t.Fatalf("%d keychain entries left after Delete", kc.len())
			}
			if err := js.Delete(id); err != nil {
				t.Fatalf("deleting an absent secret: %v", err)
			}
		})
	}
	// The entries live under the vault's own service, as its other secrets.
	if err := js.Put("link-1", []byte("x")); err != nil {
		t.Fatal(err)
	}
	service := servicePrefix + v.snapshot().VaultID
	if _, err := kc.Get(service, "job:link-1"); err != nil {
		t.Fatalf("no entry job:link-1 under %s: %v", service, err)
	}
}

// Replacing a secret split over several entries with a shorter one leaves
// no parts of the old one behind.
func TestJobSecretsReplace(t *testing.T) {
	kc := newMemKeychain()
	v := newTestVault(t, WithKeychain(LimitedKeychain{kc}))
	js := v.JobSecrets()
	if err := js.Put("link-2", bytes.Repeat([]byte("a"), 5000)); err != nil {
		t.Fatal(err)
	}
	if err := js.Put("link-2", []byte("short")); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := js.Get("link-2"); err != nil || !ok || string(got) != "short" {
		t.Fatalf("Get = %q, %v, %v", got, ok, err)
	}
	if kc.len() != 1 {
		t.Fatalf("%d keychain entries for one short secret", kc.len())
	}
}

func TestJobSecretsLockedKeychain(t *testing.T) {
	locked := funcKeychain{
		get: func(string, string) (string, error) { return "", ErrKeychainLocked },
		set: func(string, string, string) error { return ErrKeychainLocked },
		del: func(string, string) error { return ErrKeychainLocked },
	}
	v := newTestVault(t, WithKeychain(locked))
	// The vault needs an id for Put; making one does not touch the keychain.
	js := v.JobSecrets()
	secret := []byte("the-data-key-bytes")
	err := js.Put("upload-key-1", secret)
	if !errors.Is(err, ErrKeychainLocked) || !strings.Contains(err.Error(), "unlock it") {
		t.Fatalf("Put on a locked keychain: %v, want the vault's locked-keychain error", err)
	}
	if _, _, err := js.Get("upload-key-1"); !errors.Is(err, ErrKeychainLocked) {
		t.Fatalf("Get on a locked keychain: %v", err)
	}
	if err := js.Delete("upload-key-1"); !errors.Is(err, ErrKeychainLocked) {
		t.Fatalf("Delete on a locked keychain: %v", err)
	}
	scanForSecrets(t, v.Home(), map[string][]byte{"job secret": secret})
}

func TestJobSecretsRefusesOddIDs(t *testing.T) {
	js := newTestVault(t).JobSecrets()
	for _, id := range []string{"", "a/b", "job:x", "x#1", strings.Repeat("a", 129), "é"} {
		if err := js.Put(id, []byte("s")); err == nil {
			t.Errorf("Put(%q) accepted", id)
		}
	}
}

// Reading or deleting in a vault that was never written creates nothing.
func TestJobSecretsEmptyVault(t *testing.T) {
	v := newTestVault(t)
	if _, ok, err := v.JobSecrets().Get("upload-key-1"); ok || err != nil {
		t.Fatalf("Get in an empty vault: %v %v", ok, err)
	}
	if err := v.JobSecrets().Delete("upload-key-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(v.Home(), registryFile)); err == nil {
		t.Fatal("reading a job secret created vault.json")
	}
}
