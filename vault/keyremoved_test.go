package vault

import (
	"context"
	"errors"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/vault/kms"
)

// Key.Locks attributes an envelope to a key the way objects pick their key:
// the wrapping kind and the matdesc.
func TestKeyLocks(t *testing.T) {
	ctx := context.Background()
	v := newTestVault(t, WithKeychain(newMemKeychain()))
	mine, err := v.GenerateRSA(ctx, "mine", 2048, nil)
	if err != nil {
		t.Fatal(err)
	}
	x := envelope.MatDesc{"desc": "x"}
	shared, err := v.GenerateRSA(ctx, "shared", 2048, x)
	if err != nil {
		t.Fatal(err)
	}
	k, err := v.AddKMSKey("kms", "key-1", "cn-hangzhou", "", x, &kms.Credentials{AccessKeyID: "id", AccessKeySecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	rsaEnv := func(md envelope.MatDesc) *envelope.Envelope {
		return &envelope.Envelope{WrapAlg: envelope.WrapRSA, MatDesc: md}
	}
	for _, c := range []struct {
		name string
		key  Key
		env  *envelope.Envelope
		want bool
	}{
		{"own matdesc", mine, rsaEnv(mine.MatDesc), true},
		{"another key's matdesc", mine, rsaEnv(x), false},
		{"shared matdesc", shared, rsaEnv(x), true},
		{"legacy OAEP wrap", shared, &envelope.Envelope{WrapAlg: envelope.WrapRSAOAEP, MatDesc: x}, true},
		{"KMS envelope for an RSA key", shared, &envelope.Envelope{WrapAlg: envelope.WrapKMS, MatDesc: x}, false},
		{"KMS key", k, &envelope.Envelope{WrapAlg: envelope.WrapKMS, MatDesc: x}, true},
		{"RSA envelope for a KMS key", k, rsaEnv(x), false},
		{"no matdesc", mine, rsaEnv(nil), false},
		{"no envelope", mine, nil, false},
	} {
		if got := c.key.Locks(c.env); got != c.want {
			t.Errorf("%s: Locks = %v, want %v", c.name, got, c.want)
		}
	}
}

// Remove calls the WithKeyRemoved hooks with the key as it was; a hook's
// failure is Remove's, after the key and its secret are gone.
func TestRemoveRunsKeyRemovedHooks(t *testing.T) {
	mem := newMemKeychain()
	var got []Key
	fail := errors.New("journal unreachable")
	v := newTestVault(t, WithKeychain(mem), WithKeyRemoved(func(_ *Vault, k Key) error {
		got = append(got, k)
		if k.Name == "bad" {
			return fail
		}
		return nil
	}))
	for _, n := range []string{"good", "bad"} {
		if _, err := v.GenerateRSA(context.Background(), n, 2048, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Remove("good"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "good" || got[0].Kind != KindRSA || got[0].MatDesc == nil {
		t.Fatalf("hook got %+v", got)
	}
	if err := v.Remove("bad"); !errors.Is(err, fail) {
		t.Fatalf("Remove with a failing hook: %v", err)
	}
	if _, err := v.Key("bad"); !errors.Is(err, ErrKeyNotFound) {
		t.Fatalf("the key stayed after its hook failed: %v", err)
	}
	if len(mem.m) != 0 {
		t.Fatalf("%d keychain entries left", len(mem.m))
	}
	if err := v.Remove("nope"); !errors.Is(err, ErrKeyNotFound) || len(got) != 2 {
		t.Fatalf("Remove of a missing key: %v, hook ran %d times", err, len(got))
	}
}
