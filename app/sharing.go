package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// shareLinkMax is the longest a link can work: OSS's limit for a V1 signed
// URL that the command line also keeps.
const shareLinkMax = 7 * 24 * time.Hour

type realSharing Service

// Share signs a link to the object if one of its wraps is the colleague's
// key. Otherwise it first stores a copy that their key opens, out of the
// folders' sight (sharedCopyKey), and links to that: for a file ossvault wrote, the same
// ciphertext under an envelope wrapped for them too, copied by the server
// (rewrapCopy); for another client's file, or where the server does not
// copy, decrypted here and encrypted again for their key (relock).
func (s *realSharing) Share(ctx context.Context, loc Location, key, forKey string, expires time.Duration, progress func(done, total int64)) (Shared, error) {
	b := (*Service)(s)
	if expires <= 0 || expires > shareLinkMax {
		return Shared{}, fmt.Errorf("a link works for at most 7 days")
	}
	st, err := b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return Shared{}, err
	}
	target, err := b.vault.Key(forKey)
	if err != nil {
		return Shared{}, err
	}
	info, err := st.Head(ctx, key)
	if err != nil {
		return Shared{}, err
	}
	env, err := envelope.ParseHeader(info.Header)
	if err != nil && !errors.Is(err, envelope.ErrNotEncrypted) {
		return Shared{}, err
	}
	if err != nil || !lockedFor(env, target.MatDesc) {
		c, err := b.copyForShare(ctx, st, loc, key, info.ETag, target.MatDesc, forKey, progress)
		if err != nil {
			return Shared{}, err
		}
		// Kept so that the app can offer to remove the copy once its
		// last link is over; a list that cannot be written costs only
		// that offer (and the reuse of the copy).
		if end := time.Now().Add(expires); end.After(c.Expires) {
			c.Expires = end
		}
		_ = b.rememberCopy(c)
		key = c.Key
	}
	link, err := st.ShareLink(ctx, key, expires)
	if err != nil {
		return Shared{}, err
	}
	return Shared{Link: link, Key: key}, nil
}

// copyForShare is the copy of key, as it is with etag, that forKey opens:
// the one made for them before if it is still there, else a new one.
// Reusing it costs one HEAD where a new copy of another client's file is
// a whole upload again.
func (b *Service) copyForShare(ctx context.Context, st transfer.Bucket, loc Location, key, etag string, target envelope.MatDesc, forKey string, progress func(done, total int64)) (SharedCopy, error) {
	if c, ok := b.copyOf(loc, key, etag, forKey); ok {
		// Still there, and still locked for the key forKey names now (a
		// colleague's key replaced since gets a copy of their own).
		if info, err := st.Head(ctx, c.Key); err == nil {
			if env, err := envelope.ParseHeader(info.Header); err == nil && lockedFor(env, target) {
				return c, nil
			}
		}
	}
	newKey, err := b.copyFor(ctx, st, loc, key, forKey, progress)
	if err != nil {
		return SharedCopy{}, err
	}
	return SharedCopy{Account: loc.Account, Bucket: loc.Bucket, Key: newKey, For: forKey, Of: key, OfETag: etag}, nil
}

// lockedFor says whether one of e's wraps is the key md describes.
func lockedFor(e *envelope.Envelope, md envelope.MatDesc) bool {
	for _, w := range e.Wraps() {
		if w.MatDesc.Equal(md) {
			return true
		}
	}
	return false
}

// copyFor stores the copy of key that forKey opens and returns its name.
func (b *Service) copyFor(ctx context.Context, st transfer.Bucket, loc Location, key, forKey string, progress func(done, total int64)) (string, error) {
	newKey, err := sharedCopyKey(key)
	if err != nil {
		return "", err
	}
	err = b.rewrapCopy(ctx, st, key, newKey, forKey, progress)
	var re *transfer.RemoteError
	switch {
	case err == nil:
		return newKey, nil
	case errors.Is(err, errNoServerCopy), errors.Is(err, transfer.ErrRewrapUnprotected),
		errors.As(err, &re) && re.Op == "CopyObject" && !errors.Is(err, transfer.ErrSourceChanged):
		// Another client's file, or a server that does not copy (or not
		// this size): the copy is made by passing the content through.
		if err := b.transfers.relock(ctx, loc, key, newKey, forKey, progress); err != nil {
			return "", err
		}
		return newKey, nil
	}
	return "", canceledAs(ctx, err)
}

var errNoServerCopy = errors.New("the storage cannot copy objects")

// rewrapCopy copies key to newKey on the server, its data key wrapped for
// forKey as well: nothing is decrypted and only the envelope is sent.
func (b *Service) rewrapCopy(ctx context.Context, st transfer.Bucket, key, newKey, forKey string, progress func(done, total int64)) error {
	rs, ok := st.(transfer.RewrapStore)
	if !ok {
		return errNoServerCopy
	}
	w, err := b.vault.Wrapper(ctx, forKey)
	if err != nil {
		return err
	}
	signer, err := b.vault.SigningKey()
	if err != nil {
		return err
	}
	rw := &transfer.Rewrapper{Keys: b.vault, Signer: signer, Policy: b.opts.Retry}
	return rw.Copy(ctx, rs, key, newKey, []envelope.Wrapper{w}, progress)
}

func (s *realSharing) OpenLink(_ context.Context, link, dir string) (JobID, error) {
	return s.transfers.openLink(link, dir)
}

// sharedCopyKey is a new object key for a copy of key made for sharing:
// SharedPrefix, a random folder of its own, and key's own file name. The
// copy stays out of the folders' sight, where "NAME (for Bob)" beside each
// shared file cluttered them, and the person it is for saves it under its
// plain name. Each share gets its own folder, so that one copy's link
// expiring, and the copy being removed, never takes another's.
func sharedCopyKey(key string) (string, error) {
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("failed to name the copy: %w", err)
	}
	return transfer.SharedPrefix + hex.EncodeToString(id[:]) + "/" + path.Base(key), nil
}

// relock stores newKey, a copy of an object locked for another key. The
// plaintext passes through memory only, never through a file.
// progress, if not nil, gets the bytes done of both halves (reading the
// original, then sending the copy) out of twice the object's size.
//
// When ctx ends, the copy is not left in the bucket: a multipart upload is
// aborted (the uploader keeps one for a resume only when paused), and a copy
// that was already complete is deleted.
func (t *realTransfers) relock(ctx context.Context, loc Location, key, newKey, forKey string, progress func(done, total int64)) error {
	if progress == nil {
		progress = func(int64, int64) {}
	}
	st, err := t.b.Store(loc.Account, loc.Bucket)
	if err != nil {
		return err
	}
	w, err := t.b.vault.Wrapper(ctx, forKey)
	if err != nil {
		return err
	}
	info, err := st.Head(ctx, key)
	if err != nil {
		return err
	}
	// The transfer engine tells a canceled job from a paused one by the
	// context's cause.
	jobCtx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	stop := context.AfterFunc(ctx, func() { cancel(transfer.ErrCanceled) })
	defer stop()

	// The plaintext goes from the download to the upload through memory
	// only (a pipe, and the upload's part buffers), never through a file:
	// a copy in the temp folder would outlive a crash and be readable by
	// anything running as this user. The download's verdict closes the
	// pipe, so an altered object fails the upload before it completes.
	size := info.Size
	pr, pw := io.Pipe()
	go func() {
		down := &transfer.Downloader{Keys: t.b.vault, Policy: t.b.opts.Retry}
		_, err := down.Stream(jobCtx, st, key, pw, func(done, total int64) { progress(done, 2*total) })
		pw.CloseWithError(err)
	}()
	up := &transfer.Uploader{Store: st, Keys: t.b.vault, Policy: t.b.opts.Retry, SignerFrom: t.b.vault.SigningKey,
		PartSize: envelope.PartSize(size, transfer.DefaultPartSize)}
	err = up.UploadStream(jobCtx, pr, transfer.UploadJob{Source: key, Bucket: loc.Bucket, Key: newKey, Wrapper: w},
		func(done, _ int64) { progress(size+done, 2*size) })
	pr.CloseWithError(err) // a failed upload stops the download
	if err != nil {
		return canceledAs(ctx, err)
	}
	if ctx.Err() != nil {
		// Canceled as the last part went up: the user asked for no copy.
		dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer dcancel()
		if derr := st.Delete(dctx, newKey); derr != nil {
			return fmt.Errorf("failed to delete the canceled copy %q: %w", newKey, derr)
		}
		return ctx.Err()
	}
	return nil
}

// canceledAs says that the user stopped the work, rather than the engine's
// wording of it, when ctx ended.
func canceledAs(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
