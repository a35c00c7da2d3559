package vault

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

// A private key read for one object is kept for the next ones, for a while
// after its last use, and let go of when the key is removed or that while
// has passed; a key replaced under the same name is read anew.
func TestPrivateKeysKeptAWhile(t *testing.T) {
	ctx := context.Background()
	mem := newMemKeychain()
	var reads atomic.Int32
	kc := funcKeychain{
		get: func(s, u string) (string, error) { reads.Add(1); return mem.Get(s, u) },
		set: mem.Set,
		del: mem.Delete,
	}
	v := newTestVault(t, WithKeychain(kc))
	if _, err := v.GenerateRSA(ctx, "Mine", 2048, nil); err != nil {
		t.Fatal(err)
	}
	open := func() {
		t.Helper()
		if _, err := v.Identity(ctx, "Mine"); err != nil {
			t.Fatal(err)
		}
	}
	reads.Store(0)
	for range 5 {
		open()
	}
	if n := reads.Load(); n != 1 {
		t.Fatalf("5 opens read the keychain %d times, want 1", n)
	}

	// Removed: let go of at once, and not found.
	if err := v.Remove("Mine"); err != nil {
		t.Fatal(err)
	}
	if n := v.keys.len(); n != 0 {
		t.Fatalf("%d keys kept after the key was removed", n)
	}
	if _, err := v.Identity(ctx, "Mine"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("a removed key opens: %v", err)
	}

	// Another pair under the same name is its own.
	k2, err := v.GenerateRSA(ctx, "Mine", 2048, nil)
	if err != nil {
		t.Fatal(err)
	}
	reads.Store(0)
	id, err := v.Identity(ctx, "Mine")
	if err != nil || reads.Load() != 1 {
		t.Fatalf("the new key: %v, %d keychain reads", err, reads.Load())
	}
	if id == nil || k2.Fingerprint == "" {
		t.Fatal("no identity for the new key")
	}

	// Unused for the while: let go of.
	old := keyCacheTTL
	keyCacheTTL = 50 * time.Millisecond
	t.Cleanup(func() { keyCacheTTL = old })
	v.keys.drop(v.snapshot().VaultID + "/" + mustRecord(t, v, "Mine").Secret)
	open()
	if v.keys.len() != 1 {
		t.Fatal("the key read is not kept")
	}
	deadline := time.Now().Add(5 * time.Second)
	for v.keys.len() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("a key unused past its while is still kept")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// mustRecord is the registry's record of the key name.
func mustRecord(t *testing.T, v *Vault, name string) *keyRecord {
	t.Helper()
	_, rec := v.snapshot().key(name)
	if rec == nil {
		t.Fatalf("no key %q", name)
	}
	return rec
}
