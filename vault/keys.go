package vault

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"slices"
	"time"

	"github.com/ossvault/ossvault/envelope"
)

// Kind is what a key can do.
type Kind string

// Key kinds, as "key list" prints them.
const (
	// KindRSA is an RSA key pair: it locks and opens files.
	KindRSA Kind = "rsa"
	// KindRSAPublic is a colleague's RSA public key: it only locks files.
	KindRSAPublic Kind = "rsa-public"
	// KindKMS is an Alibaba Cloud KMS key: KMS locks and opens the data keys.
	KindKMS Kind = "kms"
)

// Key describes one key. It holds no secret.
type Key struct {
	Name        string
	Kind        Kind
	Fingerprint string
	// MatDesc is written with every object locked with this key and picks
	// this key when opening one.
	MatDesc envelope.MatDesc
	Default bool
	Created time.Time
	// Bits is the RSA modulus size (0 for KMS keys).
	Bits int
	// KMS is set for KindKMS keys.
	KMS *KMSKey
	// SigningFingerprint is that of the colleague's signing key stored
	// with their public key ("" if none); Verified says it was compared
	// with them.
	SigningFingerprint string
	Verified           bool
}

// KMSKey is where a KMS key lives and whose credentials reach it.
type KMSKey struct {
	KeyID  string
	Region string
	// Endpoint is empty for the region's public KMS endpoint, else a VPC or
	// dedicated-instance host[:port].
	Endpoint string
	// Account is the account whose credentials are used when the key has
	// none of its own.
	Account string
	// OwnCredentials is true when credentials are stored with the key.
	OwnCredentials bool
}

// CanOpen reports whether the key can open files (not a public key only).
func (k Key) CanOpen() bool { return k.Kind == KindRSA || k.Kind == KindKMS }

// DefaultMatDesc is the matdesc given to a new key unless the caller chooses
// one: derived from the key itself, not its local name, so a colleague's copy
// of the public half produces objects that the owner's pair matches.
func DefaultMatDesc(fingerprint string) envelope.MatDesc {
	return envelope.MatDesc{"ossvault-key": fingerprint}
}

func (r *registry) toKey(rec *keyRecord) Key {
	k := Key{
		Name:        rec.Name,
		Kind:        rec.Kind,
		Fingerprint: rec.Fingerprint,
		MatDesc:     rec.MatDesc,
		Default:     rec.Name == r.Default,
		Created:     rec.Created,
		Bits:        rec.Bits,
		Verified:    rec.Verified,
	}
	if rec.SigningKey != nil {
		k.SigningFingerprint = SigningFingerprint(rec.SigningKey)
	}
	if rec.KMS != nil {
		k.KMS = &KMSKey{
			KeyID:          rec.KMS.KeyID,
			Region:         rec.KMS.Region,
			Endpoint:       rec.KMS.Endpoint,
			Account:        rec.KMS.Account,
			OwnCredentials: rec.Secret != "",
		}
	}
	return k
}

// Keys returns every key in the order they were added.
func (v *Vault) Keys() []Key {
	r := v.snapshot()
	keys := make([]Key, 0, len(r.Keys))
	for i := range r.Keys {
		keys = append(keys, r.toKey(&r.Keys[i]))
	}
	return keys
}

// Key returns the named key, or an error wrapping ErrKeyNotFound.
func (v *Vault) Key(name string) (Key, error) {
	r := v.snapshot()
	_, rec := r.key(name)
	if rec == nil {
		return Key{}, fmt.Errorf("%w: %q", ErrKeyNotFound, name)
	}
	return r.toKey(rec), nil
}

// DefaultKey returns the default key, or ErrNoDefaultKey.
func (v *Vault) DefaultKey() (Key, error) {
	r := v.snapshot()
	_, rec := r.key(r.Default)
	if r.Default == "" || rec == nil {
		return Key{}, ErrNoDefaultKey
	}
	return r.toKey(rec), nil
}

// SetDefault makes the named key the one used when none is given.
func (v *Vault) SetDefault(name string) error {
	return v.update(func(r *registry) error {
		if _, rec := r.key(name); rec == nil {
			return fmt.Errorf("%w: %q", ErrKeyNotFound, name)
		}
		r.Default = name
		return nil
	})
}

// Remove deletes the named key and its secret, then what was kept for it
// elsewhere (WithKeyRemoved). Files locked with a removed private key
// cannot be opened again unless it is restored from a backup.
func (v *Vault) Remove(name string) error {
	var secret string
	var service secretStore
	var removed Key
	err := v.update(func(r *registry) error {
		i, rec := r.key(name)
		if rec == nil {
			return fmt.Errorf("%w: %q", ErrKeyNotFound, name)
		}
		secret, service, removed = rec.Secret, v.secrets(r), r.toKey(rec)
		v.keys.drop(r.VaultID + "/" + rec.Secret)
		r.Keys = slices.Delete(r.Keys, i, i+1)
		if r.Default == name {
			r.Default = ""
		}
		return nil
	})
	if err != nil {
		return err
	}
	// What was kept for the key (WithKeyRemoved) goes too, even if the
	// key's own secret cannot be deleted below.
	hookErr := v.keyRemoved(removed)
	// The registry no longer names the secret; deleting it second means a
	// failure here leaves an orphaned entry rather than a key without its
	// private half.
	if secret != "" {
		if err := service.delete(secret); err != nil {
			return fmt.Errorf("removed key %q, but %w", name, err)
		}
	}
	return hookErr
}

// GenerateRSA creates an RSA key pair of 2048, 3072 or 4096 bits. A nil md
// means DefaultMatDesc. The first key generated or imported becomes the
// default.
func (v *Vault) GenerateRSA(ctx context.Context, name string, bits int, md envelope.MatDesc) (Key, error) {
	if err := checkName("key", name); err != nil {
		return Key{}, err
	}
	if bits != 2048 && bits != 3072 && bits != 4096 {
		return Key{}, fmt.Errorf("an RSA key has 2048, 3072 or 4096 bits, not %d", bits)
	}
	if _, err := v.Key(name); err == nil {
		return Key{}, fmt.Errorf("%w: %q", ErrKeyExists, name)
	}
	if err := ctx.Err(); err != nil {
		return Key{}, err
	}
	priv, err := rsa.GenerateKey(v.rand, bits)
	if err != nil {
		return Key{}, fmt.Errorf("failed to generate an RSA key: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return Key{}, err
	}
	return v.addRSA(name, &priv.PublicKey, priv, md)
}

// ImportPrivateKey adds an RSA key pair from an unencrypted PKCS#1 or PKCS#8
// PEM private key. md is the description other clients wrote with it (nil
// means DefaultMatDesc).
func (v *Vault) ImportPrivateKey(name string, pemData []byte, md envelope.MatDesc) (Key, error) {
	if err := checkName("key", name); err != nil {
		return Key{}, err
	}
	priv, err := parsePrivateKeyPEM(pemData)
	if err != nil {
		return Key{}, err
	}
	return v.addRSA(name, &priv.PublicKey, priv, md)
}

// AddPublicKey adds a colleague's RSA public key (PKIX or PKCS#1 PEM): files
// can be locked for its owner, not opened. A second PEM block of type
// SigningPEMType, as "key export-public" writes, is their signing key:
// objects it signs then read as theirs. A name that already holds other
// keys is refused with ErrKeyChanged.
func (v *Vault) AddPublicKey(name string, pemData []byte, md envelope.MatDesc) (Key, error) {
	if err := checkName("key", name); err != nil {
		return Key{}, err
	}
	pub, err := parsePublicKeyPEM(pemData)
	if err != nil {
		return Key{}, err
	}
	sig, err := parseSigningPEM(pemData)
	if err != nil {
		return Key{}, err
	}
	rec, _, err := v.rsaRecord(name, pub, nil, md)
	if err != nil {
		return Key{}, err
	}
	rec.SigningKey = sig
	return v.addKey(rec, "")
}

func (v *Vault) addRSA(name string, pub *rsa.PublicKey, priv *rsa.PrivateKey, md envelope.MatDesc) (Key, error) {
	rec, encoded, err := v.rsaRecord(name, pub, priv, md)
	if err != nil {
		return Key{}, err
	}
	return v.addKey(rec, encoded)
}

func (v *Vault) rsaRecord(name string, pub *rsa.PublicKey, priv *rsa.PrivateKey, md envelope.MatDesc) (keyRecord, string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return keyRecord{}, "", fmt.Errorf("failed to encode the public key: %w", err)
	}
	rec := keyRecord{
		Name:        name,
		Kind:        KindRSAPublic,
		Fingerprint: fingerprintOf(der),
		Created:     v.now().UTC().Truncate(time.Second),
		Bits:        pub.N.BitLen(),
		PublicKey:   der,
	}
	rec.MatDesc = md
	if md == nil {
		rec.MatDesc = DefaultMatDesc(rec.Fingerprint)
	}
	var encoded string
	if priv != nil {
		rec.Kind = KindRSA
		if encoded, err = encodePrivateKey(priv); err != nil {
			return keyRecord{}, "", err
		}
	}
	return rec, encoded, nil
}

// conflict reports a key that rec would duplicate: the same name, or the
// same key under another name.
func (r *registry) conflict(rec *keyRecord) error {
	if _, old := r.key(rec.Name); old != nil {
		if err := changedKey(old, rec); err != nil {
			return err
		}
		return fmt.Errorf("%w: %q", ErrKeyExists, rec.Name)
	}
	if err := r.sameSigner(rec); err != nil {
		return err
	}
	for _, old := range r.Keys {
		if old.Fingerprint == rec.Fingerprint && old.Kind == rec.Kind {
			return fmt.Errorf("%w: the same key is already stored as %q", ErrKeyExists, old.Name)
		}
	}
	return nil
}

// addKey stores secret (if any) in the keychain first and then the record,
// so the registry never names a secret that was not saved; if saving the
// registry fails, the secret is removed again.
func (v *Vault) addKey(rec keyRecord, secret string) (Key, error) {
	var stored secretStore
	var key Key
	err := v.update(func(r *registry) error {
		if err := r.conflict(&rec); err != nil {
			return err
		}
		if secret != "" {
			rec.Secret = newID()
			stored = v.secrets(r)
			if err := stored.put(rec.Secret, secret); err != nil {
				stored.service = ""
				return fmt.Errorf("failed to save key %q: %w", rec.Name, err)
			}
		}
		r.Keys = append(r.Keys, rec)
		if r.Default == "" && rec.Kind != KindRSAPublic {
			r.Default = rec.Name
		}
		key = r.toKey(&r.Keys[len(r.Keys)-1])
		return nil
	})
	if err != nil && stored.service != "" {
		_ = stored.delete(rec.Secret)
	}
	return key, err
}

// ExportPublic returns the key's public half as PKIX PEM, to give to
// colleagues, followed by a SigningPEMType block with the signing key that
// goes with it: this vault's own for a key pair (made on first use), the
// colleague's for their public key if it has one. KMS keys have none.
func (v *Vault) ExportPublic(name string) ([]byte, error) {
	r := v.snapshot()
	_, rec := r.key(name)
	if rec == nil {
		return nil, fmt.Errorf("%w: %q", ErrKeyNotFound, name)
	}
	pub, err := rec.publicKey()
	if err != nil {
		return nil, err
	}
	out, err := marshalPublicPEM(pub)
	if err != nil {
		return nil, err
	}
	sig, err := v.signingKeyFor(rec)
	if err != nil || sig == nil {
		return out, err
	}
	block, err := marshalSigningPEM(sig)
	return append(out, block...), err
}

func (rec *keyRecord) publicKey() (*rsa.PublicKey, error) {
	if rec.Kind == KindKMS {
		return nil, fmt.Errorf("key %q is a KMS key: it has no public half to share (give colleagues access to the KMS key instead)", rec.Name)
	}
	k, err := x509.ParsePKIXPublicKey(rec.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("the key registry entry for %q is damaged: %w", rec.Name, err)
	}
	pub, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("the key registry entry for %q is damaged: not an RSA key", rec.Name)
	}
	return pub, nil
}
