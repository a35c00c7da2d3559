package vault

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"

	"github.com/ossvault/ossvault/envelope"
)

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
		id := r.VaultID + "/" + rec.Secret
		pub, err := rec.publicKey()
		if err != nil {
			return nil, err
		}
		if priv := v.keys.get(id); priv != nil && pub.Equal(&priv.PublicKey) {
			return envelope.NewRSAIdentity(priv), nil
		}
		priv, err := v.privateKey(r, rec)
		if err != nil {
			return nil, err
		}
		v.keys.put(id, priv)
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
