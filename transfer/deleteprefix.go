package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// DeleteBatch is the most keys one DeleteMultipleObjects request may name.
const DeleteBatch = 1000

// ErrNotAFolder is returned for a prefix that does not name a folder: one
// that is empty (the whole bucket) or does not end in "/" (which would also
// match "report" in "report 2.txt").
var ErrNotAFolder = errors.New("not a folder")

// PrefixStore is what DeletePrefix needs of a bucket; *OSS has it.
type PrefixStore interface {
	List(ctx context.Context, prefix string, recursive bool, fn func(Entry) error) error
	DeleteMany(ctx context.Context, keys []string) ([]string, error)
}

// DeleteError says that some objects under a prefix were not deleted.
type DeleteError struct {
	// Deleted and Failed count objects; Deleted+Failed is every object
	// that was under the prefix when it was listed.
	Deleted, Failed int
	// Err is the first failure.
	Err error
}

func (e *DeleteError) Error() string {
	return fmt.Sprintf("%d of %d objects could not be deleted: %v", e.Failed, e.Deleted+e.Failed, e.Err)
}

func (e *DeleteError) Unwrap() error { return e.Err }

// DeletePrefix deletes every object under the folder prefix, at every
// depth, the folder's own marker object included, in DeleteMultipleObjects
// requests of at most DeleteBatch keys, and returns how many it deleted.
// Their leaf tables go with them, uncounted.
//
// It lists the whole folder first and then deletes, rather than deleting
// page by page while listing, so the listing never walks a folder it is
// changing. A batch that fails does not stop the next ones: what could be
// deleted is, and the rest is counted in a *DeleteError. If ctx ends, no
// further batch starts. progress, if not nil, gets the count deleted so
// far after each batch, and the total.
func DeletePrefix(ctx context.Context, s PrefixStore, prefix string, progress func(deleted, total int)) (int, error) {
	if prefix == "" || !strings.HasSuffix(prefix, "/") {
		return 0, fmt.Errorf("failed to delete %q: %w", prefix, ErrNotAFolder)
	}
	var keys []string
	err := s.List(ctx, prefix, true, func(e Entry) error {
		keys = append(keys, e.Key)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("failed to list the folder %q: %w", prefix, err)
	}
	deleted := 0
	var first error
	for start := 0; start < len(keys); start += DeleteBatch {
		if err := ctx.Err(); err != nil {
			if first == nil {
				first = err
			}
			break
		}
		batch := keys[start:min(start+DeleteBatch, len(keys))]
		done, err := s.DeleteMany(ctx, batch)
		deleted += countDeleted(batch, done)
		if err == nil && len(done) < len(batch) {
			err = fmt.Errorf("the storage deleted %d of %d objects it was asked to", len(done), len(batch))
		}
		if err != nil && first == nil {
			first = err
		}
		if progress != nil {
			progress(deleted, len(keys))
		}
	}
	if ctx.Err() == nil {
		deleteLeafTables(ctx, s, prefix)
	}
	if deleted < len(keys) {
		return deleted, &DeleteError{Deleted: deleted, Failed: len(keys) - deleted, Err: first}
	}
	return deleted, nil
}

// deleteLeafTables deletes the leaf tables of the objects under prefix,
// once the objects are gone. It is best effort, and they are not counted:
// a table left behind names the MAC of an object that no longer exists,
// so no later object accepts it (see LeavesKey).
func deleteLeafTables(ctx context.Context, s PrefixStore, prefix string) {
	lp := LeavesPrefix(prefix)
	if lp == "" {
		return
	}
	var keys []string
	if s.List(ctx, lp, true, func(e Entry) error {
		keys = append(keys, e.Key)
		return nil
	}) != nil {
		return
	}
	for start := 0; start < len(keys) && ctx.Err() == nil; start += DeleteBatch {
		_, _ = s.DeleteMany(ctx, keys[start:min(start+DeleteBatch, len(keys))])
	}
}

// countDeleted counts the keys of batch that the answer says were deleted;
// an answer naming keys that were not asked for does not count them.
func countDeleted(batch, done []string) int {
	asked := make(map[string]bool, len(batch))
	for _, k := range batch {
		asked[k] = true
	}
	n := 0
	for _, k := range done {
		if asked[k] {
			n++
			delete(asked, k)
		}
	}
	return n
}
