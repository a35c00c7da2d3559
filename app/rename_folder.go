package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ossvault/ossvault/transfer"
)

// A folder is every object under its prefix, so renaming one is renaming
// each of them (see rename.go): a copy made on the server, re-signed for an
// ossvault file, then the old one deleted. Nothing may be lost on the way,
// so every copy is made before any original goes: should one copy fail
// (a tampered file, a name taken meanwhile, the network), the copies made
// are removed again and the folder is as it was. Only the objects that
// were copied are deleted afterwards: a file a colleague adds to the old
// folder meanwhile stays where it was put.

// RenameFolder gives the folder prefix (a key ending in "/") the name
// newName beside it and returns its new prefix. The name must be free: a
// file or a folder of that name there fails with an error matching
// transfer.ErrExists, and nothing changes. progress, if not nil, is called
// with the files copied so far and their total.
func (s *realStorage) RenameFolder(ctx context.Context, loc Location, prefix, newName string, progress func(done, total int)) (string, error) {
	b := (*Service)(s)
	if prefix == "" || !strings.HasSuffix(prefix, "/") {
		return "", fmt.Errorf("failed to rename %q: %w", prefix, transfer.ErrNotAFolder)
	}
	base, err := RenamedKey(strings.TrimSuffix(prefix, "/"), newName)
	if err != nil {
		return "", fmt.Errorf("failed to rename %s: %w", prefix, err)
	}
	newPrefix := base + "/"
	if newPrefix == prefix {
		return prefix, nil
	}
	st, err := b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return "", err
	}
	if err := nameFree(ctx, st, base); err != nil {
		return "", fmt.Errorf("failed to rename %s to %s: %w", prefix, newPrefix, err)
	}
	var keys []string
	err = st.List(ctx, prefix, true, func(e transfer.Entry) error {
		if !transfer.IsInternalKey(e.Key) {
			keys = append(keys, e.Key)
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("failed to list %s: %w", prefix, err)
	}
	for _, k := range keys {
		if nk := newPrefix + k[len(prefix):]; len(nk) > maxKeyLen {
			return "", fmt.Errorf("failed to rename %s: %w: %s would be a key of %d bytes, over OSS's %d", prefix, transfer.ErrInvalidName, k, len(nk), maxKeyLen)
		}
	}
	etags, err := b.copyFolder(ctx, st, keys, prefix, newPrefix, progress)
	if err != nil {
		return "", err
	}
	_ = b.copiesFollow(loc, prefix, newPrefix) // as Rename does
	var failed []string
	var why error
	for _, k := range keys {
		var err error
		if strings.HasSuffix(k, "/") {
			err = st.Delete(ctx, k) // a folder's marker holds nothing
		} else {
			err = deleteCopied(ctx, st, k, etags[k])
		}
		if err != nil {
			failed = append(failed, k)
			why = cmp.Or(why, err)
		}
	}
	if len(failed) > 0 {
		return newPrefix, fmt.Errorf("renamed %s to %s, but %d of its %d files and folders are in the old folder too, the first %s: %w", prefix, newPrefix, len(failed), len(keys), failed[0], why)
	}
	return newPrefix, nil
}

// nameFree fails with transfer.ErrExists when a file named base or a
// folder base+"/" is there.
func nameFree(ctx context.Context, st transfer.Bucket, base string) error {
	if _, err := st.Head(ctx, base); err == nil {
		return fmt.Errorf("%w: a file of that name is there", transfer.ErrExists)
	} else if !errors.Is(err, transfer.ErrNoSuchObject) {
		return err
	}
	errTaken := errors.New("taken")
	err := st.List(ctx, base+"/", true, func(transfer.Entry) error { return errTaken })
	switch {
	case errors.Is(err, errTaken):
		return fmt.Errorf("%w: a folder of that name is there", transfer.ErrExists)
	case err != nil:
		return err
	}
	return nil
}

// copyFolder copies every key from under prefix to under newPrefix and
// returns the ETag each file was copied from, or, failing, removes the
// copies it made and says which file failed.
func (b *Service) copyFolder(ctx context.Context, st transfer.Bucket, keys []string, prefix, newPrefix string, progress func(done, total int)) (map[string]string, error) {
	var made []string
	undo := func() {
		// Not ctx: a canceled rename still takes back what it made.
		for _, k := range made {
			_ = st.Delete(context.WithoutCancel(ctx), k)
			_ = transfer.DeleteLeaves(context.WithoutCancel(ctx), st, k)
		}
	}
	files := 0
	for _, k := range keys {
		if !strings.HasSuffix(k, "/") {
			files++
		}
	}
	done := 0
	etags := map[string]string{}
	for _, k := range keys {
		nk := newPrefix + k[len(prefix):]
		var err error
		if strings.HasSuffix(k, "/") {
			// A folder's marker: an empty object, nothing to sign.
			err = st.Put(transfer.WithNoOverwrite(ctx), nk, strings.NewReader(""), 0, nil)
		} else {
			etags[k], err = b.renameCopy(transfer.WithNoOverwrite(ctx), st, k, nk)
		}
		if err != nil {
			undo()
			return nil, fmt.Errorf("failed to rename %s: nothing was changed, because %s could not be copied: %w", prefix, k, err)
		}
		made = append(made, nk)
		if !strings.HasSuffix(k, "/") {
			done++
			if progress != nil {
				progress(done, files)
			}
		}
	}
	return etags, nil
}
