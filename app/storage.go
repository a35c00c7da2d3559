package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

type realStorage Service

func (s *realStorage) Buckets(ctx context.Context, account string) ([]string, error) {
	c, err := (*Service)(s).Connection(account)
	if err != nil {
		return nil, err
	}
	return c.ListBuckets(ctx)
}

// List is one page of the engine's listing: the folder's objects and
// subfolders merged in key order.
func (s *realStorage) List(ctx context.Context, loc Location, token string, max int) (Page, error) {
	st, err := (*Service)(s).Store(loc.Account, loc.Bucket)
	if err != nil {
		return Page{}, err
	}
	res, err := st.ListPage(ctx, loc.Prefix, "/", token, max)
	if err != nil {
		return Page{}, err // it names the folder already
	}
	res = transfer.HideInternal(res) // ossvault's own leaf tables
	var p Page
	for _, cp := range res.Prefixes {
		p.Entries = append(p.Entries, Entry{Name: strings.TrimSuffix(cp[len(loc.Prefix):], "/"), Key: cp, Folder: true})
	}
	for _, o := range res.Objects {
		if o.Key == loc.Prefix {
			continue // the folder's own marker object
		}
		p.Entries = append(p.Entries, Entry{Name: o.Key[len(loc.Prefix):], Key: o.Key, Size: o.Size, Modified: o.LastModified})
	}
	sort.Slice(p.Entries, func(i, j int) bool { return p.Entries[i].Key < p.Entries[j].Key })
	p.Next = res.Next
	return p, nil
}

// Lock reads one object's headers and names the key it was locked with.
func (s *realStorage) Lock(ctx context.Context, loc Location, key string) (Lock, error) {
	b := (*Service)(s)
	st, err := b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return Lock{}, err
	}
	info, err := st.Head(ctx, key)
	if err != nil {
		return Lock{}, err
	}
	env, err := envelope.ParseHeader(info.Header)
	if errors.Is(err, envelope.ErrNotEncrypted) {
		return Lock{Kind: LockNotEncrypted, ETag: info.ETag}, nil
	}
	if err != nil {
		return Lock{}, err
	}
	read := true
	if env.TrailersInTags {
		// An upload in parts keeps its tamper check and signature in its
		// tags: one more request, for the rows that are on screen.
		env, read = withTags(ctx, st, key, info, env)
	}
	l := b.lockOf(env)
	l.ETag = info.ETag
	if l.Seal == SealPresent && read {
		if err := env.RequireIntegrity(); err != nil {
			// A signature that does not check, or one removed from an
			// envelope that must carry it: altered, as a download would
			// find.
			l.Seal = SealBroken
		} else {
			l.Writer = b.writerOf(env, loc.Bucket, key)
		}
	}
	return l, nil
}

// withTags is env with the trailers its tags hold. When the tags cannot
// be read it returns env as it is and false: the list then says only
// that the file is protected, and the download decides. Tags that were
// read but do not fit the envelope leave it without its check, which
// RequireIntegrity refuses.
func withTags(ctx context.Context, st transfer.Reader, key string, info transfer.ObjectInfo, env *envelope.Envelope) (*envelope.Envelope, bool) {
	tags, err := st.GetTagging(ctx, key)
	if err != nil {
		return env, false
	}
	h, err := envelope.MergeTrailers(info.Header, tags)
	if err != nil {
		return env, true
	}
	merged, err := envelope.ParseHeader(h)
	if err != nil {
		return env, true
	}
	return merged, true
}

// writerOf says who signed env, and whether it was written under another
// name than bucket and key.
func (b *Service) writerOf(env *envelope.Envelope, bucket, key string) Writer {
	if !env.Signed() {
		return Writer{}
	}
	name, fp, _ := b.vault.Signer(env.Signer)
	own, ok := b.vault.SigningPublic()
	return Writer{Signed: true, Name: name, Fingerprint: fp, Me: ok && own.Equal(env.Signer),
		UploadedAs: env.UploadedAs(), UploadedAt: env.UploadedAt,
		Moved: env.UploadedBucket != bucket || env.UploadedKey != key}
}

// lockOf says who an envelope is locked for, from this vault's point of view.
func (b *Service) lockOf(env *envelope.Envelope) Lock {
	l := Lock{Seal: SealAbsent}
	switch {
	case env.Integrity != nil:
		l.Seal = SealPresent
	case env.Marked:
		// ossvault wrote it and its tamper check is gone: stripped, which a
		// download refuses; "not protected" would invite the download.
		l.Seal = SealBroken
	}
	k, ok := b.vault.KeyFor(env)
	if !ok {
		k, ok = b.colleagueFor(env)
	}
	switch {
	case ok && k.Kind == vault.KindRSAPublic:
		l.Kind, l.KeyName = LockColleague, k.Name
	case ok && k.Kind == vault.KindKMS:
		l.Kind, l.KeyName = LockKMS, k.Name
	case ok:
		l.Kind, l.KeyName = LockMine, k.Name
	case env.RawMatDesc == "" && len(b.privateKeys()) > 0:
		// No description to go by: one of my keys may open it, which only
		// a download can tell.
		l.Kind = LockMine
	default:
		l.Kind = LockKeyMissing
		if _, isDefault := env.MatDesc["ossvault-key"]; !isDefault {
			l.KeyName = OwnerFromMatDesc(env.RawMatDesc)
		}
	}
	return l
}

// colleagueFor finds the colleague's key an envelope was locked for. The
// vault's KeyFor names only keys that open an object, so without this a copy
// shared with Alice reads as locked with a key not on this computer.
func (b *Service) colleagueFor(env *envelope.Envelope) (vault.Key, bool) {
	if len(env.MatDesc) == 0 {
		return vault.Key{}, false
	}
	for _, k := range b.vault.Keys() {
		if k.Kind == vault.KindRSAPublic && k.MatDesc.Equal(env.MatDesc) {
			return k, true
		}
	}
	return vault.Key{}, false
}

func (b *Service) privateKeys() []vault.Key {
	var out []vault.Key
	for _, k := range b.vault.Keys() {
		if k.CanOpen() {
			out = append(out, k)
		}
	}
	return out
}

// Delete deletes the file key, then the copies made to share it: their
// links stop working with it. Copies that cannot be deleted fail it with
// a *CopiesLeftError, the file being gone all the same.
func (s *realStorage) Delete(ctx context.Context, loc Location, key string) error {
	b := (*Service)(s)
	st, err := b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return err
	}
	if err := st.Delete(ctx, key); err != nil {
		return err
	}
	// A table left behind is harmless (transfer.DeleteLeaves).
	_ = transfer.DeleteLeaves(ctx, st, key)
	return b.deleteCopiesOf(ctx, loc, key, func(c SharedCopy) bool { return copiedFrom(c, key) || c.Key == key })
}

func (s *realStorage) FolderSize(ctx context.Context, loc Location, prefix string) (int, int64, error) {
	if prefix == "" || !strings.HasSuffix(prefix, "/") {
		return 0, 0, fmt.Errorf("failed to count the files in %q: %w", prefix, transfer.ErrNotAFolder)
	}
	st, err := (*Service)(s).Store(loc.Account, loc.Bucket)
	if err != nil {
		return 0, 0, err
	}
	files, size := 0, int64(0)
	err = st.List(ctx, prefix, true, func(e transfer.Entry) error {
		if !strings.HasSuffix(e.Key, "/") { // a folder's marker is no file
			files++
			size += e.Size
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("failed to count the files in %q: %w", prefix, err)
	}
	return files, size, nil
}

// DeleteFolder deletes everything under prefix, then the copies made to
// share the files that were in it, and the list's entries of copies that
// were in it themselves. Copies that cannot be deleted add a
// *CopiesLeftError to what it returns.
func (s *realStorage) DeleteFolder(ctx context.Context, loc Location, prefix string, progress func(deleted, total int)) (int, error) {
	b := (*Service)(s)
	st, err := b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return 0, err
	}
	n, err := transfer.DeletePrefix(ctx, st, prefix, progress)
	if n == 0 && err != nil {
		return 0, err // nothing went, so no copy goes
	}
	cs, _ := b.copiesIn(loc, func(c SharedCopy) bool {
		return copiedFrom(c, prefix) || strings.HasPrefix(c.Key, prefix)
	})
	if err != nil {
		// Some files stayed, and so do the copies of those still there:
		// one HEAD per copy, of which there are few.
		cs = slices.DeleteFunc(cs, func(c SharedCopy) bool {
			if !copiedFrom(c, prefix) {
				return false
			}
			_, herr := st.Head(context.WithoutCancel(ctx), c.Of)
			return !errors.Is(herr, transfer.ErrNoSuchObject)
		})
	}
	if cerr := b.deleteListed(ctx, prefix, cs); cerr != nil {
		return n, errors.Join(err, cerr)
	}
	return n, err
}

func (s *realStorage) NewFolder(ctx context.Context, loc Location, name string) error {
	st, err := (*Service)(s).Store(loc.Account, loc.Bucket)
	if err != nil {
		return err
	}
	return st.Put(ctx, loc.Prefix+name+"/", strings.NewReader(""), 0, nil)
}

// DeleteFolder deletes a folder through s and says what came of it: the
// objects that could not be deleted are no error here but counted in
// FolderDeletion.Failed, with the first reason in Why, so that screens
// need not know the engine's *transfer.DeleteError. Shared copies that
// could not be deleted are its error, a *CopiesLeftError.
func DeleteFolder(ctx context.Context, s Storage, loc Location, prefix string, progress func(deleted, total int)) (FolderDeletion, error) {
	n, err := s.DeleteFolder(ctx, loc, prefix, progress)
	var de *transfer.DeleteError
	if errors.As(err, &de) {
		// Copies of its files that could not be deleted are still said.
		var left *CopiesLeftError
		if !errors.As(err, &left) {
			left = nil
		}
		return FolderDeletion{Deleted: de.Deleted, Failed: de.Failed, Why: de.Err}, asError(left)
	}
	return FolderDeletion{Deleted: n}, err
}

// asError is e as an error, nil when e is: a nil *CopiesLeftError is not.
func asError(e *CopiesLeftError) error {
	if e == nil {
		return nil
	}
	return e
}
