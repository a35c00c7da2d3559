package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ossvault/ossvault/internal/atomicfile"
	"github.com/ossvault/ossvault/transfer"
)

// The copies Share makes for a colleague stay in the bucket after their
// link has expired, beside the original, until someone removes them. The
// service keeps a list of the copies it made, in the home folder (names
// and times only), so that the app can offer to remove those whose link
// is over.

// sharedCopiesFile lists the copies made for sharing.
const sharedCopiesFile = "shared-copies.json"

// SharedCopy is a copy Share made of a file for a colleague.
type SharedCopy struct {
	Account string    `json:"account"`
	Bucket  string    `json:"bucket"`
	Key     string    `json:"key"`
	For     string    `json:"for"`
	Expires time.Time `json:"expires"`
	// Of is the key of the file copied, and OfETag its ETag then: while
	// the file is unchanged and the copy is there, sharing it with the
	// same colleague again links to this copy rather than make another.
	// Empty in lists written before they were kept.
	Of     string `json:"of,omitempty"`
	OfETag string `json:"of_etag,omitempty"`
}

// Location is the folder the copy is in.
func (c SharedCopy) Location() Location {
	return Location{Account: c.Account, Bucket: c.Bucket}
}

// copiesMu serialises the list's read-modify-write.
var copiesMu sync.Mutex

func (b *Service) copiesPath() string { return filepath.Join(b.home, sharedCopiesFile) }

func (b *Service) loadCopies() ([]SharedCopy, error) {
	data, err := os.ReadFile(b.copiesPath())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cs []SharedCopy
	if err := json.Unmarshal(data, &cs); err != nil {
		return nil, fmt.Errorf("the list of shared copies in %s is damaged: %w", b.copiesPath(), err)
	}
	return cs, nil
}

func (b *Service) saveCopies(cs []SharedCopy) error {
	data, err := json.MarshalIndent(cs, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(b.copiesPath(), data)
}

// editCopies replaces the list by what edit makes of it, under copiesMu.
func (b *Service) editCopies(edit func([]SharedCopy) []SharedCopy) error {
	copiesMu.Lock()
	defer copiesMu.Unlock()
	cs, err := b.loadCopies()
	if err != nil {
		return err
	}
	return b.saveCopies(edit(cs))
}

// rememberCopy adds c to the list, replacing an entry for the same object
// (the same file shared again with the same colleague: its new link's end
// counts).
func (b *Service) rememberCopy(c SharedCopy) error {
	return b.editCopies(func(cs []SharedCopy) []SharedCopy {
		cs = slices.DeleteFunc(cs, func(x SharedCopy) bool {
			return x.Account == c.Account && x.Bucket == c.Bucket && x.Key == c.Key
		})
		return append(cs, c)
	})
}

// copyOf is the newest copy listed of the object key in loc, as it was
// with etag, made for forKey.
func (b *Service) copyOf(loc Location, key, etag, forKey string) (SharedCopy, bool) {
	copiesMu.Lock()
	defer copiesMu.Unlock()
	cs, err := b.loadCopies()
	if err != nil || etag == "" {
		return SharedCopy{}, false
	}
	var best SharedCopy
	found := false
	for _, c := range cs {
		if c.Account == loc.Account && c.Bucket == loc.Bucket && c.Of == key && c.OfETag == etag && c.For == forKey &&
			(!found || c.Expires.After(best.Expires)) {
			best, found = c, true
		}
	}
	return best, found
}

// ExpiredCopies lists the copies made for sharing whose link has expired.
func (s *realSharing) ExpiredCopies(context.Context) ([]SharedCopy, error) {
	b := (*Service)(s)
	copiesMu.Lock()
	defer copiesMu.Unlock()
	cs, err := b.loadCopies()
	if err != nil {
		return nil, err
	}
	var out []SharedCopy
	now := time.Now()
	for _, c := range cs {
		if now.After(c.Expires) {
			out = append(out, c)
		}
	}
	return out, nil
}

// RemoveCopies deletes the copies from their buckets (with their leaf
// tables) and from the list. A copy already gone leaves the list too; one
// that cannot be deleted stays listed, and the first error is returned.
func (s *realSharing) RemoveCopies(ctx context.Context, copies []SharedCopy) error {
	_, err := (*Service)(s).deleteCopies(ctx, copies)
	return err
}

// CopiesOf lists the copies made to share the file key in loc or, for a
// key ending in "/", any file under that folder. It reads the list only,
// so that a confirmation can ask it without waiting on the network.
func (s *realSharing) CopiesOf(loc Location, key string) ([]SharedCopy, error) {
	return (*Service)(s).copiesIn(loc, func(c SharedCopy) bool { return copiedFrom(c, key) })
}

// copiedFrom says whether c is a copy of the file key or, for a key
// ending in "/", of a file under it.
func copiedFrom(c SharedCopy, key string) bool {
	if strings.HasSuffix(key, "/") {
		return strings.HasPrefix(c.Of, key)
	}
	return c.Of == key
}

// copiesIn lists the copies in loc's account and bucket that match.
func (b *Service) copiesIn(loc Location, match func(SharedCopy) bool) ([]SharedCopy, error) {
	copiesMu.Lock()
	defer copiesMu.Unlock()
	cs, err := b.loadCopies()
	if err != nil {
		return nil, err
	}
	var out []SharedCopy
	for _, c := range cs {
		if c.Account == loc.Account && c.Bucket == loc.Bucket && match(c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// deleteCopies deletes copies from their buckets, with their leaf tables,
// and from the list. A copy already gone leaves the list too; those that
// cannot be deleted stay listed and are returned, with the first reason
// (or the list's, when it cannot be written).
func (b *Service) deleteCopies(ctx context.Context, copies []SharedCopy) ([]SharedCopy, error) {
	gone := map[SharedCopy]bool{}
	var left []SharedCopy
	var first error
	for _, c := range copies {
		st, err := b.Store(c.Account, c.Bucket)
		if err == nil {
			err = st.Delete(ctx, c.Key)
		}
		if err != nil && !errors.Is(err, transfer.ErrNoSuchObject) {
			if first == nil {
				first = fmt.Errorf("failed to remove the shared copy %s: %w", c.Key, err)
			}
			left = append(left, c)
			continue
		}
		if err == nil {
			_ = transfer.DeleteLeaves(ctx, st, c.Key)
		}
		gone[c] = true
	}
	if len(gone) > 0 {
		err := b.editCopies(func(cs []SharedCopy) []SharedCopy {
			return slices.DeleteFunc(cs, func(c SharedCopy) bool { return gone[c] })
		})
		if err != nil {
			return left, err
		}
	}
	return left, first
}

// CopiesLeftError: a file or folder was deleted, as asked, but some of the
// copies made to share it could not be, and their links open them until
// they expire. The copies stay listed, for RemoveCopies.
type CopiesLeftError struct {
	// Of is the key of the file or folder deleted.
	Of string
	// Left are the copies still in the bucket, Err why the first is.
	Left []SharedCopy
	Err  error
}

func (e *CopiesLeftError) Error() string {
	return fmt.Sprintf("deleted %s, but %d of the copies made to share it could not be deleted, and their links still work: %v", e.Of, len(e.Left), e.Err)
}

func (e *CopiesLeftError) Unwrap() error { return e.Err }

// deleteCopiesOf deletes the listed copies in loc that match, once what
// they were copied from, of (a key or a folder), is deleted: a link sent
// for a file must not outlive it. It fails with a *CopiesLeftError when
// some could not be.
func (b *Service) deleteCopiesOf(ctx context.Context, loc Location, of string, match func(SharedCopy) bool) error {
	// A list that cannot be read is said where the app reads it for its
	// expired copies; the delete asked for is done.
	cs, _ := b.copiesIn(loc, match)
	return b.deleteListed(ctx, of, cs)
}

// deleteListed deletes the copies cs of of, which is deleted, and fails
// with a *CopiesLeftError when some could not be.
func (b *Service) deleteListed(ctx context.Context, of string, cs []SharedCopy) error {
	if len(cs) == 0 {
		return nil
	}
	// The original is gone already: its copies go even if the user stops
	// now, or their links would outlive it.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	left, err := b.deleteCopies(ctx, cs)
	if len(left) == 0 {
		// At most the list was not written: it then names copies that
		// are gone, which the next removal drops.
		return nil
	}
	return &CopiesLeftError{Of: of, Left: left, Err: err}
}

// copiesFollow gives the listed copies of the file key, or of the files
// under the folder key, in loc, the name newKey (or the folder newKey) the
// file was renamed to: they are still copies of it, and deleting it under
// its new name must find them.
func (b *Service) copiesFollow(loc Location, key, newKey string) error {
	if cs, err := b.copiesIn(loc, func(c SharedCopy) bool { return copiedFrom(c, key) }); err != nil || len(cs) == 0 {
		return err // most renames: no list to write
	}
	return b.editCopies(func(cs []SharedCopy) []SharedCopy {
		for i, c := range cs {
			if c.Account == loc.Account && c.Bucket == loc.Bucket && copiedFrom(c, key) {
				cs[i].Of = newKey + c.Of[len(key):]
			}
		}
		return cs
	})
}
