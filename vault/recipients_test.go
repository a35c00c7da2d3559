package vault

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"

	"github.com/ossvault/ossvault/envelope"
)

// A recipient of an object locked for several keys finds the wrap made
// for them, whichever place it has; the keys are named by any wrap's
// matdesc, colleagues' public keys included.
func TestRecipientsChooseByAnyWrap(t *testing.T) {
	ctx := context.Background()
	alice, bob, carol := newTestVault(t), newTestVault(t), newTestVault(t)
	for _, tc := range []struct {
		v    *Vault
		name string
	}{{alice, "alice"}, {bob, "bob"}} {
		if _, err := tc.v.GenerateRSA(ctx, tc.name, 2048, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Bob also holds Carol's key pair (one shared by a team).
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	carolPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})
	for _, v := range []*Vault{carol, bob} {
		if _, err := v.ImportPrivateKey("carol", carolPEM, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, from := range []struct {
		v    *Vault
		name string
	}{{bob, "bob"}, {carol, "carol"}} {
		pem, err := from.v.ExportPublic(from.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := alice.AddPublicKey(from.name, pem, nil); err != nil {
			t.Fatal(err)
		}
	}

	var ws []envelope.Wrapper
	for _, name := range []string{"alice", "bob", "carol"} {
		w, err := alice.Wrapper(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	e, dk, err := envelope.SealFor(ctx, ws, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e, err = envelope.ParseMeta(e.Meta())
	if err != nil {
		t.Fatal(err)
	}
	// Bob holds two of the three keys: one identity per wrap it matches.
	named, err := bob.NamedIdentities(ctx, e)
	if err != nil || len(named) != 2 || named[0].Name != "bob" || named[1].Name != "carol" {
		t.Fatalf("bob's identities: %v, %v", named, err)
	}
	for _, n := range named {
		if k, err := envelope.Open(ctx, e, n.Identity); err != nil || *k != *dk {
			t.Fatalf("%s: %v", n.Name, err)
		}
	}
	if k, ok := bob.KeyFor(e); !ok || k.Name != "bob" || !bob.NamesKey(e) {
		t.Fatalf("KeyFor: %v %v", k, ok)
	}
	mustOpen(t, alice, e, dk)
	for i, want := range []string{"alice", "bob", "carol"} {
		if got, ok := alice.RecipientName(e.Wraps()[i]); !ok || got != want {
			t.Fatalf("wrap %d named %q, %v", i, got, ok)
		}
	}
	if got, ok := bob.RecipientName(e.Wraps()[0]); ok {
		t.Fatalf("bob names alice's wrap %q", got)
	}
	// Dave has none of the keys.
	dave := newTestVault(t)
	if _, err := dave.GenerateRSA(ctx, "dave", 2048, nil); err != nil {
		t.Fatal(err)
	}
	ids, err := dave.Identities(ctx, e)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := envelope.Open(ctx, e, ids...); !errors.Is(err, envelope.ErrNoKey) || dave.NamesKey(e) {
		t.Fatalf("dave: %v", err)
	}
}
