package systemtest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/testenv"
)

// BenchmarkOpenKey is what opening one object costs in keys, on the real
// keychain, with an RSA-3072 key: "read" is the key read from the keychain
// and parsed, as every object paid before the vault kept keys a while;
// "kept" the key the vault holds from the object before; "unwrap" the
// envelope's RSA decryption of the data key and counter, which every
// object pays whichever way its key is found.
func BenchmarkOpenKey(b *testing.B) {
	testenv.RequireKeychain(b)
	ctx := context.Background()
	v := open(b, b.TempDir())
	if _, err := v.GenerateRSA(ctx, "Mine", 3072, nil); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Remove("Mine") })
	b.Run("read", func(b *testing.B) {
		for b.Loop() {
			v.ForgetPrivateKeys()
			if _, err := v.Identity(ctx, "Mine"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("kept", func(b *testing.B) {
		for b.Loop() {
			if _, err := v.Identity(ctx, "Mine"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unwrap", func(b *testing.B) {
		priv, err := rsa.GenerateKey(rand.Reader, 3072)
		if err != nil {
			b.Fatal(err)
		}
		w := envelope.NewRSAWrapper(&priv.PublicKey, nil)
		wk, err := w.Wrap(ctx, make([]byte, 32))
		if err != nil {
			b.Fatal(err)
		}
		wiv, err := w.Wrap(ctx, make([]byte, 16))
		if err != nil {
			b.Fatal(err)
		}
		e := &envelope.Envelope{WrapAlg: w.WrapAlg(), WrappedKey: wk, WrappedIV: wiv}
		id := envelope.NewRSAIdentity(priv)
		for b.Loop() {
			if _, err := id.Unwrap(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
	})
}
