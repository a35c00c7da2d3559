package envelope

import (
	"context"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
)

// Seal creates the envelope of a new object: a fresh data key and counter
// drawn from rand (crypto/rand when nil), wrapped by w, with the headers the
// Go and Java SDKs write, plus ossvault's key check. It never reuses a key:
// each call draws new randomness, so each object gets its own keystream.
//
// The caller then sets UnencryptedLength, DataSize and PartSize as needed,
// and calls Sum last, before Meta.
func Seal(ctx context.Context, w Wrapper, rand io.Reader) (*Envelope, *DataKey, error) {
	return SealFor(ctx, []Wrapper{w}, rand)
}

// Open returns the object's data key, trying ids in order, each on every
// wrap of the data key (Wraps: the SDK headers' first, then the other
// recipients'), or on one wrap only when it came from OnlyWrap. An
// identity that returns an error wrapping ErrIncorrectIdentity, or whose
// key fails the envelope's key check, is skipped; any other error stops
// Open. When no identity opens the object the error is a *NoKeyError
// (ErrNoKey).
func Open(ctx context.Context, e *Envelope, ids ...Identity) (*DataKey, error) {
	if e == nil {
		return nil, ErrNotEncrypted
	}
	wraps := len(e.Recipients) + 1
	for _, id := range ids {
		first, last := 0, wraps-1
		if o, ok := id.(*onlyWrap); ok {
			if o.wrap < 0 || o.wrap >= wraps {
				continue
			}
			first, last, id = o.wrap, o.wrap, o.Identity
		}
		for i := first; i <= last; i++ {
			k, err := id.Unwrap(ctx, e.wrapView(i))
			if errors.Is(err, ErrIncorrectIdentity) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if e.KeyCheck != nil && !hmac.Equal(e.KeyCheck, keyCheck(k)) {
				// For PKCS #1 v1.5 this is where a wrong key shows: the
				// unwrap produced unrelated bytes. Every mismatch looks
				// the same, so this reveals nothing about the padding.
				*k = DataKey{}
				continue
			}
			return k, nil
		}
	}
	nk := &NoKeyError{MatDesc: e.RawMatDesc, WrapAlg: e.WrapAlg}
	for _, r := range e.Recipients {
		nk.Others = append(nk.Others, r.RawMatDesc)
	}
	return nil, nk
}

const (
	keyCheckInfo  = "ossvault key check v1"
	keyCheckBytes = 16
)

// keyCheck commits to the data key and counter block: HMAC-SHA256 under a
// key derived from the content key, over the counter block, truncated to
// 128 bits. It is useless without the content key.
func keyCheck(k *DataKey) []byte {
	ck, err := hkdf.Key(sha256.New, k.Key[:], nil, keyCheckInfo, sha256.Size)
	if err != nil {
		panic(err) // unreachable: the output length is far below the HKDF limit
	}
	m := hmac.New(sha256.New, ck)
	m.Write(k.IV[:])
	clear(ck)
	return m.Sum(nil)[:keyCheckBytes]
}

// checkKey reports whether k is the data key e's key check commits to
// (true when e carries none).
func checkKey(e *Envelope, k *DataKey) error {
	if e.KeyCheck != nil && !hmac.Equal(e.KeyCheck, keyCheck(k)) {
		return fmt.Errorf("the data key does not belong to this envelope: %w", ErrIncorrectIdentity)
	}
	return nil
}
