package transfer

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/ossvault/ossvault/envelope"
)

// Downloader reads objects into files.
//
// The plaintext goes to a hidden temporary file, mode 0600, in the
// destination's own folder (".ossvault-<random>.part"), so that the final
// rename is atomic and no fragment lands anywhere else. The file is
// renamed into place only after the integrity MAC checked out and the
// data was synced. On a permanent failure or cancel the temporary file is
// removed. On pause, when the process is interrupted, or when the network
// gave out for longer than the retries last (the error matches
// ErrResumable), it stays (still 0600, still hidden in the destination
// folder) together with a journal record of the finished ranges, because resuming a 50 GB download from zero is worse for
// the user than a partial file that only its owner can read; a later
// resume re-reads the finished ranges into the MAC, so a partial file
// altered meanwhile fails the check.
//
// The destination is never overwritten: a download to an existing path
// fails with ErrExists before any byte is fetched.
type Downloader struct {
	Journal *Journal // nil disables resuming
	Keys    Keys
	// ChunkSize is the size of one ranged GET (8 MiB if 0); it is rounded
	// up to a multiple of the object's integrity chunk.
	ChunkSize int64
	// Parts is how many ranges are fetched at once (4 if 0).
	Parts  int
	Policy *Policy // DefaultPolicy if nil
	// StallTimeout ends a download in which no byte arrived for that long
	// (2 minutes if 0).
	StallTimeout time.Duration
	Now          func() time.Time
	// RequireVerified refuses, with an error matching ErrNotVerified and
	// envelope.ErrIntegrity, every object that cannot be verified (not
	// encrypted, or written by another client), and checks every range,
	// as DownloadJob.VerifyRange does.
	RequireVerified bool
}

// ErrNotVerified is wrapped, together with envelope.ErrIntegrity, by the
// error of a download that Downloader.RequireVerified refused because the
// object carries no integrity check.
var ErrNotVerified = errors.New("the object cannot be verified")

// notVerifiedError says why an object cannot be verified; it matches
// ErrNotVerified and envelope.ErrIntegrity without claiming, as
// ErrIntegrity's own text does, that the object was altered.
type notVerifiedError string

func (e notVerifiedError) Error() string {
	return "refused because only verified objects are accepted, and " + string(e)
}

func (e notVerifiedError) Is(target error) bool {
	return target == ErrNotVerified || target == envelope.ErrIntegrity
}

// KeyNamer is implemented by Keys that can tell whether one of their keys
// able to open objects is the one an object's matdesc names. When that key
// is here and still does not open an object carrying ossvault's markers,
// the envelope was altered (envelope.ErrIntegrity), not "no key".
type KeyNamer interface {
	NamesKey(e *envelope.Envelope) bool
}

func namesKey(k Keys, e *envelope.Envelope) bool {
	n, ok := k.(KeyNamer)
	return ok && n.NamesKey(e)
}

// ByteRange selects plaintext bytes as an HTTP range does: Start..End
// inclusive (End -1: to the end), or, with Suffix > 0, the last Suffix
// bytes.
type ByteRange struct {
	Start, End int64
	Suffix     int64
}

// DownloadJob is one object to fetch.
type DownloadJob struct {
	Source Reader
	// SourceID identifies the object for the journal ("oss://b/k", or a
	// link without its signature).
	SourceID string
	Key      string
	// Dest is the final file path (not a folder).
	Dest string
	// Root, if set, is a folder that holds Dest at some depth (a folder
	// download's destination): every write of the job, the folders
	// created on the way to Dest, the temporary file and the final
	// rename, then goes through an os.Root opened on it, so that a
	// symbolic link leading out of it, there before the download or put
	// in place while it runs, fails the download (ErrOutsideFolder)
	// instead of writing outside.
	Root  string
	Range *ByteRange
	// VerifyRange checks Range even where that means reading the whole
	// object: a range is checked against the object's leaf table when it
	// has a usable one (reading only the chunks that hold the range), and
	// otherwise, without VerifyRange, is not checked
	// (Result.RangeUnchecked). A checked range does not resume.
	VerifyRange bool
	// RequireVerified is Downloader.RequireVerified for this job alone
	// (a strict storage account among others in one queue).
	RequireVerified bool
}

// Result describes a finished download or check.
type Result struct {
	Info      ObjectInfo
	Envelope  *envelope.Envelope // nil for an object that is not encrypted
	Integrity envelope.IntegrityStatus
	// Written is the number of plaintext bytes delivered.
	Written int64
	// RangeUnchecked is set when only a range of an object carrying a MAC
	// was read and the range could not be checked (its leaf table is
	// missing or does not belong to the object); RangeWhy then says why,
	// as a phrase that follows the object's name. A range its leaf table
	// checked is Integrity Verified.
	RangeUnchecked bool
	RangeWhy       string
}

// Encrypted reports whether the object carried a client-side-encryption
// envelope.
func (r *Result) Encrypted() bool { return r.Envelope != nil }

type downloadRecord struct {
	Record
	ETag  string `json:"etag"`
	Size  int64  `json:"size"`
	Start int64  `json:"start"`
	End   int64  `json:"end"`
	Temp  string `json:"temp"` // base name in the destination folder
	Done  []span `json:"done"`
}

func (d *Downloader) policy() Policy {
	if d.Policy != nil {
		return *d.Policy
	}
	return DefaultPolicy
}

func (d *Downloader) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// journalEvery is how many finished ranges may wait for a journal record.
const journalEvery = 4

// DownloadID is the journal id of a download job.
func DownloadID(sourceID, dest string, r *ByteRange) string {
	abs, err := filepath.Abs(dest)
	if err != nil {
		abs = dest
	}
	rng := ""
	if r != nil {
		rng = fmt.Sprintf("%d-%d-%d", r.Start, r.End, r.Suffix)
	}
	return JobID("download", sourceID, abs, rng)
}

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

// Check reads the whole object through, decrypting and verifying it, and
// keeps nothing.
func (d *Downloader) Check(ctx context.Context, src Reader, key string, progress Progress) (*Result, error) {
	return d.check(ctx, src, key, discardAt{}, progress)
}

// Stream reads the whole object through, decrypting and verifying it, and
// writes the plaintext to w in order, so that it can be passed on without
// ever touching a disk (sharing re-encrypts this way). The integrity
// verdict comes last: w has had every byte when Stream returns an error
// matching envelope.ErrIntegrity, so w's reader must treat what it got as
// void until Stream returned nil (an io.Pipe closed with Stream's error
// does). Pieces are fetched one at a time, in order.
func (d *Downloader) Stream(ctx context.Context, src Reader, key string, w io.Writer, progress Progress) (*Result, error) {
	seq := *d
	seq.Parts = 1
	return seq.check(ctx, src, key, &inOrder{w: w}, progress)
}

// inOrder turns in-order WriteAt calls into Writes. A piece written again
// (a retried range) is skipped up to what was already passed on; a gap is
// an error, never a silent hole.
type inOrder struct {
	w   io.Writer
	pos int64
}

func (o *inOrder) WriteAt(p []byte, off int64) (int, error) {
	n := len(p)
	if off < o.pos {
		skip := min(o.pos-off, int64(len(p)))
		p, off = p[skip:], off+skip
	}
	if off != o.pos {
		return 0, fmt.Errorf("a piece at offset %d came before the bytes from %d", off, o.pos)
	}
	m, err := o.w.Write(p)
	o.pos += int64(m)
	if err != nil {
		return 0, err
	}
	return n, nil
}

func (d *Downloader) check(ctx context.Context, src Reader, key string, w io.WriterAt, progress Progress) (*Result, error) {
	p, err := d.prepare(ctx, src, key, nil)
	if err != nil {
		return refused(p, err)
	}
	res := &Result{Info: p.info, Envelope: p.env}
	var ver *envelope.Verifier
	if p.env != nil {
		ver = envelope.NewVerifier(p.env, p.dk)
	}
	if err := d.fetch(ctx, src, key, p, w, ver, nil, nil, progress); err != nil {
		return refused(p, err)
	}
	res.Written = p.end - p.start + 1
	if ver != nil {
		res.Integrity, err = ver.Finish()
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

// checkRecordedSize fails an object whose size differs from the one its
// MAC records, before a byte of a whole-object read is fetched.
func checkRecordedSize(env *envelope.Envelope, size int64) error {
	if in := envIntegrity(env); in != nil && in.Size != size {
		return fmt.Errorf("the object has %d bytes but was written with %d: %w", size, in.Size, envelope.ErrIntegrity)
	}
	return nil
}

type discardAt struct{}

func (discardAt) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }

// Download fetches job.Source into job.Dest; see Downloader for where the
// bytes go on the way and what is kept when. When the integrity check fails
// nothing is saved, and the error (matching envelope.ErrIntegrity) comes
// with a Result whose Integrity is envelope.Failed.
func (d *Downloader) Download(ctx context.Context, job DownloadJob, progress Progress) (*Result, error) {
	dd, err := openDestDir(job)
	if err != nil {
		return nil, err
	}
	defer dd.close()
	name := filepath.Base(job.Dest)
	if _, err := dd.lstat(name); err == nil {
		return nil, fmt.Errorf("%s: %w; remove it or choose another name", job.Dest, ErrExists)
	} else if errors.Is(err, ErrOutsideFolder) {
		return nil, fmt.Errorf("failed to download to %s: %w", job.Dest, err)
	}
	if job.RequireVerified && !d.RequireVerified {
		strict := *d
		strict.RequireVerified = true
		return strict.Download(ctx, job, progress)
	}
	job.VerifyRange = job.VerifyRange || d.RequireVerified
	if job.Range != nil && job.VerifyRange && d.Journal != nil {
		// The bytes outside the range are read only for the MAC and never
		// kept, so an interrupted run could not re-add them: no journal.
		plain := *d
		plain.Journal = nil
		return plain.Download(ctx, job, progress)
	}
	p, err := d.prepare(ctx, job.Source, job.Key, job.Range)
	if err != nil {
		return refused(p, err)
	}
	// fp is what is fetched: the selection, or the whole chunks around it
	// that its leaf table checks (leaves.go), or with VerifyRange the
	// whole object; only the selection is written.
	fp := p
	var ver *envelope.Verifier
	var why string
	if job.Range != nil && envIntegrity(p.env) != nil && !p.verify {
		if fp, ver, why, err = d.rangeByLeaves(ctx, job.Source, job.Key, p); err != nil {
			return refused(p, err)
		}
		if ver == nil {
			fp = p
		}
	}
	if ver == nil && job.Range != nil && job.VerifyRange && p.env != nil && !p.verify {
		whole := *p
		whole.start, whole.end, whole.verify = 0, p.info.Size-1, true
		if err := checkRecordedSize(p.env, p.info.Size); err != nil {
			return refused(p, err)
		}
		fp = &whole
	}
	res := &Result{Info: p.info, Envelope: p.env, Integrity: envelope.Unverified}
	if fp != p && d.Journal != nil {
		// The partial file holds only the selection, not the whole chunks
		// the check needs again on a resume: no journal.
		plain := *d
		plain.Journal = nil
		d = &plain
	}
	dir := filepath.Dir(job.Dest)
	id := DownloadID(job.SourceID, job.Dest, job.Range)
	if d.Journal != nil {
		// Two processes resuming one record would write one partial
		// file: the second says the download runs elsewhere.
		unlock, err := d.Journal.Lock(id)
		if err != nil {
			return nil, Permanent(err)
		}
		defer unlock()
	}

	rec, f, err := d.openTemp(id, job, p, dd)
	if err != nil {
		return nil, err
	}
	keep := false
	defer func() {
		f.Close()
		if !keep {
			dd.remove(rec.Temp)
			if d.Journal != nil {
				d.Journal.Remove(id)
			}
		}
	}()

	if ver == nil && fp.verify {
		ver = envelope.NewVerifier(p.env, p.dk)
	}
	res.RangeUnchecked = ver == nil && p.env != nil && p.env.Integrity != nil
	if res.RangeUnchecked {
		res.RangeWhy = why
	}
	// Ranges finished by an earlier run go into the MAC from the disk.
	sums := newWrittenSums()
	var already int64
	for _, sp := range rec.Done {
		already += sp.Len
		if ver == nil {
			continue
		}
		buf := make([]byte, sp.Len)
		if _, err := f.ReadAt(buf, sp.Off-p.start); err != nil {
			return nil, fmt.Errorf("failed to re-read the partial download: %w", err)
		}
		if err := ver.AddPlaintext(sp.Off, buf); err != nil {
			return nil, err
		}
		sums.add(sp.Off, buf)
	}
	need := (p.end - p.start + 1) - already
	if err := checkSpace(dir, need); err != nil {
		return nil, err
	}

	// Finished ranges are journaled once a second or every journalEvery
	// ranges, whichever comes first: each record needs an fsync of the
	// partial file first, and syncing after every range would serialize the
	// parallel writes. A crash loses at most that many ranges.
	var mu, saveMu sync.Mutex
	var lastSave time.Time
	var saved atomic.Int64
	saved.Store(int64(len(rec.Done)))
	onChunk := func(sp span) error {
		if d.Journal == nil {
			return nil
		}
		mu.Lock()
		rec.Done = append(rec.Done, sp)
		if time.Since(lastSave) < time.Second && int64(len(rec.Done))-saved.Load() < journalEvery {
			mu.Unlock()
			return nil
		}
		lastSave = time.Now()
		snap := *rec
		snap.Done = append([]span(nil), rec.Done...)
		mu.Unlock()

		saveMu.Lock()
		defer saveMu.Unlock()
		if int64(len(snap.Done)) <= saved.Load() {
			return nil // a newer record was already written
		}
		// The data must be on disk before the journal says it is.
		if err := f.Sync(); err != nil {
			return diskError(err, need)
		}
		saved.Store(int64(len(snap.Done)))
		return d.Journal.Save(id, &snap)
	}
	var w io.WriterAt = sumWriter{offsetWriter{f, p.start, need}, sums}
	if fp != p {
		w = windowWriter{w, p.start, p.end}
	}
	err = d.fetch(ctx, job.Source, job.Key, fp, w, ver, rec.Done, onChunk, progress)
	if err != nil {
		cause := context.Cause(ctx)
		interrupted := ctx.Err() != nil && !errors.Is(cause, ErrCanceled)
		if interrupted || resumable(err) {
			// Paused, interrupted, or the network gave out for longer
			// than the retries last: the next run resumes.
			keep = true
			// The record saved at the start (or at the last chunk) stays
			// if this save fails: it claims less than the file holds, so
			// the resume is right, only longer. Say so rather than drop it.
			var serr error
			if d.Journal != nil {
				if serr = f.Sync(); serr == nil {
					mu.Lock()
					serr = d.Journal.Save(id, rec)
					mu.Unlock()
				}
				if serr != nil {
					serr = fmt.Errorf("the progress since the last save could not be recorded, so the resume will fetch it again: %w", serr)
				}
			}
			if interrupted {
				return nil, joinNonNil(cause, serr)
			}
			return nil, joinNonNil(keptForResume(err), serr)
		}
		return refused(p, err)
	}
	if ver != nil {
		res.Integrity, err = ver.Finish()
		if err != nil {
			return refused(p, err)
		}
	}
	if err := f.Sync(); err != nil {
		return nil, diskError(err, need)
	}
	// The bytes were checked as they arrived; the file is read once more
	// under the name it will be renamed from, so that what gets the
	// destination's name is what was checked.
	if testHookBeforeRecheck != nil {
		testHookBeforeRecheck(dd.path(rec.Temp))
	}
	if err := recheckTemp(dd, rec.Temp, f, sums, p.start, p.end-p.start+1); err != nil {
		return refused(p, err)
	}
	if err := f.Close(); err != nil {
		return nil, diskError(err, need)
	}
	if _, err := dd.lstat(name); err == nil {
		return nil, fmt.Errorf("%s: %w (it appeared during the download); remove it or choose another name", job.Dest, ErrExists)
	}
	if err := dd.rename(rec.Temp, name); err != nil {
		return nil, fmt.Errorf("failed to move the download into place: %w", err)
	}
	res.Written = p.end - p.start + 1
	return res, nil
}

// openTemp resumes the journaled download id if it is still valid, or
// starts a new temporary file in dd (creating the folders on the way to it
// when dd is confined). A record that fails its checks is set aside and
// its temporary file left alone: it may name a file of the user's. A valid
// one for another version or range of the object, or cut into ranges
// another way, is discarded with its temporary file.
func (d *Downloader) openTemp(id string, job DownloadJob, p *prepared, dd *destDir) (*downloadRecord, *os.File, error) {
	var rec downloadRecord
	if d.Journal != nil {
		ok, err := d.Journal.Load(id, &rec)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			if reason := rec.check(id, job); reason != "" {
				if err := d.Journal.setAside(id, reason); !errors.Is(err, ErrBadRecord) {
					return nil, nil, err
				}
			} else {
				valid := rec.ETag == p.info.ETag && rec.Size == p.info.Size && rec.Start == p.start && rec.End == p.end && rec.onPlan(p)
				if valid {
					f, err := dd.openFile(rec.Temp, os.O_RDWR, 0)
					if err == nil {
						return &rec, f, nil
					}
				}
				dd.remove(rec.Temp)
			}
		}
	}
	if err := dd.mkdirAll(); err != nil {
		return nil, nil, fmt.Errorf("failed to create the folder of %s: %w", job.Dest, err)
	}
	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return nil, nil, err
	}
	rec = downloadRecord{
		Record: Record{ID: id, Kind: "download", Source: job.SourceID, Dest: job.Dest, Created: d.now().UTC()},
		ETag:   p.info.ETag, Size: p.info.Size, Start: p.start, End: p.end,
		Temp: ".ossvault-" + hex.EncodeToString(rnd[:]) + ".part",
	}
	f, err := dd.openFile(rec.Temp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to create the download file: %w", err)
	}
	if d.Journal != nil {
		if err := d.Journal.Save(id, &rec); err != nil {
			f.Close()
			dd.remove(rec.Temp)
			return nil, nil, err
		}
	}
	return &rec, f, nil
}

// offsetWriter writes object offset off at file offset off-base, and turns
// a full disk into ErrDiskFull.
type offsetWriter struct {
	f    *os.File
	base int64
	need int64
}

func (w offsetWriter) WriteAt(p []byte, off int64) (int, error) {
	n, err := w.f.WriteAt(p, off-w.base)
	if err != nil {
		return n, diskError(err, w.need)
	}
	return n, nil
}

// windowWriter passes on only the bytes of object offsets start..end
// (inclusive) and drops the rest, which were read only for the MAC.
type windowWriter struct {
	w          io.WriterAt
	start, end int64
}

func (w windowWriter) WriteAt(p []byte, off int64) (int, error) {
	lo, hi := max(off, w.start), min(off+int64(len(p)), w.end+1)
	if lo < hi {
		if _, err := w.w.WriteAt(p[lo-off:hi-off], lo); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func diskError(err error, need int64) error {
	if errors.Is(err, syscall.ENOSPC) {
		return Permanent(fmt.Errorf("%w: %d bytes needed", ErrDiskFull, need))
	}
	return err
}

// fetch reads [p.start, p.end] of the object with parallel ranged GETs
// pinned to the version p.info describes, skipping the spans in done.
// Each piece is added to ver (if any) as ciphertext, decrypted at its own
// offset and written to w at its object offset. onChunk runs after each
// span is written.
func (d *Downloader) fetch(ctx context.Context, src Reader, key string, p *prepared, w io.WriterAt, ver *envelope.Verifier,
	done []span, onChunk func(span) error, progress Progress) error {
	if p.end < p.start {
		return nil
	}
	skip := make(map[int64]bool, len(done))
	var count atomic.Int64
	for _, sp := range done {
		skip[sp.Off] = true
		count.Add(sp.Len)
	}
	total := p.end - p.start + 1
	if progress == nil {
		progress = func(int64, int64) {}
	}
	stop := report(&count, total, progress)
	defer stop()

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	src = watchReads(ctx, cancel, src, d.StallTimeout)

	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cmp.Or(max(d.Parts, 0), 4))
	for _, sp := range splitRange(p.start, p.end, p.chunk) {
		if skip[sp.Off] {
			continue
		}
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if err := d.fetchSpan(gctx, src, key, p, sp, w, ver, &count); err != nil {
				return err
			}
			if onChunk != nil {
				return onChunk(sp)
			}
			return nil
		})
	}
	err := g.Wait()
	if c := context.Cause(ctx); err != nil && c != nil && !errors.Is(c, context.Canceled) {
		return c
	}
	return err
}

// pieceSize is how much fetchSpan reads before handing bytes on: one
// integrity chunk, so that the verifier always sees whole chunks.
func (p *prepared) pieceSize() int64 {
	if p.env != nil && p.env.Integrity != nil && p.env.Integrity.ChunkSize > 0 {
		return p.env.Integrity.ChunkSize
	}
	return 1 << 20
}

var piecePool sync.Pool

// getPiece returns a buffer of n bytes from piecePool.
func getPiece(n int64) *[]byte {
	if b, ok := piecePool.Get().(*[]byte); ok && int64(cap(*b)) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]byte, n)
	return &b
}

// fetchSpan reads one span. A body that breaks off is asked for again from
// the last whole piece, so a reset costs at most one piece.
func (d *Downloader) fetchSpan(ctx context.Context, src Reader, key string, p *prepared, sp span, w io.WriterAt, ver *envelope.Verifier, count *atomic.Int64) error {
	ps := p.pieceSize()
	bufs := [2]*[]byte{getPiece(ps), getPiece(ps)}
	defer func() {
		for _, b := range bufs {
			piecePool.Put(b)
		}
	}()

	off, end := sp.Off, sp.end()
	return d.policy().Do(ctx, func() error {
		// Its own context, so that a piece that fails to write can stop
		// the read of the next one.
		rctx, stop := context.WithCancel(ctx)
		defer stop()
		body, h, err := src.GetRange(rctx, key, off, end, p.info.ETag)
		if err != nil {
			return err
		}
		defer body.Close()
		// Take the offset from what the server sent, not from what was
		// asked: a server may ignore the range.
		at := int64(0)
		if cr := h.Get("Content-Range"); cr != "" {
			s, _, _, err := envelope.ParseContentRange(cr)
			if err != nil {
				return err
			}
			at = s
		}
		if at > off {
			return fmt.Errorf("the server sent bytes from %d when %d was asked", at, off)
		}
		if at < off {
			if _, err := io.CopyN(io.Discard, body, off-at); err != nil {
				return err
			}
		}
		return readPieces(body, stop, off, end, ps, bufs, func(piece []byte, at int64) error {
			if ver != nil {
				if err := ver.AddCiphertext(at, piece); err != nil {
					return Permanent(err)
				}
			}
			if p.dk != nil {
				p.dk.XORKeyStreamAt(piece, piece, at)
			}
			if _, err := w.WriteAt(piece, at); err != nil {
				return Permanent(err)
			}
			off = at + int64(len(piece))
			count.Add(int64(len(piece)))
			return nil
		})
	})
}

// readPieces reads body, which holds the bytes off..end, in pieces that
// end on multiples of ps (as the verifier's chunks do) and hands each to
// handle in order. The next piece is read while handle works on the
// previous one, so the connection keeps flowing while a piece is checked,
// decrypted and written. If handle fails, stop must make a blocked read
// of body return; readPieces returns only after its reader has.
func readPieces(body io.Reader, stop func(), off, end, ps int64, bufs [2]*[]byte, handle func(piece []byte, at int64) error) error {
	type piece struct {
		b   []byte
		at  int64
		err error
	}
	free := make(chan []byte, len(bufs))
	for _, b := range bufs {
		free <- *b
	}
	full := make(chan piece, len(bufs))
	quit := make(chan struct{})
	go func() {
		defer close(full)
		for at := off; at <= end; {
			var b []byte
			select {
			case b = <-free:
			case <-quit:
				return
			}
			n := min((at/ps+1)*ps, end+1) - at
			b = b[:n]
			if _, err := io.ReadFull(body, b); err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				full <- piece{err: fmt.Errorf("the download broke off: %w", err)}
				return
			}
			full <- piece{b: b, at: at}
			at += n
		}
	}()
	var err error
	for pc := range full {
		if err == nil {
			err = pc.err
		}
		if err == nil {
			err = handle(pc.b, pc.at)
		}
		if err != nil {
			// Unblock and drain the reader before the buffers go back.
			select {
			case <-quit:
			default:
				close(quit)
				stop()
			}
			continue
		}
		free <- pc.b
	}
	return err
}

// Forget throws away the partial download of job, if any: the temporary
// file and the journal record. A record that fails its checks is set
// aside instead, its temporary file left alone.
func (d *Downloader) Forget(job DownloadJob) error {
	if d.Journal == nil {
		return nil
	}
	id := DownloadID(job.SourceID, job.Dest, job.Range)
	unlock, err := d.Journal.Lock(id)
	if err != nil {
		return err // not while another process uses the partial file
	}
	defer unlock()
	var rec downloadRecord
	ok, err := d.Journal.Load(id, &rec)
	if err != nil || !ok {
		return err
	}
	if reason := rec.check(id, job); reason != "" {
		if err := d.Journal.setAside(id, reason); !errors.Is(err, ErrBadRecord) {
			return err
		}
		return nil
	}
	// A folder that is gone, or that now leads outside the download's
	// folder, holds no partial file of this job to remove.
	dd, err := openDestDir(job)
	if err == nil {
		err = dd.remove(rec.Temp)
		dd.close()
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) && !errors.Is(err, ErrOutsideFolder) {
		return fmt.Errorf("failed to remove the partial download: %w", err)
	}
	return d.Journal.Remove(id)
}

// joinNonNil is err, or err and also joined when also is not nil: callers
// that compare with == (context.Canceled) keep seeing err itself.
func joinNonNil(err, also error) error {
	if also == nil {
		return err
	}
	return errors.Join(err, also)
}
