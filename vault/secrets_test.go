package vault

import (
	"errors"
	"strings"
	"testing"
)

// Secrets of any size survive a keychain with platform limits, split at
// character boundaries, and leave nothing behind when deleted.
func TestSecretStoreChunks(t *testing.T) {
	sizes := []int{0, 1, maxEntry - 2, maxEntry - 1, maxEntry, maxEntry + 1, 2 * maxEntry, 10000}
	for _, n := range sizes {
		for _, unit := range []string{"a", "é", "€"} {
			mem := newMemKeychain()
			s := secretStore{kc: LimitedKeychain{mem}, service: "ossvault:test"}
			secret := strings.Repeat(unit, n/len(unit)+1)[:0]
			for len(secret)+len(unit) <= n {
				secret += unit
			}
			if err := s.put("ref", secret); err != nil {
				t.Fatalf("%d bytes of %q: %v", len(secret), unit, err)
			}
			got, err := s.get("ref")
			if err != nil || got != secret {
				t.Fatalf("%d bytes of %q: read back %d bytes, %v", len(secret), unit, len(got), err)
			}
			if err := s.delete("ref"); err != nil {
				t.Fatal(err)
			}
			if mem.len() != 0 {
				t.Fatalf("%d bytes: %d entries left after delete", len(secret), mem.len())
			}
		}
	}
	s := secretStore{kc: newMemKeychain(), service: "ossvault:test"}
	if _, err := s.get("none"); !errors.Is(err, ErrSecretMissing) {
		t.Fatalf("missing: %v", err)
	}
	if err := s.delete("none"); err != nil {
		t.Fatalf("deleting a missing secret: %v", err)
	}
}

// A failure part-way through writing a split secret leaves no entries.
func TestSecretStoreRollsBackPartialWrites(t *testing.T) {
	mem := newMemKeychain()
	writes := 0
	kc := funcKeychain{
		get: mem.Get,
		del: mem.Delete,
		set: func(s, u, v string) error {
			writes++
			if writes == 3 {
				return ErrKeychainUnavailable
			}
			return mem.Set(s, u, v)
		},
	}
	s := secretStore{kc: kc, service: "ossvault:test"}
	if err := s.put("ref", strings.Repeat("x", 5*maxEntry)); !errors.Is(err, ErrKeychainUnavailable) {
		t.Fatalf("got %v", err)
	}
	if mem.len() != 0 {
		t.Fatalf("%d entries left", mem.len())
	}
}
