package envelope_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"io"
	"log"

	"github.com/ossvault/ossvault/envelope"
)

// An object's life: seal, encrypt, MAC, headers; then parse, open, read and
// verify.
func Example() {
	ctx := context.Background()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		log.Fatal(err)
	}
	plain := []byte("quarterly figures")

	// Writing.
	e, k, err := envelope.Seal(ctx, envelope.NewRSAWrapper(&priv.PublicKey, envelope.MatDesc{"desc": "finance"}), nil)
	if err != nil {
		log.Fatal(err)
	}
	e.UnencryptedLength = int64(len(plain))
	if err := envelope.Sum(ctx, e, k, bytes.NewReader(plain), int64(len(plain)), 0); err != nil {
		log.Fatal(err)
	}
	stored, _ := io.ReadAll(envelope.NewReader(bytes.NewReader(plain), k, 0))
	meta := e.Meta() // sent as x-oss-meta-* headers

	// Reading.
	e2, err := envelope.ParseMeta(meta)
	if err != nil {
		log.Fatal(err)
	}
	k2, err := envelope.Open(ctx, e2, envelope.NewRSAIdentity(priv))
	if err != nil {
		log.Fatal(err)
	}
	r := envelope.NewVerifyingReader(bytes.NewReader(stored), e2, k2)
	got, err := io.ReadAll(r)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %v, matdesc %s\n", got, envelope.VerifyStatus(r), meta[envelope.HeaderMatDesc])
	// Output: quarterly figures: verified, matdesc {"desc":"finance"}
}
