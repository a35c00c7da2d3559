package envelope

import (
	"context"
	"errors"
	"fmt"
)

// Sharing an object with someone new changes its envelope only: the same
// data key and counter, so the same ciphertext, wrapped once more. The MAC
// binds the list of wraps (MACAlgRecipients) and the signature binds the
// MAC, the name and the time, so neither carries over: the one who shares
// computes a new MAC over the unchanged ciphertext (AddCiphertext, which
// needs no plaintext) and signs the result as its writer. The caller
// verifies the old object on the same pass, so that nobody re-signs
// content they did not check.

// Rewrap returns a new envelope for the object e describes, whose data key
// k opened: the same data key, counter and content, locked for every wrap
// of e, in order, and then for each of add (none for a copy under a new
// name, which only needs a new MAC and writer). The first wrap stays in the
// SDK headers, so the official SDKs keep opening it with the same key. The
// result has no MAC and no writer: start a Summer on it.
func Rewrap(ctx context.Context, e *Envelope, k *DataKey, add []Wrapper) (*Envelope, error) {
	if e == nil || k == nil {
		return nil, errors.New("failed to lock the object for more people: no envelope or data key")
	}
	if e.Legacy || e.CEKAlg != CEKAlgAESCTR {
		return nil, fmt.Errorf("failed to lock the object for more people: its %s envelope cannot carry more wraps", e.CEKAlg)
	}
	if err := checkKey(e, k); err != nil {
		return nil, fmt.Errorf("failed to lock the object for more people: %w", err)
	}
	if n := len(e.Wraps()) + len(add); n > maxRecipients+1 {
		return nil, fmt.Errorf("%w: %d keys, at most %d fit the format", ErrTooManyRecipients, n, maxRecipients+1)
	}
	recipients := append([]Recipient(nil), e.Recipients...)
	for _, w := range add {
		r, err := wrapFor(ctx, w, k)
		if err != nil {
			return nil, fmt.Errorf("failed to lock the object for more people: %w", err)
		}
		recipients = append(recipients, r)
	}
	return &Envelope{
		WrappedKey:        e.WrappedKey,
		WrappedIV:         e.WrappedIV,
		CEKAlg:            e.CEKAlg,
		WrapAlg:           e.WrapAlg,
		MatDesc:           e.MatDesc,
		RawMatDesc:        e.matDescString(),
		UnencryptedLength: e.UnencryptedLength,
		UnencryptedMD5:    e.UnencryptedMD5,
		DataSize:          e.DataSize,
		PartSize:          e.PartSize,
		KeyCheck:          keyCheck(k),
		Recipients:        recipients,
	}, nil
}

// AddCiphertext records the leaves of p, content already encrypted under
// the Summer's data key at object offset off, under Seal's rules for off
// and p. It is how a re-wrapped object (Rewrap) gets its MAC from the
// stored ciphertext, with no plaintext anywhere.
func (s *Summer) AddCiphertext(off int64, p []byte) error {
	if err := s.ls.checkSpan(off, int64(len(p))); err != nil {
		return fmt.Errorf("failed to compute the integrity MAC: %w", err)
	}
	if err := s.ls.hashCiphertext(s.ls.s.newMAC(s.ls.mk), off, p); errors.Is(err, errConflict) {
		return fmt.Errorf("%w at offset %d", ErrChanged, off)
	} else if err != nil {
		return fmt.Errorf("failed to compute the integrity MAC: %w", err)
	}
	return nil
}
