package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// OSS renames nothing: a new name is a copy made on the server and the old
// object deleted. An object ossvault protects is signed under its name
// (envelope.SetWriter), so a plain copy would read as "uploaded under
// another name"; it is copied as a re-wrap for the same people instead
// (transfer.Rewrapper), which reads it once, verifies it and signs the
// copy as this user's under its new name. Nobody vouches for content they
// did not check: an altered object is refused before anything is written.
// Another client's object carries no signature to keep right, and is
// copied with its metadata as it is.

// ErrRenameFolder: a folder is every object under its prefix, and renaming
// it means copying each of them; Rename does files only.
var ErrRenameFolder = errors.New("a folder cannot be renamed, only the files in it")

// maxKeyLen is the longest object key OSS accepts, in bytes.
const maxKeyLen = 1023

// RenamedKey is the key the object key gets when renamed to name: the same
// folder, the new last element. It fails with an error matching
// transfer.ErrInvalidName when name is empty, holds a "/", is ossvault's
// own, or makes a key longer than OSS takes.
func RenamedKey(key, name string) (string, error) {
	dir := key[:strings.LastIndex(key, "/")+1]
	newKey := dir + name
	switch {
	case name == "" || strings.TrimSpace(name) == "":
		return "", fmt.Errorf("%w: the new name is empty", transfer.ErrInvalidName)
	case strings.Contains(name, "/"):
		return "", fmt.Errorf("%w: the new name %q holds a \"/\"", transfer.ErrInvalidName, name)
	case name == "." || name == "..":
		return "", fmt.Errorf("%w: %q is no file name", transfer.ErrInvalidName, name)
	case len(newKey) > maxKeyLen:
		return "", fmt.Errorf("%w: the new name makes a key of %d bytes, over OSS's %d", transfer.ErrInvalidName, len(newKey), maxKeyLen)
	case transfer.IsInternalKey(newKey):
		return "", fmt.Errorf("%w: %q is ossvault's own", transfer.ErrInvalidName, newKey)
	}
	return newKey, nil
}

// Rename gives the file key in loc the name newName in its folder and
// returns its new key. The new name must be free: a file already there
// fails with an error matching transfer.ErrExists and nothing changes.
// An ossvault file stays locked for the same people and is signed by this
// user under its new name; one that does not verify fails with
// envelope.ErrIntegrity and nothing is written. The old name is deleted
// once the copy is made; if that fails, both names hold the file and the
// error says so.
func (s *realStorage) Rename(ctx context.Context, loc Location, key, newName string) (string, error) {
	b := (*Service)(s)
	if strings.HasSuffix(key, "/") {
		return "", fmt.Errorf("failed to rename %s: %w", key, ErrRenameFolder)
	}
	newKey, err := RenamedKey(key, newName)
	if err != nil {
		return "", fmt.Errorf("failed to rename %s: %w", key, err)
	}
	if newKey == key {
		return key, nil
	}
	st, err := b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return "", err
	}
	if _, err := st.Head(ctx, newKey); err == nil {
		return "", fmt.Errorf("failed to rename %s to %s: %w", key, newKey, transfer.ErrExists)
	} else if !errors.Is(err, transfer.ErrNoSuchObject) {
		return "", err
	}
	// The server refuses the copy if the name is taken in the meantime.
	etag, err := b.renameCopy(transfer.WithNoOverwrite(ctx), st, key, newKey)
	if err != nil {
		return "", fmt.Errorf("failed to rename %s to %s: %w", key, newKey, err)
	}
	// A copy shared is of the file under either name; a list that cannot
	// be written costs only that deleting it leaves the copy.
	_ = b.copiesFollow(loc, key, newKey)
	if err := deleteCopied(ctx, st, key, etag); err != nil {
		return newKey, fmt.Errorf("renamed %s to %s, but the old name holds a file too: %w", key, newKey, err)
	}
	return newKey, nil
}

// ErrChangedMeanwhile: the old name was written again after its copy was
// made, and so holds something the new name does not.
var ErrChangedMeanwhile = errors.New("it was changed while being renamed, and was kept")

// deleteCopied deletes key, and its leaf table, if it is still the object
// copied, whose ETag was etag. One written again since (a colleague's new
// version, between the copy and now) is kept: deleting it would lose what
// was never copied. OSS has no conditional delete, so this narrows the
// window to one HEAD and one DELETE rather than close it.
func deleteCopied(ctx context.Context, st transfer.Bucket, key, etag string) error {
	info, err := st.Head(ctx, key)
	switch {
	case errors.Is(err, transfer.ErrNoSuchObject):
		return nil
	case err != nil:
		return err
	case info.ETag != etag:
		return ErrChangedMeanwhile
	}
	if err := st.Delete(ctx, key); err != nil {
		return err
	}
	// A table left behind is harmless (transfer.DeleteLeaves).
	_ = transfer.DeleteLeaves(ctx, st, key)
	return nil
}

// renameCopy copies key to newKey on the server: a re-wrap signed by this
// user for an ossvault object, the content and metadata as they are for
// any other. It returns the ETag of the object it copied.
func (b *Service) renameCopy(ctx context.Context, st transfer.Bucket, key, newKey string) (string, error) {
	rs, ok := st.(transfer.RewrapStore)
	if !ok {
		return "", errNoServerCopy
	}
	info, err := st.Head(ctx, key)
	if err != nil {
		return "", err
	}
	env, err := envelope.ParseHeader(info.Header)
	switch {
	case err == nil && (env.Marked || env.Integrity != nil):
		// Ours: it must open and verify here to be signed again, even
		// when the check is in the tags, which ParseHeader does not read.
		signer, err := b.vault.SigningKey()
		if err != nil {
			return "", err
		}
		rw := &transfer.Rewrapper{Keys: b.vault, Signer: signer, Policy: b.opts.Retry}
		err = rw.Copy(ctx, rs, key, newKey, nil, nil)
		if !errors.Is(err, transfer.ErrRewrapUnprotected) {
			// The copy is of the object as it was at this HEAD, or
			// it failed with transfer.ErrSourceChanged.
			return info.ETag, err
		}
	case err != nil && !errors.Is(err, envelope.ErrNotEncrypted):
		return "", err
	}
	// Another client's, which need not open here: its content and
	// metadata go as they are, from the version this HEAD saw.
	return info.ETag, rs.CopyWithMeta(ctx, key, newKey, info.ETag, info.Header.Get("Content-Type"), userMeta(info.Header))
}

// userMeta is the object's metadata as CopyWithMeta takes it: the names
// after "x-oss-meta-", in lower case.
func userMeta(h http.Header) map[string]string {
	const prefix = "x-oss-meta-"
	m := map[string]string{}
	for k, v := range h {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, prefix) && len(v) > 0 {
			m[lk[len(prefix):]] = v[0]
		}
	}
	return m
}
