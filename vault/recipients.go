package vault

import (
	"context"
	"errors"

	"github.com/ossvault/ossvault/envelope"
)

// candidate is a key that may open one wrap of an object (envelope.Wraps):
// chosen by that wrap's matdesc, or, for a wrap without one, because it is
// of the wrap's kind.
type candidate struct {
	rec       *keyRecord
	wrap      int
	byMatDesc bool
}

// wrapCandidates are the candidates (see candidates) of every wrap of e,
// the SDK headers' first, so that a recipient of an object locked for
// several keys finds the wrap made for them.
func (r *registry) wrapCandidates(e *envelope.Envelope) []candidate {
	var out []candidate
	for i, w := range e.Wraps() {
		one := &envelope.Envelope{WrapAlg: w.WrapAlg, MatDesc: w.MatDesc, RawMatDesc: w.RawMatDesc}
		by := hasMatDesc(one)
		for _, rec := range r.candidates(one) {
			out = append(out, candidate{rec: rec, wrap: i, byMatDesc: by})
		}
	}
	return out
}

// NamedIdentity is an identity with the name of the key it comes from.
type NamedIdentity struct {
	Name string
	envelope.Identity
}

// NamedIdentities is Identities with each key's name. For an object locked
// for several keys each identity is limited to the wrap whose matdesc
// chose it (envelope.OnlyWrap).
func (v *Vault) NamedIdentities(ctx context.Context, e *envelope.Envelope) ([]NamedIdentity, error) {
	r := v.snapshot()
	var out []NamedIdentity
	var missing error
	made := map[*keyRecord]envelope.Identity{}
	for _, c := range r.wrapCandidates(e) {
		id, ok := made[c.rec]
		if !ok {
			var err error
			id, err = v.identity(ctx, r, c.rec)
			if errors.Is(err, ErrSecretMissing) {
				missing = err
				continue
			}
			if err != nil {
				return nil, err
			}
			made[c.rec] = id
		}
		if len(e.Recipients) > 0 {
			id = envelope.OnlyWrap(id, c.wrap)
		}
		out = append(out, NamedIdentity{Name: c.rec.Name, Identity: id})
	}
	if len(out) == 0 && missing != nil {
		return nil, missing
	}
	return out, nil
}

// RecipientName names the key of this vault, a colleague's public key
// included, whose matdesc is w's, for a listing of an object's recipients.
// A wrap without a matdesc names no one.
func (v *Vault) RecipientName(w envelope.Recipient) (string, bool) {
	one := &envelope.Envelope{WrapAlg: w.WrapAlg, MatDesc: w.MatDesc, RawMatDesc: w.RawMatDesc}
	if !hasMatDesc(one) {
		return "", false
	}
	r := v.snapshot()
	wantKMS := isKMSWrap(w.WrapAlg)
	for i := range r.Keys {
		rec := &r.Keys[i]
		if (rec.Kind == KindKMS) == wantKMS && matDescEqual(rec.MatDesc, one) {
			return rec.Name, true
		}
	}
	return "", false
}
