package envelope

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// NewKMSWrapper returns a Wrapper for KMS/ALICLOUD in the form of the Go and
// Java SDKs: KMS Encrypt of base64(secret) under keyID, the header holding
// the CiphertextBlob string (its base64 decoding is the wrapped value).
func NewKMSWrapper(c KMS, keyID string, md MatDesc) Wrapper {
	return &kmsWrapper{c: c, keyID: keyID, md: md}
}

type kmsWrapper struct {
	c     KMS
	keyID string
	md    MatDesc
}

func (w *kmsWrapper) WrapAlg() string  { return WrapKMS }
func (w *kmsWrapper) MatDesc() MatDesc { return w.md }

func (w *kmsWrapper) Wrap(ctx context.Context, secret []byte) ([]byte, error) {
	blob, err := w.c.Encrypt(ctx, w.keyID, base64.StdEncoding.EncodeToString(secret))
	if err != nil {
		return nil, fmt.Errorf("failed to wrap the data key with KMS: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(blob)
	if err != nil || len(raw) == 0 {
		return nil, errors.New("failed to wrap the data key with KMS: the returned ciphertext is not base64")
	}
	return raw, nil
}

// NewKMSIdentity returns an Identity that opens KMS/ALICLOUD envelopes with
// c: the Go/Java form, the Python (oss2) form whose header is base64 of the
// CiphertextBlob text, and wrap-alg "kms" under the legacy oss-crypto-*
// names. The blob names its master key, so no key id is needed.
//
// c.Decrypt should return an error wrapping ErrIncorrectIdentity when the
// blob is not one this account may decrypt (so Open tries the next
// identity); any other error stops Open.
func NewKMSIdentity(c KMS) Identity {
	return &kmsIdentity{c: c}
}

type kmsIdentity struct {
	c KMS
}

func (id *kmsIdentity) Unwrap(ctx context.Context, e *Envelope) (*DataKey, error) {
	legacy := e.Legacy && strings.EqualFold(e.WrapAlg, "kms")
	if !legacy && (e.Legacy || !strings.EqualFold(e.WrapAlg, WrapKMS)) {
		return nil, fmt.Errorf("a KMS key cannot open an object wrapped with %q: %w", e.WrapAlg, ErrIncorrectIdentity)
	}
	k := new(DataKey)
	keyB64, form, err := id.decrypt(ctx, e.WrappedKey, -1)
	if err != nil {
		return nil, fmt.Errorf("failed to unwrap the data key with KMS: %w", err)
	}
	key, err := base64.StdEncoding.DecodeString(keyB64)
	if err != nil || len(key) != len(k.Key) {
		return nil, fmt.Errorf("KMS returned a data key that is not 32 bytes of base64: %w", ErrIntegrity)
	}
	copy(k.Key[:], key)
	clear(key)
	// The IV is wrapped in the same form as the key.
	start, _, err := id.decrypt(ctx, e.WrappedIV, form)
	if err != nil {
		return nil, fmt.Errorf("failed to unwrap the initial counter with KMS: %w", err)
	}
	if legacy {
		// Old Python clients encrypted the counter as decimal text.
		if k.IV, err = decimalCounter(start); err != nil {
			return nil, err
		}
		return k, nil
	}
	iv, err := base64.StdEncoding.DecodeString(start)
	if err != nil || len(iv) != len(k.IV) {
		return nil, fmt.Errorf("KMS returned an initial counter that is not 16 bytes of base64: %w", ErrIntegrity)
	}
	copy(k.IV[:], iv)
	return k, nil
}

// KMS ciphertext forms.
const (
	formGoJava = iota // header = CiphertextBlob
	formPython        // header = base64(CiphertextBlob)
)

// decrypt sends wrapped to KMS in the given form, or, with form -1, in the
// Go/Java form first and the Python form when that fails and the wrapped
// bytes are themselves base64 text. It returns the plaintext and the form
// that worked.
func (id *kmsIdentity) decrypt(ctx context.Context, wrapped []byte, form int) (string, int, error) {
	if len(wrapped) == 0 {
		return "", 0, errNoKMSBlob
	}
	goJava := base64.StdEncoding.EncodeToString(wrapped)
	python := string(wrapped)
	pythonOK := looksBase64(python)
	switch form {
	case formGoJava:
		pt, err := id.c.Decrypt(ctx, goJava)
		return pt, formGoJava, err
	case formPython:
		pt, err := id.c.Decrypt(ctx, python)
		return pt, formPython, err
	}
	pt, err := id.c.Decrypt(ctx, goJava)
	if err == nil {
		return pt, formGoJava, nil
	}
	if !pythonOK {
		return "", 0, err
	}
	pt, err2 := id.c.Decrypt(ctx, python)
	if err2 == nil {
		return pt, formPython, nil
	}
	// Report the first failure: the Go/Java form is the one ossvault and
	// most clients write.
	return "", 0, err
}

// looksBase64 reports whether s is standard base64 text, as a Python-form
// KMS header decodes to.
func looksBase64(s string) bool {
	if len(s) < 4 || len(s)%4 != 0 {
		return false
	}
	_, err := base64.StdEncoding.DecodeString(s)
	return err == nil
}

var errNoKMSBlob = errors.New("the wrapped key is empty")
