package transfer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ossvault/ossvault/envelope"
)

// Sharing a stored object with someone new without decrypting it and
// without sending it again: its data key is wrapped once more for them
// (envelope.Rewrap), and the server copies the unchanged ciphertext under
// the new envelope. The envelope's MAC binds the list of wraps, so a new
// one is computed from the ciphertext, read once; the same pass verifies
// the object as it is stored, and only a verified object is re-signed, as
// the sharer's: nobody vouches for content they did not check.

// Copier is a store that copies an object on the server with new
// metadata: dst gets src's content byte for byte, meta (names after
// "x-oss-meta-") instead of src's metadata, contentType, and no tags. It
// copies only from the version etag names, else it fails with
// ErrSourceChanged.
type Copier interface {
	CopyWithMeta(ctx context.Context, src, dst, etag, contentType string, meta map[string]string) error
}

// RewrapStore is what Rewrap needs of a bucket.
type RewrapStore interface {
	Store
	Copier
	Name() string
}

// ErrRewrapUnprotected: the object carries no integrity check of
// ossvault's (another client wrote it), so it cannot be shared by
// re-wrapping: re-signing it would vouch for content nobody verified.
var ErrRewrapUnprotected = errors.New("the object was not written by ossvault, so it cannot be shared without encrypting it again")

// Rewrapper locks stored objects for more people.
type Rewrapper struct {
	// Keys opens the objects (one of their wraps must be a key of Keys).
	Keys Keys
	// Signer signs the copies as their writer's.
	Signer ed25519.PrivateKey
	// Policy retries failed requests (DefaultPolicy if nil).
	Policy *Policy
	// Piece is how much ciphertext one request reads (8 MiB if 0).
	Piece int64
}

// Copy copies the object src of st to dst, locked for everyone src is
// locked for and for each of add (none for a copy under a new name),
// signed by the Rewrapper's Signer as written to dst now. Under
// WithNoOverwrite the copy fails with an error matching ErrExists when dst
// is taken. It reads src's ciphertext once (progress counts it)
// and sends nothing but the copy request and dst's leaf table. It fails,
// before any write, with an error matching envelope.ErrIntegrity when src
// does not verify, ErrRewrapUnprotected when it carries no check, and
// envelope.ErrTooManyRecipients when the wraps do not fit its metadata.
func (r *Rewrapper) Copy(ctx context.Context, st RewrapStore, src, dst string, add []envelope.Wrapper, progress Progress) error {
	d := &Downloader{Keys: r.Keys, Policy: r.Policy}
	p, err := d.prepare(ctx, st, src, nil)
	if err != nil {
		return err
	}
	if p.env == nil || p.env.Integrity == nil {
		return ErrRewrapUnprotected
	}
	e, err := envelope.Rewrap(ctx, p.env, p.dk, add)
	if err != nil {
		return err
	}
	if err := e.SetWriter(r.Signer.Public().(ed25519.PublicKey), st.Name(), dst, time.Now()); err != nil {
		return err
	}
	size := p.info.Size
	sum, err := envelope.NewSummer(e, p.dk, size, envelope.ChunkSizeFor(size))
	if err != nil {
		return err
	}
	defer sum.Close()
	if err := e.CheckMetaSize(); err != nil {
		return err
	}
	if err := r.read(ctx, st, src, p, sum, d.policy(), progress); err != nil {
		return err
	}
	if err := sum.Finish(); err != nil {
		return err
	}
	if err := e.Sign(r.Signer); err != nil {
		return err
	}
	err = d.policy().Do(ctx, func() error {
		return st.CopyWithMeta(ctx, src, dst, p.info.ETag, p.info.Header.Get("Content-Type"), e.Meta())
	})
	if err != nil {
		return fmt.Errorf("failed to copy %s to %s: %w", src, dst, err)
	}
	// Best effort, as after an upload: without it a range of the copy is
	// checked by reading all of it. The table replaces any left from an
	// earlier object of that name, even when the copy itself was not to
	// replace one (WithNoOverwrite).
	if lk, table := LeavesKey(dst), leafTable(sum); lk != "" && table != nil {
		tctx := context.WithValue(ctx, noOverwrite{}, false)
		_ = st.Put(tctx, lk, bytes.NewReader(table), int64(len(table)), nil)
	}
	return nil
}

// read streams src's ciphertext, pinned to the version p describes, into
// a verifier of the stored envelope and into sum, and fails unless the
// object verifies.
func (r *Rewrapper) read(ctx context.Context, st Reader, src string, p *prepared, sum *envelope.Summer, pol Policy, progress Progress) error {
	size := p.info.Size
	chunk := sum.Envelope().Integrity.ChunkSize
	piece := r.Piece
	if piece <= 0 {
		piece = 8 << 20
	}
	piece = max(piece/chunk, 1) * chunk // whole chunks, for AddCiphertext
	v := envelope.NewVerifier(p.env, p.dk)
	buf := make([]byte, min(piece, max(size, 1)))
	for off := int64(0); off < size; off += piece {
		n := min(piece, size-off)
		b := buf[:n]
		err := pol.Do(ctx, func() error {
			body, h, err := st.GetRange(ctx, src, off, off+n-1, p.info.ETag)
			if err != nil {
				return err
			}
			defer body.Close()
			if cr := h.Get("Content-Range"); cr != "" {
				if start, _, _, err := envelope.ParseContentRange(cr); err != nil || start != off {
					return Permanent(fmt.Errorf("the server answered the range at %d with %q", off, cr))
				}
			} else if off != 0 || n != size {
				return Permanent(fmt.Errorf("the server ignored the range at %d", off))
			}
			_, err = io.ReadFull(body, b)
			return err
		})
		if err != nil {
			return fmt.Errorf("failed to read %s: %w", src, err)
		}
		if err := v.AddCiphertext(off, b); err != nil {
			return err
		}
		if err := sum.AddCiphertext(off, b); err != nil {
			return err
		}
		if progress != nil {
			progress(off+n, size)
		}
	}
	status, err := v.Finish()
	if err != nil {
		return err
	}
	if status != envelope.Verified {
		return fmt.Errorf("%s did not verify (%v), so it is not shared: %w", src, status, envelope.ErrIntegrity)
	}
	return nil
}
