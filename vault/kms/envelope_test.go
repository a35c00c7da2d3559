package kms_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/kmslocal"
	"github.com/ossvault/ossvault/vault/kms"
)

// TestEnvelopeSealOpen wraps an object's data key with the KMS client as
// envelope.KMS and opens it again from the stored metadata.
func TestEnvelopeSealOpen(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	md := envelope.MatDesc{"desc": "finance"}
	e, dk, err := envelope.Seal(ctx(), envelope.NewKMSWrapper(c, f.keyID, md), nil)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if e.WrapAlg != envelope.WrapKMS {
		t.Errorf("WrapAlg = %q", e.WrapAlg)
	}
	// The header is the CiphertextBlob itself (Go/Java form).
	meta := e.Meta()
	if !bytes.HasPrefix(e.WrappedKey, []byte(f.keyID)) {
		t.Errorf("wrapped key does not start with the KMS key's UUID")
	}
	parsed, err := envelope.ParseMeta(meta)
	if err != nil {
		t.Fatalf("ParseMeta: %v", err)
	}
	got, err := envelope.Open(ctx(), parsed, envelope.NewKMSIdentity(c))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got.Key != dk.Key || got.IV != dk.IV {
		t.Error("Open returned another data key than Seal")
	}
	if n := f.srv.Calls("Encrypt"); n != 2 {
		t.Errorf("Seal made %d Encrypt calls, want 2 (key and counter)", n)
	}
}

// TestEnvelopePythonForm opens an envelope written the way the Python SDK
// writes it (GenerateDataKey for the key, headers base64 of the blob text):
// kmslocal's blobs must let the envelope tell the two forms apart.
func TestEnvelopePythonForm(t *testing.T) {
	f := newFixture(t)
	c := f.client(t, nil)
	keyB64, keyBlob, err := c.GenerateDataKey(ctx(), f.keyID, 32)
	if err != nil {
		t.Fatal(err)
	}
	iv := bytes.Repeat([]byte{7}, 16)
	ivBlob, err := c.Encrypt(ctx(), f.keyID, base64.StdEncoding.EncodeToString(iv))
	if err != nil {
		t.Fatal(err)
	}
	e, err := envelope.ParseMeta(map[string]string{
		"client-side-encryption-key":      base64.StdEncoding.EncodeToString([]byte(keyBlob)),
		"client-side-encryption-start":    base64.StdEncoding.EncodeToString([]byte(ivBlob)),
		"client-side-encryption-cek-alg":  envelope.CEKAlgAESCTR,
		"client-side-encryption-wrap-alg": envelope.WrapKMS,
	})
	if err != nil {
		t.Fatal(err)
	}
	dk, err := envelope.Open(ctx(), e, envelope.NewKMSIdentity(c))
	if err != nil {
		t.Fatalf("Open of a Python-form envelope: %v", err)
	}
	if base64.StdEncoding.EncodeToString(dk.Key[:]) != keyB64 || !bytes.Equal(dk.IV[:], iv) {
		t.Error("Open returned another data key")
	}
}

// TestEnvelopeOtherAccount: a blob another KMS account made is "not this
// identity" (Open reports no key), while a disabled key is a real error the
// user must see.
func TestEnvelopeOtherAccount(t *testing.T) {
	mine := newFixture(t)
	theirs := newFixture(t)
	e, _, err := envelope.Seal(ctx(), envelope.NewKMSWrapper(theirs.client(t, nil), theirs.keyID, nil), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = envelope.Open(ctx(), e, envelope.NewKMSIdentity(mine.client(t, nil)))
	if !errors.Is(err, envelope.ErrNoKey) {
		t.Fatalf("Open with another account's KMS = %v, want ErrNoKey", err)
	}

	if err := theirs.srv.SetKeyState(theirs.keyID, kmslocal.Disabled); err != nil {
		t.Fatal(err)
	}
	_, err = envelope.Open(ctx(), e, envelope.NewKMSIdentity(theirs.client(t, nil)))
	if !errors.Is(err, kms.ErrKeyDisabled) || errors.Is(err, envelope.ErrNoKey) {
		t.Fatalf("Open with a disabled key = %v, want ErrKeyDisabled", err)
	}
}
