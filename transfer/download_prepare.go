package transfer

import (
	"context"
	"errors"
	"fmt"

	"github.com/ossvault/ossvault/envelope"
)

// prepared is an object ready to read: its version, key and the plaintext
// range wanted.
type prepared struct {
	info       ObjectInfo
	env        *envelope.Envelope
	dk         *envelope.DataKey
	start, end int64 // inclusive; end < start for an empty selection
	chunk      int64
	verify     bool // the whole object is read, so the MAC can be checked
}

func (d *Downloader) prepare(ctx context.Context, src Reader, key string, r *ByteRange) (*prepared, error) {
	var info ObjectInfo
	err := d.policy().Do(ctx, func() (err error) {
		info, err = src.Head(ctx, key)
		return err
	})
	if err != nil {
		return nil, err
	}
	p := &prepared{info: info, start: 0, end: info.Size - 1}
	env, err := envelope.ParseHeader(info.Header)
	if err == nil && env.TrailersInTags {
		env, err = d.withTags(ctx, src, key, &info)
		p.info = info
	}
	switch {
	case errors.Is(err, envelope.ErrNotEncrypted):
	case err != nil:
		return nil, err
	default:
		var ids []envelope.Identity
		if d.Keys != nil {
			if ids, err = d.Keys.Identities(ctx, env); err != nil {
				return nil, err
			}
		}
		if p.dk, err = envelope.Open(ctx, env, ids...); err != nil {
			if errors.Is(err, envelope.ErrNoKey) && env.Marked && namesKey(d.Keys, env) {
				// The key the object names is here and was tried: the
				// wrapped key, the counter or the key check were changed.
				p.env = env
				return p, fmt.Errorf("the key the object names is on this computer but does not open it, so its envelope was altered: %w", envelope.ErrIntegrity)
			}
			return nil, err
		}
		p.env = env
		// Checked before any byte is fetched, so that a range of such an
		// object fails as the whole object would.
		if err := env.RequireIntegrity(); err != nil {
			return p, err
		}
	}
	if d.RequireVerified && (p.env == nil || p.env.Integrity == nil) {
		what := "it is not encrypted"
		if p.env != nil {
			what = "it was written by another client and carries no integrity check"
		}
		return p, notVerifiedError(what)
	}
	if r != nil {
		switch {
		case r.Suffix > 0:
			p.start = max(info.Size-r.Suffix, 0)
		case r.Start >= info.Size && info.Size > 0:
			return nil, Permanent(fmt.Errorf("the range starts at byte %d but the object has %d bytes", r.Start, info.Size))
		default:
			p.start = r.Start
			if r.End >= 0 && r.End < p.end {
				p.end = r.End
			}
		}
	}
	p.verify = p.env != nil && p.start == 0 && p.end == info.Size-1
	if p.verify {
		if err := checkRecordedSize(p.env, info.Size); err != nil {
			return p, err
		}
	}
	p.chunk = d.ChunkSize
	if p.chunk <= 0 {
		p.chunk = 8 << 20
	}
	if p.env != nil && p.env.Integrity != nil && p.env.Integrity.ChunkSize > 0 {
		cs := p.env.Integrity.ChunkSize
		p.chunk = (p.chunk + cs - 1) / cs * cs
	}
	return p, nil
}

// withTags reads the envelope of an object whose MAC was written as tags
// after a multipart upload: the tags named in envelope.TrailerHeaders join
// its headers (in info.Header too, for the result). A tag that is missing
// leaves the MAC missing, and the object fails as stripped.
func (d *Downloader) withTags(ctx context.Context, src Reader, key string, info *ObjectInfo) (*envelope.Envelope, error) {
	var tags map[string]string
	err := d.policy().Do(ctx, func() (err error) {
		tags, err = src.GetTagging(ctx, key)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("failed to read the object's integrity check from its tags: %w", err)
	}
	h, err := envelope.MergeTrailers(info.Header, tags)
	if err != nil {
		return nil, err
	}
	info.Header = h
	return envelope.ParseHeader(h)
}

func envIntegrity(e *envelope.Envelope) *envelope.Integrity {
	if e == nil {
		return nil
	}
	return e.Integrity
}

// checkRecordedSize fails an object whose size differs from the one its
// MAC records, before a byte of a whole-object read is fetched.
func checkRecordedSize(env *envelope.Envelope, size int64) error {
	if in := envIntegrity(env); in != nil && in.Size != size {
		return fmt.Errorf("the object has %d bytes but was written with %d: %w", size, in.Size, envelope.ErrIntegrity)
	}
	return nil
}
