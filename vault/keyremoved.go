package vault

import (
	"fmt"

	"github.com/ossvault/ossvault/envelope"
)

// WithKeyRemoved has Remove call f once a key is removed, with the key as
// it was, so that what was kept elsewhere for that key goes with it: the
// transfer journal's unfinished uploads locked for it and the data keys
// kept for them in the keychain (transfer.Journal.ForgetKey). An error
// from f is Remove's, after the key itself is gone.
func WithKeyRemoved(f func(v *Vault, k Key) error) Option {
	return func(v *Vault) { v.onRemove = append(v.onRemove, f) }
}

// keyRemoved runs the WithKeyRemoved hooks for k.
func (v *Vault) keyRemoved(k Key) error {
	for _, f := range v.onRemove {
		if err := f(v, k); err != nil {
			return fmt.Errorf("removed key %q, but %w", k.Name, err)
		}
	}
	return nil
}

// Locks reports whether e was locked for k, as far as the envelope tells:
// of k's wrapping kind (RSA or KMS), with k's matdesc. It is how objects
// pick their key (see Identities), so an envelope without a matdesc is
// attributed to no key. Two keys given the same matdesc both lock it.
func (k Key) Locks(e *envelope.Envelope) bool {
	if e == nil || !hasMatDesc(e) || isKMSWrap(e.WrapAlg) != (k.Kind == KindKMS) {
		return false
	}
	return matDescEqual(k.MatDesc, e)
}
