package vault

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/vault/kms"
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

// KMSKeyOption configures AddKMSKey.
type KMSKeyOption func(*kmsKeyOptions)

type kmsKeyOptions struct {
	account  string
	check    bool
	checkCtx context.Context
}

// UseAccount makes a KMS key without its own credentials use the named
// account's.
func UseAccount(account string) KMSKeyOption {
	return func(o *kmsKeyOptions) { o.account = account }
}

// CheckKMS makes AddKMSKey try the key before saving it: it wraps a random
// 32-byte data key through KMS, as every upload will, with the credentials
// the key would use, and saves the key only if that works. Otherwise
// nothing is written, to the registry or the keychain, and the error wraps
// the vault/kms sentinel saying why (kms.ErrAccessDenied,
// kms.ErrKeyNotFound, kms.ErrKeyDisabled, kms.ErrUnreachable, ...), or
// kms.ErrNoCredentials when no credentials reach the key. ctx bounds the
// try; nil means no bound.
func CheckKMS(ctx context.Context) KMSKeyOption {
	return func(o *kmsKeyOptions) { o.check, o.checkCtx = true, ctx }
}

// AddKMSKey adds an Alibaba Cloud KMS key. endpoint is empty for the
// region's public KMS endpoint, else a VPC or dedicated-instance
// host[:port]. creds, if not nil, are stored with the key in the keychain;
// otherwise the key uses its account's (UseAccount) or the environment's.
// Without CheckKMS the key is saved without contacting KMS (for adding one
// while offline); its first use then finds any mistake.
func (v *Vault) AddKMSKey(name, keyID, region, endpoint string, md envelope.MatDesc, creds *kms.Credentials, opts ...KMSKeyOption) (Key, error) {
	if err := checkName("key", name); err != nil {
		return Key{}, err
	}
	if keyID == "" || trimSpace(keyID) != keyID {
		return Key{}, errors.New("a KMS key needs its key id (for example key-hzz6xxxxxxxxxxxx or an alias/...)")
	}
	if region == "" || !validRegion(region) {
		return Key{}, fmt.Errorf("the KMS region %q is not a region id (for example cn-hangzhou)", region)
	}
	if endpoint != "" {
		var err error
		if endpoint, err = checkKMSEndpoint(endpoint); err != nil {
			return Key{}, err
		}
	}
	var o kmsKeyOptions
	for _, opt := range opts {
		opt(&o)
	}
	kr := &kmsRecord{KeyID: keyID, Region: region, Endpoint: endpoint, Account: o.account}
	if kr.Account != "" {
		if _, err := v.Account(kr.Account); err != nil {
			return Key{}, err
		}
	}
	rec := keyRecord{
		Name:        name,
		Kind:        KindKMS,
		Fingerprint: KMSFingerprint(region, keyID),
		Created:     v.now().UTC().Truncate(time.Second),
		KMS:         kr,
	}
	rec.MatDesc = md
	if md == nil {
		rec.MatDesc = DefaultMatDesc(rec.Fingerprint)
	}
	var encoded string
	if creds != nil {
		if creds.AccessKeyID == "" || creds.AccessKeySecret == "" {
			return Key{}, errors.New("KMS credentials need both an AccessKey ID and an AccessKey secret")
		}
		var err error
		if encoded, err = encodeCredentials(*creds); err != nil {
			return Key{}, err
		}
	}
	if o.check {
		ctx := o.checkCtx
		if ctx == nil {
			ctx = context.Background()
		}
		if err := v.tryKMS(ctx, &rec, creds); err != nil {
			return Key{}, err
		}
	}
	return v.addKey(rec, encoded)
}

// tryKMS wraps a random data key with the KMS key rec describes, before rec
// is saved. A name or key already taken is reported first, without asking
// KMS; addKey checks again under the lock.
func (v *Vault) tryKMS(ctx context.Context, rec *keyRecord, creds *kms.Credentials) error {
	r := v.snapshot()
	if err := r.conflict(rec); err != nil {
		return err
	}
	var c kms.Credentials
	if creds != nil {
		c = *creds
	} else {
		var err error
		if c, err = v.kmsCredentials(r, rec); err != nil {
			return fmt.Errorf("failed to check KMS key %q, so it was not saved: %w", rec.Name, err)
		}
	}
	client, err := v.newKMS(rec.KMS.Region, rec.KMS.Endpoint, c)
	if err != nil {
		return fmt.Errorf("failed to set up KMS for key %q: %w", rec.Name, err)
	}
	probe := make([]byte, 32)
	if _, err := io.ReadFull(v.rand, probe); err != nil {
		return fmt.Errorf("failed to make a test data key: %w", err)
	}
	if _, err := envelope.NewKMSWrapper(client, rec.KMS.KeyID, rec.MatDesc).Wrap(ctx, probe); err != nil {
		return fmt.Errorf("failed to check KMS key %q, so it was not saved: %w", rec.Name, err)
	}
	return nil
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

// privateKey reads an RSA key pair's private half from the keychain.
func (v *Vault) privateKey(r *registry, rec *keyRecord) (*rsa.PrivateKey, error) {
	if rec.Kind == KindRSAPublic {
		return nil, fmt.Errorf("key %q: %w", rec.Name, ErrPublicOnly)
	}
	s, err := v.secrets(r).get(rec.Secret)
	if errors.Is(err, ErrSecretMissing) {
		return nil, fmt.Errorf("the private half of key %q is not in this computer's keychain (was the settings folder copied from another computer? restore a backup with \"ossvault key restore\"): %w", rec.Name, ErrSecretMissing)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read key %q: %w", rec.Name, err)
	}
	priv, err := decodePrivateKey(s)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", rec.Name, err)
	}
	pub, err := rec.publicKey()
	if err != nil {
		return nil, err
	}
	if !pub.Equal(&priv.PublicKey) {
		return nil, fmt.Errorf("key %q: %w", rec.Name, errDamagedKey)
	}
	return priv, nil
}

// Wrapper returns what locks new objects for the named key (the default key
// if name is empty): its RSA public half, or its KMS key.
func (v *Vault) Wrapper(ctx context.Context, name string) (envelope.Wrapper, error) {
	r := v.snapshot()
	if name == "" {
		if r.Default == "" {
			return nil, ErrNoDefaultKey
		}
		name = r.Default
	}
	_, rec := r.key(name)
	if rec == nil {
		return nil, fmt.Errorf("%w: %q", ErrKeyNotFound, name)
	}
	if rec.Kind == KindKMS {
		c, err := v.kmsClient(ctx, r, rec)
		if err != nil {
			return nil, err
		}
		return envelope.NewKMSWrapper(c, rec.KMS.KeyID, rec.MatDesc), nil
	}
	pub, err := rec.publicKey()
	if err != nil {
		return nil, err
	}
	return envelope.NewRSAWrapper(pub, rec.MatDesc), nil
}

// Identity returns what opens objects locked with the named key. A
// colleague's public key gives ErrPublicOnly.
func (v *Vault) Identity(ctx context.Context, name string) (envelope.Identity, error) {
	r := v.snapshot()
	_, rec := r.key(name)
	if rec == nil {
		return nil, fmt.Errorf("%w: %q", ErrKeyNotFound, name)
	}
	return v.identity(ctx, r, rec)
}

func (v *Vault) identity(ctx context.Context, r *registry, rec *keyRecord) (envelope.Identity, error) {
	switch rec.Kind {
	case KindKMS:
		c, err := v.kmsClient(ctx, r, rec)
		if err != nil {
			return nil, err
		}
		return envelope.NewKMSIdentity(c), nil
	case KindRSA:
		priv, err := v.privateKey(r, rec)
		if err != nil {
			return nil, err
		}
		return envelope.NewRSAIdentity(priv), nil
	default:
		return nil, fmt.Errorf("key %q: %w", rec.Name, ErrPublicOnly)
	}
}

// candidates are the keys that may open e, per the contract: the keys whose
// matdesc equals the object's as parsed maps, or, for an object without a
// matdesc, every key that can open files. Only keys of the object's wrapping
// kind (RSA or KMS) are considered.
func (r *registry) candidates(e *envelope.Envelope) []*keyRecord {
	wantKMS := isKMSWrap(e.WrapAlg)
	var out []*keyRecord
	for i := range r.Keys {
		rec := &r.Keys[i]
		if rec.Kind == KindRSAPublic || (rec.Kind == KindKMS) != wantKMS {
			continue
		}
		if hasMatDesc(e) && !matDescEqual(rec.MatDesc, e) {
			continue
		}
		out = append(out, rec)
	}
	return out
}

func isKMSWrap(alg string) bool {
	return alg == envelope.WrapKMS || alg == "kms" || len(alg) >= 3 && (alg[:3] == "KMS" || alg[:3] == "kms")
}

func hasMatDesc(e *envelope.Envelope) bool {
	if len(e.MatDesc) > 0 {
		return true
	}
	raw := trimSpace(e.RawMatDesc)
	return raw != "" && raw != "{}"
}

func matDescEqual(md envelope.MatDesc, e *envelope.Envelope) bool {
	if e.MatDesc == nil {
		// Present but unparseable: nothing of ours can equal it.
		return false
	}
	return md.Equal(e.MatDesc)
}

// Identities returns the identities that may open e (see candidates), private
// keys read from the keychain, KMS keys with clients on their credentials.
// An empty result means no key on this computer matches; envelope.Open then
// reports ErrNoKey naming the object's matdesc. Keys whose private half is
// missing from the keychain are left out; if that leaves none, the error says
// so.
func (v *Vault) Identities(ctx context.Context, e *envelope.Envelope) ([]envelope.Identity, error) {
	named, err := v.NamedIdentities(ctx, e)
	if err != nil {
		return nil, err
	}
	ids := make([]envelope.Identity, len(named))
	for i, n := range named {
		ids[i] = n.Identity
	}
	return ids, nil
}

// NamesKey reports whether a key of this vault that can open objects is
// the one e's matdesc names (transfer.KeyNamer): when it then fails to
// open e, the envelope was altered rather than locked for someone else.
func (v *Vault) NamesKey(e *envelope.Envelope) bool {
	k, ok := v.KeyFor(e)
	return ok && k.CanOpen()
}

// KeyFor names the local key that opens e, for listings. It answers only
// for objects with a matdesc; an object without one can be tried with every
// private key (Identities) but not attributed without opening it.
func (v *Vault) KeyFor(e *envelope.Envelope) (Key, bool) {
	r := v.snapshot()
	for _, c := range r.wrapCandidates(e) {
		if c.byMatDesc {
			return r.toKey(c.rec), true
		}
	}
	return Key{}, false
}
