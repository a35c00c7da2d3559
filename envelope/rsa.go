package envelope

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"fmt"
	"math/big"
	"strings"
)

// NewRSAWrapper returns a Wrapper for RSA/NONE/PKCS1Padding, the RSA wrap of
// every SDK. Only the public key is needed, so anyone can write objects for
// a colleague.
func NewRSAWrapper(pub *rsa.PublicKey, md MatDesc) Wrapper {
	return &rsaWrapper{pub: pub, md: md}
}

type rsaWrapper struct {
	pub *rsa.PublicKey
	md  MatDesc
}

func (w *rsaWrapper) WrapAlg() string  { return WrapRSA }
func (w *rsaWrapper) MatDesc() MatDesc { return w.md }

func (w *rsaWrapper) Wrap(_ context.Context, secret []byte) ([]byte, error) {
	//lint:ignore SA1019 the OSS format fixes PKCS #1 v1.5 for RSA wraps; every SDK reads only this.
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, w.pub, secret)
	if err != nil {
		return nil, fmt.Errorf("failed to wrap the data key with the RSA public key: %w", err)
	}
	return ct, nil
}

// NewRSAIdentity returns an Identity that opens envelopes wrapped with the
// public half of priv: RSA/NONE/PKCS1Padding, and the OAEP wraps of old
// Python clients (RSA/NONE/OAEPWithSHA-1AndMGF1Padding, and wrap-alg "rsa"
// under the legacy oss-crypto-* names).
//
// PKCS #1 v1.5 is unwrapped without a padding oracle: the padding check
// never fails visibly; a ciphertext that does not unpad to exactly 32 (key)
// or 16 (IV) bytes yields random bytes instead, in constant time. The price
// is that this identity cannot tell by itself that it is the wrong key when
// the modulus length matches: it then returns a random data key. Open
// catches that with the envelope's ossvault key check, which objects
// written by ossvault carry; for objects of other clients a wrong key of the
// right size goes unnoticed here and decrypts to garbage, which is why the
// key should be chosen by matdesc first.
func NewRSAIdentity(priv *rsa.PrivateKey) Identity {
	return &rsaIdentity{priv: priv}
}

type rsaIdentity struct {
	priv *rsa.PrivateKey
}

func (id *rsaIdentity) Unwrap(_ context.Context, e *Envelope) (*DataKey, error) {
	alg := e.WrapAlg
	switch {
	case strings.EqualFold(alg, WrapRSA) && !e.Legacy:
		return id.unwrapPKCS1(e)
	case strings.EqualFold(alg, WrapRSAOAEP) && !e.Legacy:
		return id.unwrapOAEP(e, false)
	case e.Legacy && strings.EqualFold(alg, "rsa"):
		return id.unwrapOAEP(e, true)
	}
	return nil, fmt.Errorf("an RSA key cannot open an object wrapped with %q: %w", alg, ErrIncorrectIdentity)
}

func (id *rsaIdentity) sizeMatches(e *Envelope) error {
	k := id.priv.Size()
	if len(e.WrappedKey) != k || len(e.WrappedIV) != k {
		return fmt.Errorf("the object's wrapped key is %d bytes, this RSA key's modulus is %d bytes: %w",
			len(e.WrappedKey), k, ErrIncorrectIdentity)
	}
	return nil
}

func (id *rsaIdentity) unwrapPKCS1(e *Envelope) (*DataKey, error) {
	if err := id.sizeMatches(e); err != nil {
		return nil, err
	}
	k := new(DataKey)
	// DecryptPKCS1v15SessionKey leaves these random bytes in place when the
	// padding is wrong, so the outcome does not reveal it.
	if _, err := rand.Read(k.Key[:]); err != nil {
		return nil, fmt.Errorf("failed to draw random bytes: %w", err)
	}
	if _, err := rand.Read(k.IV[:]); err != nil {
		return nil, fmt.Errorf("failed to draw random bytes: %w", err)
	}
	//lint:ignore SA1019 reading the OSS format needs PKCS #1 v1.5; this is the oracle-free variant.
	if err := rsa.DecryptPKCS1v15SessionKey(nil, id.priv, e.WrappedKey, k.Key[:]); err != nil {
		return nil, sessionKeyError(err)
	}
	//lint:ignore SA1019 as above.
	if err := rsa.DecryptPKCS1v15SessionKey(nil, id.priv, e.WrappedIV, k.IV[:]); err != nil {
		return nil, sessionKeyError(err)
	}
	if e.KeyCheck == nil && !conformingIV(k.IV) {
		// Another client's object carries no key check, so a wrong key of
		// the same size would "succeed" with random bytes and the download
		// would be garbage. Every SDK writes counter bytes 8..11 as zero
		// (R8 || 0000 || R4), so random bytes pass this only once in 2^32.
		// The answer depends on the padding and four plaintext bytes
		// together, which leaves an attacker nothing like a usable padding
		// oracle.
		*k = DataKey{}
		return nil, fmt.Errorf("the initial counter does not have the form every SDK writes: %w", ErrIncorrectIdentity)
	}
	return k, nil
}

// conformingIV reports whether iv has bytes 8..11 zero, as every writer of
// the format produces them.
func conformingIV(iv [16]byte) bool {
	return iv[8]|iv[9]|iv[10]|iv[11] == 0
}

// sessionKeyError explains a failure of DecryptPKCS1v15SessionKey. It fails
// only on facts that are public (a ciphertext that is, as a number, not
// below this key's modulus), never on the padding, so saying "not this key"
// opens no oracle, and Open can go on to the next key.
func sessionKeyError(err error) error {
	return fmt.Errorf("the wrapped key was not made for this RSA key (%v): %w", err, ErrIncorrectIdentity)
}

func (id *rsaIdentity) unwrapOAEP(e *Envelope, legacy bool) (*DataKey, error) {
	if err := id.sizeMatches(e); err != nil {
		return nil, err
	}
	// OAEP decryption in Go is constant time and its single failure mode
	// carries no padding oracle, so a failure can say "wrong key".
	key, err := rsa.DecryptOAEP(sha1.New(), nil, id.priv, e.WrappedKey, nil)
	if err != nil {
		return nil, fmt.Errorf("the RSA key does not open the object (OAEP): %w", ErrIncorrectIdentity)
	}
	start, err := rsa.DecryptOAEP(sha1.New(), nil, id.priv, e.WrappedIV, nil)
	if err != nil {
		return nil, fmt.Errorf("the RSA key does not open the object (OAEP): %w", ErrIncorrectIdentity)
	}
	k := new(DataKey)
	if len(key) != len(k.Key) {
		return nil, fmt.Errorf("the unwrapped data key is %d bytes, want %d: %w", len(key), len(k.Key), ErrIntegrity)
	}
	copy(k.Key[:], key)
	clear(key)
	if legacy {
		if k.IV, err = decimalCounter(string(start)); err != nil {
			return nil, err
		}
		return k, nil
	}
	if len(start) != len(k.IV) {
		return nil, fmt.Errorf("the unwrapped initial counter is %d bytes, want %d: %w", len(start), len(k.IV), ErrIntegrity)
	}
	copy(k.IV[:], start)
	return k, nil
}

// decimalCounter converts the legacy Python "start" (the initial counter as
// a decimal integer) into a 128-bit big-endian counter block.
func decimalCounter(s string) ([16]byte, error) {
	var iv [16]byte
	n, ok := new(big.Int).SetString(strings.TrimSpace(s), 10)
	if !ok || n.Sign() < 0 || n.BitLen() > 128 {
		return iv, fmt.Errorf("the legacy initial counter is not a 128-bit decimal number: %w", ErrIntegrity)
	}
	n.FillBytes(iv[:])
	return iv, nil
}
