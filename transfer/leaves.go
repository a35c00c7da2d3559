package transfer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ossvault/ossvault/envelope"
)

// InternalPrefix is the folder at the root of a bucket where ossvault keeps
// objects of its own beside the user's: the leaf tables that let a range
// of an object be checked without reading all of it (envelope's doc,
// "Checking a range"). Listings hide it (IsInternalKey, HideInternal).
const InternalPrefix = ".ossvault/"

// leavesPrefix holds one leaf table per object, under the object's key.
const leavesPrefix = InternalPrefix + "leaves/"

// SharedPrefix holds the copies made for sharing a file with someone it
// was not locked for, each in a folder of its own so that it keeps the
// file's plain name. They are the user's files, out of the folders' sight,
// so unlike the rest of InternalPrefix they have leaf tables.
const SharedPrefix = InternalPrefix + "shared/"

// maxKeyLen is the longest object key OSS accepts, in bytes.
const maxKeyLen = 1023

// IsInternalKey reports whether key (an object or a folder) is one of
// ossvault's own, which listings do not show the user.
func IsInternalKey(key string) bool {
	return strings.HasPrefix(key, InternalPrefix)
}

// HideInternal returns p without ossvault's own objects and folders.
func HideInternal(p Page) Page {
	out := Page{Next: p.Next}
	for _, e := range p.Objects {
		if !IsInternalKey(e.Key) {
			out.Objects = append(out.Objects, e)
		}
	}
	for _, f := range p.Prefixes {
		if !IsInternalKey(f) {
			out.Prefixes = append(out.Prefixes, f)
		}
	}
	return out
}

// LeavesKey is the key of the leaf table of the object key, or "" when it
// has none: ossvault's own objects, and keys too long to take the prefix.
func LeavesKey(key string) string {
	if key == "" || IsInternalKey(key) && !strings.HasPrefix(key, SharedPrefix) || len(leavesPrefix)+len(key) > maxKeyLen {
		return ""
	}
	return leavesPrefix + key
}

// LeavesPrefix is the prefix of the leaf tables of the objects under
// prefix, or "" when there are none to look for: the whole bucket's
// listing holds them already, and ossvault's own keys have none.
func LeavesPrefix(prefix string) string {
	if prefix == "" || IsInternalKey(prefix) {
		return ""
	}
	return leavesPrefix + prefix
}

// leafTable is the encoded leaf table of a finished Summer's object, or
// nil for an object of one chunk or none: a range of it is the whole
// object, which is checked as such.
func leafTable(sum *envelope.Summer) []byte {
	in := sum.Envelope().Integrity
	if in == nil || in.Size <= in.ChunkSize {
		return nil
	}
	t, err := sum.LeafTable()
	if err != nil {
		return nil
	}
	return t
}

// putLeafTable stores table as the leaf table of key, once the object and
// its tags are written. It is best effort: the object is complete and
// verifies without it, and a range of it then reads as not verified (or,
// where only verified reads are accepted, is checked by reading the whole
// object), so a failure here, such as no permission on InternalPrefix,
// must not fail the upload.
func (u *Uploader) putLeafTable(ctx context.Context, key string, table []byte) {
	lk := LeavesKey(key)
	if lk == "" || table == nil {
		return
	}
	_ = u.st().Put(ctx, lk, bytes.NewReader(table), int64(len(table)), nil)
}

// DeleteLeaves deletes the leaf table of the object key, after the object
// itself. A table left behind does no harm (it names the MAC of an object
// that is gone, so no later object under that name accepts it), so callers
// may ignore the error.
func DeleteLeaves(ctx context.Context, s interface {
	Delete(ctx context.Context, key string) error
}, key string) error {
	lk := LeavesKey(key)
	if lk == "" {
		return nil
	}
	return s.Delete(ctx, lk)
}

// Why a range was not verified, as Result.RangeWhy says it after the
// object's name.
const (
	whyNoTable      = "has no leaf table (it was written by another client or an older ossvault, copied, or its table was removed)"
	whyForeignTable = "has a leaf table of another object or of an earlier version of it (it was uploaded again by another client or an older ossvault, or the table was replaced)"
	whyBadTable     = "has a damaged leaf table, or one of a format this version does not know"
	whyLink         = "was read through a shared link, which reaches the object but not its leaf table"
	whyDenied       = "has a leaf table this account may not read"
)

// rangeByLeaves prepares the check of p's range (an object carrying a MAC,
// not read whole) from the object's leaf table. It returns what to fetch
// and the verifier to give it: the whole chunks that hold the range, or
// the whole object when those are all of it (no table needed). When the
// range cannot be verified this way it returns a nil verifier and the
// reason, a phrase that follows the object's name. An error matching
// envelope.ErrIntegrity means the object or its table was altered.
func (d *Downloader) rangeByLeaves(ctx context.Context, src Reader, key string, p *prepared) (*prepared, *envelope.Verifier, string, error) {
	in := p.env.Integrity
	if err := checkRecordedSize(p.env, p.info.Size); err != nil {
		return nil, nil, "", err
	}
	cs := in.ChunkSize
	fp := *p
	fp.start = p.start / cs * cs
	fp.end = min((p.end/cs+1)*cs, p.info.Size) - 1
	if fp.start == 0 && fp.end == p.info.Size-1 {
		fp.verify = true
		return &fp, envelope.NewVerifier(p.env, p.dk), "", nil
	}
	if _, isLink := src.(*Link); isLink || key == "" {
		return nil, nil, whyLink, nil
	}
	lk := LeavesKey(key)
	if lk == "" {
		return nil, nil, whyNoTable, nil
	}
	want := envelope.LeafTableSize(in)
	var table []byte
	err := d.policy().Do(ctx, func() error {
		// One byte more than this object's table: a longer one is not its.
		body, _, err := src.GetRange(ctx, lk, 0, want, "")
		if err != nil {
			return err
		}
		defer body.Close()
		table, err = io.ReadAll(io.LimitReader(body, want+1))
		return err
	})
	switch {
	case errors.Is(err, ErrNoSuchObject):
		return nil, nil, whyNoTable, nil
	case errors.Is(err, ErrAccessDenied):
		return nil, nil, whyDenied, nil
	case err != nil:
		return nil, nil, "", fmt.Errorf("failed to read the object's leaf table: %w", err)
	}
	ver, err := envelope.NewRangeVerifier(p.env, p.dk, table, p.start, p.end)
	switch {
	case errors.Is(err, envelope.ErrLeafTableForeign):
		return nil, nil, whyForeignTable, nil
	case errors.Is(err, envelope.ErrLeafTableMalformed):
		return nil, nil, whyBadTable, nil
	case err != nil:
		return nil, nil, "", err
	}
	fp.start, fp.end = ver.Span()
	return &fp, ver, "", nil
}
