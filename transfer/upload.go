package transfer

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync/atomic"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/safetext"
)

// Keys finds the identities that may open an envelope. The vault satisfies
// it; the uploader needs it only to resume an upload begun by an earlier
// process, whose data key exists nowhere but wrapped in the journal.
type Keys interface {
	Identities(ctx context.Context, e *envelope.Envelope) ([]envelope.Identity, error)
}

// Progress receives the bytes done so far and the total. Done can go down
// when a failed part is sent again.
type Progress func(done, total int64)

// Uploader encrypts files into objects.
type Uploader struct {
	// Store is the bucket of the jobs that name none of their own
	// (UploadJob.Store); the uploader retries its transient failures under
	// Policy (DefaultPolicy if nil).
	Store  Store
	Policy *Policy
	// Journal records multipart uploads so that they resume; nil disables
	// resuming.
	Journal *Journal
	// Keys reopens a journaled upload's data key; without it (or without a
	// private key) an interrupted upload starts over with a new key.
	Keys Keys
	// Secrets, if set, keeps the data key of an unfinished multipart upload
	// that Keys cannot reopen (one locked for a colleague's public key)
	// until the upload ends, so that it resumes rather than starting over.
	// The journal never holds it. Uploads that Keys can reopen (own keys,
	// KMS) never use it.
	Secrets JobSecrets
	// PartSize is the smallest part size (DefaultPartSize if 0). Files up
	// to it go up in one PutObject; larger ones in parts of
	// envelope.PartSize(size, PartSize), so that any file OSS accepts
	// fits in 10,000 parts.
	PartSize int64
	// Parts is how many parts of one file are sent at once (4 if 0).
	Parts int
	// Rand is the source of data keys (crypto/rand if nil).
	Rand io.Reader
	// StallTimeout ends an upload in which no byte moved for that long
	// (2 minutes if 0); its journal stays for a later resume.
	StallTimeout time.Duration
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// Signer, if set, signs every object as its writer's, with the job's
	// bucket and key and the time (envelope.SetWriter, Sign).
	Signer ed25519.PrivateKey
	// SignerFrom, used when Signer is nil, gets the signing key when an
	// upload starts (a long-lived uploader whose keychain may be locked
	// when it is made). Its error fails the upload: an object is never
	// written unsigned because the key could not be read.
	SignerFrom func() (ed25519.PrivateKey, error)

	// openSource opens the file to upload (os.Open if nil): tests wrap it
	// to count what is read.
	openSource func(name string) (source, error)
}

// source is the file an upload reads: an *os.File, or a test's wrapper.
type source interface {
	io.ReaderAt
	Stat() (fs.FileInfo, error)
	Close() error
}

func (u *Uploader) open(name string) (source, error) {
	if u.openSource != nil {
		return u.openSource(name)
	}
	return os.Open(name)
}

// UploadJob is one file to upload.
type UploadJob struct {
	Source  string // local file
	Bucket  string // for the journal's identity of the job
	Key     string
	Wrapper envelope.Wrapper
	// Wrappers, when set, lock the object for several keys in place of
	// Wrapper: one data key, wrapped by each; the first is the wrap the
	// official SDKs see (envelope.SealFor).
	Wrappers []envelope.Wrapper
	// Store is the bucket this job writes to; nil means the Uploader's.
	// One queue can so upload to many accounts and buckets.
	Store Store
	// NoOverwrite: an object already under Key, or one that appears there
	// before the upload ends, is not replaced; the upload fails with an
	// error matching ErrExists (see WithNoOverwrite).
	NoOverwrite bool
}

// maxRestarts bounds how often a file that keeps changing is started over.
const maxRestarts = 3

func (u *Uploader) st() Store {
	p := DefaultPolicy
	if u.Policy != nil {
		p = *u.Policy
	}
	return &Retrying{Store: u.Store, Policy: p}
}

func (u *Uploader) partSize() int64 {
	if u.PartSize > 0 {
		return u.PartSize
	}
	return DefaultPartSize
}

func (u *Uploader) now() time.Time {
	if u.Now != nil {
		return u.Now()
	}
	return time.Now()
}

// UploadID is the journal id of an upload job.
func UploadID(source, bucket, key string) string {
	abs, err := filepath.Abs(source)
	if err != nil {
		abs = source
	}
	return JobID("upload", abs, bucket, key)
}

// Upload encrypts job.Source into job.Key.
//
// If ctx is canceled with cause ErrPaused, or the network (or the storage's
// space) fails for longer than the retries last, the journal keeps the
// upload for a resume; the latter error matches ErrResumable. A pause lets
// the parts in flight finish for a few seconds (pauseGrace) and returns
// only once their requests have ended, so that the resume sends them no
// more and nothing of the paused run reaches the server later. With cause
// ErrCanceled, or on a permanent failure, the unfinished upload is aborted
// and its journal removed. A file that changes while it uploads is
// started over with a new data key: the same key and counter never encrypt
// two different contents.
func (u *Uploader) Upload(ctx context.Context, job UploadJob, progress Progress) error {
	u = u.forJob(job)
	if job.NoOverwrite {
		ctx = WithNoOverwrite(ctx)
	}
	if progress == nil {
		progress = func(int64, int64) {}
	}
	for restart := 0; ; restart++ {
		err := u.uploadOnce(ctx, job, progress)
		if errors.Is(err, ErrSourceChanged) && restart < maxRestarts && ctx.Err() == nil {
			continue
		}
		if err != nil {
			return fmt.Errorf("failed to upload %s: %w", safetext.Path(job.Source), err)
		}
		return nil
	}
}

func (u *Uploader) uploadOnce(ctx context.Context, job UploadJob, progress Progress) error {
	f, err := u.open(job.Source)
	if err != nil {
		return Permanent(err)
	}
	defer f.Close()
	st, err := statUpload(f)
	if err != nil {
		return err
	}
	if st.Size > MaxObjectSize {
		return Permanent(fmt.Errorf("the file is %d bytes; OSS stores at most %d", st.Size, int64(MaxObjectSize)))
	}
	if st.Size <= u.partSize() {
		return u.putSmall(ctx, job, f, st, progress)
	}
	return u.putMultipart(ctx, job, f, st, progress)
}

// seal makes a new envelope and data key for an object of size bytes
// (envelope.SizeUnknown for a stream) and starts its integrity MAC, which
// the parts complete as they are encrypted. A multipart upload (partSize >
// 0) keeps its MAC in object tags: OSS fixes the metadata before the
// content exists. A stream's size is left out of the metadata (no
// unencrypted-content-length and data-size, which every reader does
// without) and follows as a tag.
func (u *Uploader) seal(ctx context.Context, job UploadJob, size, partSize int64) (*envelope.Envelope, *envelope.DataKey, *envelope.Summer, error) {
	r := u.Rand
	if r == nil {
		r = rand.Reader
	}
	ws := job.Wrappers
	if len(ws) == 0 {
		ws = []envelope.Wrapper{job.Wrapper}
	}
	env, dk, err := envelope.SealFor(ctx, ws, r)
	if err != nil {
		return nil, nil, nil, Permanent(fmt.Errorf("failed to lock a new data key: %w", err))
	}
	env.UnencryptedLength = size // -1, absent, for a stream
	chunk := envelope.ChunkSizeFor(size)
	if partSize > 0 {
		env.DataSize = max(size, 0) // 0 is absent
		env.PartSize = partSize
		env.TrailersInTags = true
		chunk = envelope.ChunkSizeForParts(size, partSize)
		if size == envelope.SizeUnknown {
			chunk, _ = envelope.StreamLimits(partSize)
		}
	}
	if err := u.bindWriter(env, job); err != nil {
		return nil, nil, nil, err
	}
	sum, err := envelope.NewSummer(env, dk, size, chunk)
	if err != nil {
		return nil, nil, nil, Permanent(err)
	}
	// Before any byte is sent: OSS would refuse the metadata only after
	// the content (a single PUT) or at initiation, in words of its own.
	if err := env.CheckMetaSize(); err != nil {
		sum.Close()
		return nil, nil, nil, Permanent(err)
	}
	return env, dk, sum, nil
}

// putSmall reads the file once into memory, encrypts and authenticates
// that buffer and sends it: the object is by construction what the MAC
// covers, whatever happens to the file meanwhile.
func (u *Uploader) putSmall(ctx context.Context, job UploadJob, f source, st fileState, progress Progress) error {
	buf := make([]byte, st.Size)
	if err := readPart(f, buf, 0); err != nil {
		return err
	}
	// A file that changed while it was read may be torn; read it again,
	// under a new key, rather than store a mix.
	if err := quickUnchanged(f, st); err != nil {
		return err
	}
	return u.putBuffer(ctx, job, buf, progress)
}

// putBuffer encrypts and authenticates buf, the whole plaintext, in place
// and sends it in one PutObject.
func (u *Uploader) putBuffer(ctx context.Context, job UploadJob, buf []byte, progress Progress) error {
	size := int64(len(buf))
	env, _, sum, err := u.seal(ctx, job, size, 0)
	if err != nil {
		return err
	}
	defer sum.Close()
	if _, err := sum.Seal(0, buf); err != nil {
		return err
	}
	if err := sum.Finish(); err != nil {
		return err
	}
	if err := u.sign(env); err != nil {
		return err
	}
	var count atomic.Int64
	stop := report(&count, size, progress)
	defer stop()
	body := &cipherSection{src: bytes.NewReader(buf), n: size, count: &count}
	err = u.st().Put(ctx, job.Key, body, size, env.Meta())
	body.end()
	if err != nil {
		return err
	}
	u.putLeafTable(ctx, job.Key, leafTable(sum))
	return nil
}

func (u *Uploader) putMultipart(ctx context.Context, job UploadJob, f source, st fileState, progress Progress) error {
	id := UploadID(job.Source, job.Bucket, job.Key)
	if u.Journal != nil {
		unlock, err := u.Journal.Lock(id)
		if err != nil {
			return Permanent(err)
		}
		defer unlock()
	}
	// The resumed data key lives on in sum; a new one is kept below.
	rec, _, sum, err := u.resume(ctx, id, job, st)
	if errors.Is(err, errFinished) {
		return nil
	}
	if err != nil {
		return err
	}
	if rec == nil {
		ps := envelope.PartSize(st.Size, u.partSize())
		env, key, s, err := u.seal(ctx, job, st.Size, ps)
		if err != nil {
			return err
		}
		sum = s
		// The MAC does not exist yet (Meta leaves it out); it follows
		// the parts as a tag.
		meta := env.Meta()
		uploadID, err := u.st().InitiateMultipart(ctx, job.Key, meta)
		if err != nil {
			return err
		}
		abs, _ := filepath.Abs(job.Source)
		rec = &uploadRecord{
			Record: Record{ID: id, Kind: "upload", Source: abs, Dest: "oss://" + job.Bucket + "/" + job.Key, Created: u.now().UTC()},
			Bucket: job.Bucket, Key: job.Key, State: st, PartSize: ps, UploadID: uploadID, Meta: meta,
		}
		// The record says a key is kept before the key is, so that no
		// crash leaves a kept key that no record would remove.
		rec.KeptKey = u.mustKeepKey(ctx, env)
		if err := u.startLeaves(rec); err != nil {
			return errors.Join(err, u.abort(rec))
		}
		if err := u.save(rec); err != nil {
			return errors.Join(err, u.abort(rec))
		}
		if rec.KeptKey {
			// Without the copy the upload still works; only a resume
			// would start over, as it did before Secrets existed.
			_ = u.Secrets.Put(keptKeyID(rec.ID), sealKeptKey(rec, key))
		}
	}
	defer sum.Close()
	err = u.sendParts(ctx, f, rec, sum, progress)
	if err == nil {
		err = u.complete(ctx, f, rec, sum)
	}
	switch {
	case err == nil:
		return u.remove(rec)
	case errors.Is(context.Cause(ctx), ErrPaused):
		return err
	case errors.Is(err, ErrSourceChanged), errors.Is(context.Cause(ctx), ErrCanceled), !resumable(err):
		if aerr := u.abort(rec); aerr != nil {
			err = fmt.Errorf("%w; %w", err, aerr)
		}
		// A kept data key that could not be removed is said, not
		// dropped (a restart after a change keeps it under the same
		// name, and its own end removes it).
		if rerr := u.remove(rec); rerr != nil {
			err = fmt.Errorf("%w; %w", err, rerr)
		}
		return err
	default:
		// The network, the service or its space gave out for longer
		// than the retries last (or nothing moved for the stall
		// timeout): keep the journal so that the next run resumes and
		// sends no stored part again.
		return keptForResume(err)
	}
}

// complete checks that every part is there with the right byte count and
// that the file kept its size and modification time, computes the MAC from
// the parts' leaves, completes the upload and writes the MAC as the
// object's tags.
func (u *Uploader) complete(ctx context.Context, f source, rec *uploadRecord, sum *envelope.Summer) error {
	plan := splitParts(rec.State.Size, rec.PartSize)
	sort.Slice(rec.Parts, func(i, k int) bool { return rec.Parts[i].Number < rec.Parts[k].Number })
	var total int64
	for i, p := range rec.Parts {
		if p.Number != i+1 || p.Size != plan[i].Len {
			return Permanent(fmt.Errorf("part %d is missing or has the wrong size", i+1))
		}
		total += p.Size
	}
	if len(rec.Parts) != len(plan) || total != rec.State.Size {
		return Permanent(fmt.Errorf("the parts hold %d of %d bytes", total, rec.State.Size))
	}
	// A file that changed while it was read may have been read torn;
	// the fresh key of a new upload is cheaper than an object that
	// mixes two versions of the file.
	if err := quickUnchanged(f, rec.State); err != nil {
		return err
	}
	if rec.Trailers == nil {
		if err := sum.Finish(); err != nil {
			return Permanent(err)
		}
		if err := u.sign(sum.Envelope()); err != nil {
			return err
		}
		rec.Trailers = envelope.Trailers(rec.Meta, sum.Envelope().Meta())
		if err := u.save(rec); err != nil {
			return err
		}
		rec.leafTable = leafTable(sum)
	} else if sum.Finish() == nil {
		// Resumed after the trailers were made: the leaves are all here.
		rec.leafTable = leafTable(sum)
	}
	return u.completeAndTag(ctx, rec)
}

// completeAndTag completes rec's upload and writes its trailers as the
// object's tags.
func (u *Uploader) completeAndTag(ctx context.Context, rec *uploadRecord) error {
	err := u.st().CompleteMultipart(ctx, rec.Key, rec.UploadID, rec.Parts)
	if errors.Is(err, ErrNoSuchUpload) {
		// A retried Complete whose first try succeeded but whose answer
		// was lost: the object is there if it carries our key.
		info, herr := u.st().Head(ctx, rec.Key)
		if herr == nil && info.Header.Get("X-Oss-Meta-Client-Side-Encryption-Key") == rec.Meta[envelope.HeaderKey] {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	// Until the tags are written the object fails verification (its
	// envelope says its MAC is a tag); the journal keeps them for a
	// resume if this fails.
	if err := u.st().PutTagging(ctx, rec.Key, rec.Trailers); err != nil {
		return fmt.Errorf("%w: %w", errTagsNotWritten, err)
	}
	u.putLeafTable(ctx, rec.Key, rec.leafTable)
	return nil
}

var errTagsNotWritten = errors.New("the object is stored but its integrity check could not be written (as the object's tags), so it does not open until the upload is run again")

// Forget throws away the unfinished upload of job, if any: it aborts it on
// the server and removes its journal record.
func (u *Uploader) Forget(job UploadJob) error {
	u = u.forJob(job)
	if u.Journal == nil {
		return nil
	}
	id := UploadID(job.Source, job.Bucket, job.Key)
	var rec uploadRecord
	ok, err := u.Journal.Load(id, &rec)
	if err != nil || !ok {
		return err
	}
	if reason := rec.check(id, job); reason != "" {
		return u.setAside(id, reason)
	}
	unlock, err := u.Journal.Lock(id)
	if err != nil {
		return err
	}
	defer unlock()
	return errors.Join(u.abort(&rec), u.remove(&rec))
}
