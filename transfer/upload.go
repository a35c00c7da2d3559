package transfer

import (
	"bytes"
	"cmp"
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
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

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
}

// uploadRecord is an unfinished multipart upload in the journal.
type uploadRecord struct {
	Record
	Bucket   string            `json:"bucket"`
	Key      string            `json:"key"`
	State    fileState         `json:"state"`
	PartSize int64             `json:"part_size"`
	UploadID string            `json:"upload_id"`
	Meta     map[string]string `json:"meta"` // env.Meta(): the wrapped key, never a plaintext one
	Parts    []Part            `json:"parts"`
	// KeptKey says that Uploader.Secrets holds the data key (keptKeyID),
	// so that removing the record removes it too.
	KeptKey bool `json:"kept_key,omitempty"`
	// Sealed holds the integrity leaves of every part read so far,
	// recorded when the part was read and encrypted, before it was sent:
	// they make the MAC of the parts already stored, and decide whether
	// a part sent again is the same plaintext (see envelope.Summer).
	Sealed []sealedPart `json:"sealed,omitempty"`
	// Trailers are the headers written after the content
	// (envelope.TrailerHeaders), as object tags once the upload is
	// complete; set just before CompleteMultipart, so that a run that
	// stops after completing still writes them when it resumes.
	Trailers map[string]string `json:"trailers,omitempty"`
	// leafTable is written after the tags (leaves.go). It is not
	// journaled: a run that only writes the tags of an upload completed
	// earlier (finishTags) leaves the object without one.
	leafTable []byte
}

// sealedPart is one part's integrity leaves, 32 bytes per chunk.
type sealedPart struct {
	Number int    `json:"n"`
	Leaves []byte `json:"leaves"`
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
// upload for a resume; the latter error matches ErrResumable. With cause
// ErrCanceled, or on a permanent failure, the unfinished upload is aborted
// and its journal removed. A file that changes while it uploads is
// started over with a new data key: the same key and counter never encrypt
// two different contents.
func (u *Uploader) Upload(ctx context.Context, job UploadJob, progress Progress) error {
	u = u.forJob(job)
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
	if err := u.st().Put(ctx, job.Key, body, size, env.Meta()); err != nil {
		return err
	}
	u.putLeafTable(ctx, job.Key, leafTable(sum))
	return nil
}

// readPart fills buf from f at off. A file that ends early changed.
func readPart(f io.ReaderAt, buf []byte, off int64) error {
	n, err := f.ReadAt(buf, off)
	if n == len(buf) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		return fmt.Errorf("the file ended at %d bytes, before its size: %w", off+int64(n), ErrSourceChanged)
	}
	return fmt.Errorf("failed to read the file at offset %d: %w", off, err)
}

// report calls progress about every 200 ms from count until stopped, and
// once more at the end.
func report(count *atomic.Int64, total int64, progress Progress) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				progress(count.Load(), total)
			case <-done:
				progress(count.Load(), total)
				return
			}
		}
	}()
	return func() { close(done); wg.Wait() }
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
		u.remove(rec)
		return err
	default:
		// The network, the service or its space gave out for longer
		// than the retries last (or nothing moved for the stall
		// timeout): keep the journal so that the next run resumes and
		// sends no stored part again.
		return keptForResume(err)
	}
}

// errFinished is resume's answer when the journaled upload had been
// completed and only its tags were missing, which it wrote.
var errFinished = errors.New("the upload was already complete")

// resume returns the journaled upload for id with its data key and its
// MAC so far (the leaves of every part read before), or nil when there is
// none to resume. Uploads that cannot be resumed (the file changed, the key
// is not here, the server forgot the upload, a record of an earlier version
// that kept no leaves) are aborted and forgotten. A record that fails its
// checks is set aside without reaching the server (see setAside).
func (u *Uploader) resume(ctx context.Context, id string, job UploadJob, st fileState) (*uploadRecord, *envelope.DataKey, *envelope.Summer, error) {
	if u.Journal == nil {
		return nil, nil, nil, nil
	}
	var rec uploadRecord
	ok, err := u.Journal.Load(id, &rec)
	if err != nil || !ok {
		return nil, nil, nil, err
	}
	if reason := rec.check(id, job); reason != "" {
		return nil, nil, nil, u.setAside(id, reason)
	}
	drop := func() (*uploadRecord, *envelope.DataKey, *envelope.Summer, error) {
		u.abort(&rec)
		return nil, nil, nil, u.remove(&rec)
	}
	if rec.State != st {
		return drop()
	}
	env, err := envelope.ParseMeta(rec.Meta)
	// Records of earlier versions carry their MAC in the metadata and
	// kept no leaves: a part that was in flight could not be checked
	// before it is sent again, so they start over under a new key.
	if err != nil || !env.TrailersInTags || env.Integrity == nil || (env.Integrity.Alg != envelope.MACAlg && env.Integrity.Alg != envelope.MACAlgSigned && env.Integrity.Alg != envelope.MACAlgRecipients) ||
		env.Integrity.ChunkSize != envelope.ChunkSizeForParts(rec.State.Size, rec.PartSize) {
		return drop()
	}
	dk, err := u.reopen(ctx, &rec, env)
	if err != nil {
		return nil, nil, nil, err
	}
	if dk == nil {
		return drop()
	}
	listing, err := u.st().ListParts(ctx, rec.Key, rec.UploadID)
	if errors.Is(err, ErrNoSuchUpload) {
		if rec.Trailers != nil {
			if done, err := u.finishTags(ctx, &rec); done || err != nil {
				return nil, nil, nil, err
			}
		}
		return drop()
	}
	if err != nil {
		if resumable(err) {
			err = keptForResume(err)
		}
		return nil, nil, nil, err
	}
	// The server's copy of the envelope must be the journal's: resuming
	// under another key would leave an object no one can read.
	for k, v := range listing.Meta {
		if rec.Meta[k] != v {
			return drop()
		}
	}
	sum, err := envelope.NewSummer(env, dk, rec.State.Size, env.Integrity.ChunkSize)
	if err != nil {
		return drop()
	}
	plan := splitParts(rec.State.Size, rec.PartSize)
	sealed := make(map[int]bool, len(rec.Sealed))
	for _, sp := range rec.Sealed {
		p := plan[sp.Number-1]
		if err := sum.AddLeaves(p.Off, p.Len, sp.Leaves); err != nil {
			sum.Close()
			return drop()
		}
		sealed[sp.Number] = true
	}
	rec.Parts = rec.Parts[:0]
	for _, p := range listing.Parts {
		if p.Number >= 1 && p.Number <= len(plan) && p.Size == plan[p.Number-1].Len {
			if !sealed[p.Number] {
				// Stored but never recorded as read: what it holds
				// under this key is unknown.
				sum.Close()
				return drop()
			}
			rec.Parts = append(rec.Parts, p)
		}
	}
	if err := u.save(&rec); err != nil {
		sum.Close()
		return nil, nil, nil, err
	}
	return &rec, dk, sum, nil
}

// finishTags writes the trailers of an upload that was completed by an
// earlier run, if the object is still the one it made, and forgets the
// upload. It reports false when the object is not (someone overwrote it).
func (u *Uploader) finishTags(ctx context.Context, rec *uploadRecord) (bool, error) {
	info, err := u.st().Head(ctx, rec.Key)
	if errors.Is(err, ErrNoSuchObject) {
		return false, nil
	}
	if err != nil {
		if resumable(err) {
			err = keptForResume(err)
		}
		return false, err
	}
	if info.Header.Get("X-Oss-Meta-Client-Side-Encryption-Key") != rec.Meta[envelope.HeaderKey] {
		return false, nil
	}
	if err := u.st().PutTagging(ctx, rec.Key, rec.Trailers); err != nil {
		if resumable(err) {
			err = keptForResume(err)
		}
		return false, err
	}
	return true, errors.Join(errFinished, u.remove(rec))
}

// mustKeepKey reports whether a new upload's data key must go to Secrets
// for the upload to resume: its envelope is one that Keys cannot open (a
// colleague's public key). KMS envelopes are left alone: reopening them
// would cost a KMS call, and Keys reopens them on a resume anyway.
func (u *Uploader) mustKeepKey(ctx context.Context, env *envelope.Envelope) bool {
	if u.Secrets == nil || u.Journal == nil || env.WrapAlg == envelope.WrapKMS {
		return false
	}
	var ids []envelope.Identity
	if u.Keys != nil {
		var err error
		if ids, err = u.Keys.Identities(ctx, env); err != nil {
			return false // the keychain is unusable: a copy could not be made either
		}
	}
	dk, err := envelope.Open(ctx, env, ids...)
	if err == nil {
		*dk = envelope.DataKey{}
		return false
	}
	return errors.Is(err, envelope.ErrNoKey)
}

// reopen returns the data key of a journaled upload: unwrapped by Keys, or
// else the copy kept in Secrets if it was kept for this very upload. It
// returns nil when neither gives it, and an error when Secrets could not be
// read (a locked keychain): the upload can resume once it can.
func (u *Uploader) reopen(ctx context.Context, rec *uploadRecord, env *envelope.Envelope) (*envelope.DataKey, error) {
	if u.Keys != nil {
		if ids, err := u.Keys.Identities(ctx, env); err == nil {
			if dk, err := envelope.Open(ctx, env, ids...); err == nil {
				return dk, nil
			}
		}
	}
	if !rec.KeptKey || u.Secrets == nil {
		return nil, nil
	}
	b, ok, err := u.Secrets.Get(keptKeyID(rec.ID))
	if err != nil {
		return nil, fmt.Errorf("failed to read the unfinished upload's data key: %w", err)
	}
	if !ok {
		return nil, nil
	}
	dk, err := openKeptKey(ctx, rec, env, b)
	clear(b)
	if err != nil {
		return nil, nil // refused: the upload starts over rather than use a wrong key
	}
	return dk, nil
}

func (u *Uploader) save(rec *uploadRecord) error {
	if u.Journal == nil {
		return nil
	}
	return u.Journal.Save(rec.ID, rec)
}

// remove forgets rec: its journal record and its kept data key, if any.
// Every end of an upload (done, aborted, canceled, dropped) comes here, so
// no data key outlives its upload.
func (u *Uploader) remove(rec *uploadRecord) error {
	if u.Journal == nil {
		return nil
	}
	var kerr error
	if rec.KeptKey && u.Secrets != nil {
		if err := u.Secrets.Delete(keptKeyID(rec.ID)); err != nil {
			kerr = fmt.Errorf("failed to remove the upload's data key from the keychain: %w", err)
		}
	}
	return errors.Join(kerr, u.Journal.Remove(rec.ID))
}

// setAside sets the damaged upload record id aside (see Journal) and
// deletes the data key kept for id, if any: no upload would ever use it
// again, and its name is the job's, not the record's. Nothing reaches the
// server: the record's upload id and object cannot be trusted. It returns
// nil once the record is out of the way, so that the upload starts over.
//
// The key goes first: if the keychain cannot delete it, the record stays
// where it is and the upload fails, so that the next run tries again. Set
// aside first, a failed delete would leave a data key that no record names
// and nothing would ever remove.
func (u *Uploader) setAside(id, reason string) error {
	if u.Secrets != nil {
		if err := u.Secrets.Delete(keptKeyID(id)); err != nil {
			return fmt.Errorf("the upload's journal record is damaged (%s) and its data key could not be removed from the keychain: %w", reason, err)
		}
	}
	if err := u.Journal.setAside(id, reason); !errors.Is(err, ErrBadRecord) {
		return err
	}
	return nil
}

// dropRecord removes the journal record of upload id and its kept data key
// without reaching the server: for a job that can never run again (its
// file or key is gone), whose bucket may be out of reach.
func (u *Uploader) dropRecord(id string) error {
	if u == nil || u.Journal == nil {
		return nil
	}
	var rec uploadRecord
	ok, err := u.Journal.Load(id, &rec)
	if err != nil || !ok {
		return err
	}
	rec.ID = id
	// Not aborted here (see above): noted, so that it can be later.
	return errors.Join(u.Journal.noteOrphan(&rec), u.remove(&rec))
}

// partBufs holds part buffers: parts are read once into memory, encrypted
// there and sent from there, so that what is sent is what the MAC covers.
var partBufs sync.Pool

func getPartBuf(n int64) *[]byte {
	if b, ok := partBufs.Get().(*[]byte); ok && int64(cap(*b)) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n)
	return &b
}

// sendParts sends every part the server does not hold yet. Each is read
// once, encrypted and hashed in its buffer, and its leaves go to the
// journal before a byte of it is sent; a part that was read before (in
// flight when an earlier run stopped) must hash to the same leaves, or the
// upload fails with ErrSourceChanged and starts over under a new key.
func (u *Uploader) sendParts(ctx context.Context, f source, rec *uploadRecord, sum *envelope.Summer, progress Progress) error {
	plan := splitParts(rec.State.Size, rec.PartSize)
	have := make(map[int]bool, len(rec.Parts))
	var count atomic.Int64
	for _, p := range rec.Parts {
		have[p.Number] = true
		count.Add(p.Size)
	}
	sealed := make(map[int]bool, len(rec.Sealed))
	for _, sp := range rec.Sealed {
		sealed[sp.Number] = true
	}
	stop := report(&count, rec.State.Size, progress)
	defer stop()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go u.watchStall(ctx, cancel, &count)

	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(max(u.Parts, 0), 4))
	for i, sp := range plan {
		n := i + 1
		if have[n] {
			continue
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := quickUnchanged(f, rec.State); err != nil {
				return err
			}
			bp := getPartBuf(sp.Len)
			defer partBufs.Put(bp)
			buf := *bp
			if err := readPart(f, buf, sp.Off); err != nil {
				return err
			}
			leaves, err := sum.Seal(sp.Off, buf)
			if errors.Is(err, envelope.ErrChanged) {
				return fmt.Errorf("part %d differs from what was encrypted under this data key before: %w", n, ErrSourceChanged)
			}
			if err != nil {
				return Permanent(err)
			}
			mu.Lock()
			if !sealed[n] {
				sealed[n] = true
				rec.Sealed = append(rec.Sealed, sealedPart{Number: n, Leaves: leaves})
				err = u.save(rec)
			}
			mu.Unlock()
			if err != nil {
				return err
			}
			body := &cipherSection{src: bytes.NewReader(buf), n: sp.Len, count: &count}
			etag, err := u.st().UploadPart(gctx, rec.Key, rec.UploadID, n, body, sp.Len, rec.Meta)
			if err != nil {
				return fmt.Errorf("part %d: %w", n, err)
			}
			mu.Lock()
			defer mu.Unlock()
			rec.Parts = append(rec.Parts, Part{Number: n, ETag: etag, Size: sp.Len})
			return u.save(rec)
		})
	}
	err := g.Wait()
	if c := context.Cause(ctx); err != nil && c != nil && !errors.Is(c, context.Canceled) {
		return c
	}
	return err
}

// watchStall cancels ctx with ErrStalled when count stays put for the
// stall timeout.
func (u *Uploader) watchStall(ctx context.Context, cancel context.CancelCauseFunc, count *atomic.Int64) {
	watchStall(ctx, cancel, u.StallTimeout, count)
}

// watchStall cancels ctx with ErrStalled when the sum of counts stays put
// for timeout (2 minutes if 0).
func watchStall(ctx context.Context, cancel context.CancelCauseFunc, timeout time.Duration, counts ...*atomic.Int64) {
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	load := func() (n int64) {
		for _, c := range counts {
			n += c.Load()
		}
		return n
	}
	tick := min(timeout/4, time.Second)
	t := time.NewTicker(tick)
	defer t.Stop()
	last, since := load(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if c := load(); c != last {
				last, since = c, now
			} else if now.Sub(since) >= timeout {
				cancel(ErrStalled)
				return
			}
		}
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
