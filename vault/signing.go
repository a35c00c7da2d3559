package vault

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// SigningPEMType is the PEM block type of a signing public key. "key
// export-public" writes it after the RSA public key, so that one file
// carries both; readers that take the first block only still read the RSA
// key.
const SigningPEMType = "OSSVAULT SIGNING KEY"

const signingSecretPrefix = "ed25519-seed-v1:"

// ErrKeyChanged: a colleague's key was added under a name that already
// holds different keys for them. It is refused: a key that changes without
// warning is what an impostor's looks like.
var ErrKeyChanged = errors.New("the keys stored under this name differ from the new ones")

// signingRecord is the vault's own signing key: the public half in
// vault.json, the private seed in the keychain.
type signingRecord struct {
	PublicKey []byte    `json:"public_key"` // 32 bytes
	Secret    string    `json:"secret"`
	Created   time.Time `json:"created"`
}

// SigningFingerprint is the fingerprint of a signing public key, in the
// format of Fingerprint: the first 10 bytes of SHA-256 over the 32-byte
// Ed25519 public key, as five groups of four upper-case hex digits.
func SigningFingerprint(pub ed25519.PublicKey) string {
	return fingerprintOf(pub)
}

// SigningKey returns this vault's own signing key, which signs every object
// uploaded from it, creating it on first use (private half in the keychain,
// like every other secret).
func (v *Vault) SigningKey() (ed25519.PrivateKey, error) {
	r := v.snapshot()
	if r.Signing == nil {
		if err := v.createSigningKey(); err != nil {
			return nil, err
		}
		r = v.snapshot()
	}
	return v.signingPrivate(r)
}

func (v *Vault) createSigningKey() error {
	var stored secretStore
	var ref string
	err := v.update(func(r *registry) error {
		if r.Signing != nil {
			return nil // another process made it meanwhile
		}
		seed := make([]byte, ed25519.SeedSize)
		if _, err := io.ReadFull(v.rand, seed); err != nil {
			return fmt.Errorf("failed to make a signing key: %w", err)
		}
		priv := ed25519.NewKeyFromSeed(seed)
		ref = newID()
		stored = v.secrets(r)
		err := stored.put(ref, encodeSigningSeed(seed))
		clear(seed)
		if err != nil {
			stored.service = ""
			return fmt.Errorf("failed to save the signing key: %w", err)
		}
		r.Signing = &signingRecord{PublicKey: priv.Public().(ed25519.PublicKey), Secret: ref, Created: v.now().UTC().Truncate(time.Second)}
		clear(priv)
		return nil
	})
	if err != nil && stored.service != "" {
		_ = stored.delete(ref)
	}
	return err
}

func encodeSigningSeed(seed []byte) string {
	return signingSecretPrefix + base64.StdEncoding.EncodeToString(seed)
}

var errDamagedSigningKey = errors.New("the signing key in the system keychain is damaged")

func decodeSigningSeed(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(s, signingSecretPrefix)
	if !ok {
		return nil, errDamagedSigningKey
	}
	seed, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, errDamagedSigningKey
	}
	return seed, nil
}

// signingPrivate reads the vault's signing key from the keychain and checks
// it against the public half in the registry.
func (v *Vault) signingPrivate(r *registry) (ed25519.PrivateKey, error) {
	s, err := v.secrets(r).get(r.Signing.Secret)
	if errors.Is(err, ErrSecretMissing) {
		return nil, fmt.Errorf("the signing key is not in this computer's keychain (was the settings folder copied from another computer? restore a backup with \"ossvault key restore\"): %w", ErrSecretMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read the signing key: %w", err)
	}
	seed, err := decodeSigningSeed(s)
	if err != nil {
		return nil, err
	}
	priv := ed25519.NewKeyFromSeed(seed)
	clear(seed)
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), r.Signing.PublicKey) {
		return nil, errDamagedSigningKey
	}
	return priv, nil
}

// SigningPublic returns this vault's signing public key, if it has one yet.
func (v *Vault) SigningPublic() (ed25519.PublicKey, bool) {
	r := v.snapshot()
	if r.Signing == nil {
		return nil, false
	}
	return bytes.Clone(r.Signing.PublicKey), true
}

// Signer names the writer of an object signed with pub: this vault's own
// signing key gives the name of the default key (else of the first key that
// opens files, else "this computer"); a colleague's gives the name of the
// entry it was added with. known is false for a key this vault does not
// hold. fingerprint is SigningFingerprint(pub) either way.
func (v *Vault) Signer(pub ed25519.PublicKey) (name, fingerprint string, known bool) {
	fingerprint = SigningFingerprint(pub)
	if len(pub) != ed25519.PublicKeySize {
		return "", fingerprint, false
	}
	r := v.snapshot()
	if r.Signing != nil && bytes.Equal(r.Signing.PublicKey, pub) {
		return r.ownName(), fingerprint, true
	}
	for _, rec := range r.Keys {
		if rec.SigningKey != nil && bytes.Equal(rec.SigningKey, pub) {
			return rec.Name, fingerprint, true
		}
	}
	return "", fingerprint, false
}

func (r *registry) ownName() string {
	if _, d := r.key(r.Default); d != nil && r.Default != "" {
		return r.Default
	}
	for _, rec := range r.Keys {
		if rec.Kind != KindRSAPublic {
			return rec.Name
		}
	}
	return "this computer"
}

// MarkVerified records that the colleague's key name was compared with
// them (the fingerprints read out or checked side by side).
func (v *Vault) MarkVerified(name string) (Key, error) {
	var key Key
	err := v.update(func(r *registry) error {
		_, rec := r.key(name)
		if rec == nil {
			return fmt.Errorf("%w: %q", ErrKeyNotFound, name)
		}
		if rec.Kind != KindRSAPublic {
			return fmt.Errorf("key %q is not a colleague's public key: only keys added with \"key add-public\" are compared with their owner", name)
		}
		rec.Verified = true
		key = r.toKey(rec)
		return nil
	})
	return key, err
}

// parseSigningPEM finds the signing public key block in an exported file,
// if there is one.
func parseSigningPEM(data []byte) (ed25519.PublicKey, error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, nil
		}
		if block.Type != SigningPEMType {
			continue
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("the file's signing key is damaged: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("the file's signing key is a %s key, not Ed25519", keyTypeName(k))
		}
		return pub, nil
	}
}

func marshalSigningPEM(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("failed to encode the signing key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: SigningPEMType, Bytes: der}), nil
}

// signingKeyFor is the signing public key exported with rec: this vault's
// own (created on first use) for a key pair, the colleague's for their
// public key, none for anything else.
func (v *Vault) signingKeyFor(rec *keyRecord) (ed25519.PublicKey, error) {
	switch rec.Kind {
	case KindRSA:
		if pub, ok := v.SigningPublic(); ok {
			return pub, nil
		}
		priv, err := v.SigningKey()
		if err != nil {
			return nil, err
		}
		return priv.Public().(ed25519.PublicKey), nil
	case KindRSAPublic:
		return rec.SigningKey, nil
	}
	return nil, nil
}

// changedKey refuses a colleague's public key added under a name that holds
// different keys: a different RSA key, or a signing key where there was
// none or another.
func changedKey(old, rec *keyRecord) error {
	if rec.Kind != KindRSAPublic || old.Fingerprint == rec.Fingerprint && bytes.Equal(old.SigningKey, rec.SigningKey) {
		return nil
	}
	fp := func(k []byte) string {
		if k == nil {
			return "none"
		}
		return SigningFingerprint(k)
	}
	return fmt.Errorf("%w: %q is stored with key %s and signing key %s, but this file has key %s and signing key %s; "+
		"if they really changed their keys (ask them and compare the fingerprints), run \"ossvault key rm %s\" and add the file again",
		ErrKeyChanged, old.Name, old.Fingerprint, fp(old.SigningKey), rec.Fingerprint, fp(rec.SigningKey), old.Name)
}

// sameSigner refuses a colleague's signing key already stored under
// another name: each signing key names one writer.
func (r *registry) sameSigner(rec *keyRecord) error {
	if rec.SigningKey == nil {
		return nil
	}
	for _, old := range r.Keys {
		if old.Name != rec.Name && bytes.Equal(old.SigningKey, rec.SigningKey) {
			return fmt.Errorf("%w: the same signing key is already stored with %q", ErrKeyExists, old.Name)
		}
	}
	return nil
}
