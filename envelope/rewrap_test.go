package envelope

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"maps"
	"testing"
)

// Locking an object for one more person keeps its ciphertext: the new
// envelope, with a MAC computed from the stored ciphertext alone and the
// sharer's signature, verifies, opens with the old key and the new one,
// and still opens for the official SDKs with the first wrap.
func TestRewrapKeepsTheCiphertext(t *testing.T) {
	ctx := context.Background()
	keys := threeKeys(t)
	size := 3*DefaultChunkSize + 1234
	o := multiObject(t, keys[:1], size)
	e, err := ParseMeta(o.meta)
	if err != nil {
		t.Fatal(err)
	}
	k, err := Open(ctx, e, NewRSAIdentity(keys[0]))
	if err != nil {
		t.Fatal(err)
	}
	bob := NewRSAWrapper(&keys[1].PublicKey, MatDesc{MatDescKeyName: "bob"})
	e2, err := Rewrap(ctx, e, k, []Wrapper{bob})
	if err != nil {
		t.Fatal(err)
	}
	sharer := testSigningKey(9)
	if err := e2.SetWriter(sharer.Public().(ed25519.PublicKey), "bkt", ".ossvault/shared/x/pay.csv", testSignTime); err != nil {
		t.Fatal(err)
	}
	chunk := ChunkSizeFor(int64(size))
	sum, err := NewSummer(e2, k, int64(size), chunk)
	if err != nil {
		t.Fatal(err)
	}
	defer sum.Close()
	// In the order a download might deliver them, last chunk first.
	for off := (int64(size) - 1) / chunk * chunk; off >= 0; off -= chunk {
		if err := sum.AddCiphertext(off, o.ct[off:min(off+chunk, int64(size))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := sum.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := e2.Sign(sharer); err != nil {
		t.Fatal(err)
	}
	meta := e2.Meta()
	if meta[HeaderKey] != o.meta[HeaderKey] || meta[HeaderStart] != o.meta[HeaderStart] || meta[HeaderMatDesc] != o.meta[HeaderMatDesc] {
		t.Fatal("the SDK headers' wrap changed: other clients would no longer open the object with the first key")
	}
	if st, err := readBack(t, meta, o.ct, k); st != Verified || err != nil {
		t.Fatalf("the re-wrapped object reads back %v, %v", st, err)
	}
	got, err := ParseMeta(meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := got.RequireIntegrity(); err != nil {
		t.Fatal(err)
	}
	if err := got.CheckSignature(); err != nil || !bytes.Equal(got.Signer, sharer.Public().(ed25519.PublicKey)) || got.UploadedKey != ".ossvault/shared/x/pay.csv" {
		t.Fatalf("signature %v, signer %x, uploaded as %q", err, got.Signer, got.UploadedKey)
	}
	for i, id := range []Identity{NewRSAIdentity(keys[0]), NewRSAIdentity(keys[1])} {
		if dk, err := Open(ctx, got, id); err != nil || *dk != *k {
			t.Fatalf("recipient %d: %v", i, err)
		}
	}
	if _, err := Open(ctx, got, NewRSAIdentity(keys[2])); !errors.Is(err, ErrNoKey) {
		t.Fatalf("carol, who was not added: %v", err)
	}

	// The old MAC does not pass for the new list of wraps, nor the other
	// way round: each binds its own recipients.
	mixed := maps.Clone(meta)
	mixed[HeaderMAC] = o.meta[HeaderMAC]
	if st, _ := readBack(t, mixed, o.ct, k); st == Verified {
		t.Fatal("the old MAC verifies the new envelope")
	}
}

// Rewrap refuses a data key that is not the envelope's, and too many keys.
func TestRewrapRefuses(t *testing.T) {
	ctx := context.Background()
	keys := threeKeys(t)
	o := multiObject(t, keys[:1], 100)
	e, err := ParseMeta(o.meta)
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewDataKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	bob := NewRSAWrapper(&keys[1].PublicKey, MatDesc{MatDescKeyName: "bob"})
	if _, err := Rewrap(ctx, e, other, []Wrapper{bob}); !errors.Is(err, ErrIncorrectIdentity) {
		t.Fatalf("another data key: %v", err)
	}
	many := make([]Wrapper, maxRecipients+1)
	for i := range many {
		many[i] = bob
	}
	if _, err := Rewrap(ctx, e, o.k, many); !errors.Is(err, ErrTooManyRecipients) {
		t.Fatalf("%d more keys: %v", len(many), err)
	}
	// Nobody to add is a copy under a new name: the same wraps, no MAC or
	// writer carried over.
	same, err := Rewrap(ctx, e, o.k, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(same.Wraps()) != len(e.Wraps()) || same.Integrity != nil || same.Signer != nil {
		t.Fatalf("nobody to add: %d wraps (want %d), integrity %v, signer %x", len(same.Wraps()), len(e.Wraps()), same.Integrity, same.Signer)
	}
}
