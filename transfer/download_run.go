package transfer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ossvault/ossvault/envelope"
)

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
	fp, ver, why, err := d.plan(ctx, job, p)
	if err != nil {
		return refused(p, err)
	}
	if fp != p && d.Journal != nil {
		// The partial file holds only the selection, not the whole chunks
		// the check needs again on a resume: no journal.
		plain := *d
		plain.Journal = nil
		d = &plain
	}
	run := &downloadRun{d: d, job: job, dd: dd, id: DownloadID(job.SourceID, job.Dest, job.Range), p: p, fp: fp, ver: ver}
	res := &Result{Info: p.info, Envelope: p.env, Integrity: envelope.Unverified}
	if d.Journal != nil {
		// Two processes resuming one record would write one partial
		// file: the second says the download runs elsewhere.
		unlock, err := d.Journal.Lock(run.id)
		if err != nil {
			return nil, Permanent(err)
		}
		defer unlock()
	}
	return run.run(ctx, res, why, progress)
}

// plan decides what is fetched for p: the selection, or the whole chunks
// around it that its leaf table checks (leaves.go), or with VerifyRange the
// whole object; only the selection is written. It returns the verifier
// that checks what is fetched, if one can, and else why a range goes
// unchecked.
func (d *Downloader) plan(ctx context.Context, job DownloadJob, p *prepared) (fp *prepared, ver *envelope.Verifier, why string, err error) {
	fp = p
	if job.Range != nil && envIntegrity(p.env) != nil && !p.verify {
		if fp, ver, why, err = d.rangeByLeaves(ctx, job.Source, job.Key, p); err != nil {
			return nil, nil, "", err
		}
		if ver == nil {
			fp = p
		}
	}
	if ver == nil && job.Range != nil && job.VerifyRange && p.env != nil && !p.verify {
		whole := *p
		whole.start, whole.end, whole.verify = 0, p.info.Size-1, true
		if err := checkRecordedSize(p.env, p.info.Size); err != nil {
			return nil, nil, "", err
		}
		fp = &whole
	}
	if ver == nil && fp.verify {
		ver = envelope.NewVerifier(p.env, p.dk)
	}
	return fp, ver, why, nil
}

// downloadRun is one run of a download into its temporary file: p is what
// is wanted, fp what is fetched (see plan), checked by ver if not nil.
type downloadRun struct {
	d      *Downloader
	job    DownloadJob
	dd     *destDir
	id     string
	p, fp  *prepared
	ver    *envelope.Verifier
	rec    *downloadRecord
	f      *os.File
	sums   *writtenSums
	need   int64 // bytes still to fetch, for a full disk's message
	mu     sync.Mutex
	saveMu sync.Mutex
	last   time.Time    // of the last journal save; under mu
	saved  atomic.Int64 // finished ranges in the last record saved
}

// run fetches into the temporary file and, if everything checks out, gives
// it the destination's name and returns res, filled in. The temporary file
// and its record are removed unless the error leaves them for a resume.
func (r *downloadRun) run(ctx context.Context, res *Result, why string, progress Progress) (*Result, error) {
	d, p := r.d, r.p
	rec, f, err := d.openTemp(r.id, r.job, p, r.dd)
	if err != nil {
		return nil, err
	}
	r.rec, r.f = rec, f
	keep := false
	defer func() {
		f.Close()
		if !keep {
			r.dd.remove(rec.Temp)
			if d.Journal != nil {
				d.Journal.Remove(r.id)
			}
		}
	}()
	res.RangeUnchecked = r.ver == nil && p.env != nil && p.env.Integrity != nil
	if res.RangeUnchecked {
		res.RangeWhy = why
	}
	if err := r.readDone(ctx); err != nil {
		// A pause while re-reading keeps what the earlier run saved: the
		// re-read changed neither the file nor its record.
		if keep = ctx.Err() != nil && r.keep(ctx, err); keep {
			return nil, r.kept(ctx, err)
		}
		return nil, err
	}
	if err := checkSpace(filepath.Dir(r.job.Dest), r.need); err != nil {
		return nil, err
	}
	r.saved.Store(int64(len(rec.Done)))
	var w io.WriterAt = sumWriter{offsetWriter{f, p.start, r.need}, r.sums}
	if r.fp != p {
		w = windowWriter{w, p.start, p.end}
	}
	fj := fetchJob{src: r.job.Source, key: r.job.Key, p: r.fp, w: w, ver: r.ver, done: rec.Done, onChunk: r.onChunk}
	if err := d.fetch(ctx, fj, progress); err != nil {
		keep = r.keep(ctx, err)
		if !keep {
			return refused(p, err)
		}
		return nil, r.kept(ctx, err)
	}
	if err := r.finish(ctx, res); err != nil {
		return refused(p, err)
	}
	res.Written = p.end - p.start + 1
	return res, nil
}

// readDone adds the ranges finished by an earlier run to the MAC, from
// the disk, and counts what is left to fetch. The re-read is reported as
// PhaseReading, and stops when ctx ends: gigabytes of it come before the
// first new byte, and a pause must not wait for them.
func (r *downloadRun) readDone(ctx context.Context) error {
	r.sums = newWrittenSums()
	var already int64
	for _, sp := range r.rec.Done {
		already += sp.Len
	}
	r.need = (r.p.end - r.p.start + 1) - already
	if r.ver == nil {
		return nil
	}
	m := startPhase(ctx, PhaseReading, already)
	defer m.end()
	for _, sp := range r.rec.Done {
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		buf := make([]byte, sp.Len)
		if _, err := r.f.ReadAt(buf, sp.Off-r.p.start); err != nil {
			return fmt.Errorf("failed to re-read the partial download: %w", err)
		}
		if err := r.ver.AddPlaintext(sp.Off, buf); err != nil {
			return err
		}
		r.sums.add(sp.Off, buf)
		m.add(sp.Len)
	}
	return nil
}

// onChunk journals a finished range. Finished ranges are journaled once a
// second or every journalEvery ranges, whichever comes first: each record
// needs an fsync of the partial file first, and syncing after every range
// would serialize the parallel writes. A crash loses at most that many
// ranges.
func (r *downloadRun) onChunk(sp span) error {
	if r.d.Journal == nil {
		return nil
	}
	r.mu.Lock()
	r.rec.Done = append(r.rec.Done, sp)
	if time.Since(r.last) < time.Second && int64(len(r.rec.Done))-r.saved.Load() < journalEvery {
		r.mu.Unlock()
		return nil
	}
	r.last = time.Now()
	snap := *r.rec
	snap.Done = append([]span(nil), r.rec.Done...)
	r.mu.Unlock()

	r.saveMu.Lock()
	defer r.saveMu.Unlock()
	if int64(len(snap.Done)) <= r.saved.Load() {
		return nil // a newer record was already written
	}
	// The data must be on disk before the journal says it is.
	if err := r.f.Sync(); err != nil {
		return diskError(err, r.need)
	}
	r.saved.Store(int64(len(snap.Done)))
	return r.d.Journal.Save(r.id, &snap)
}

// keep reports whether the fetch that failed with err leaves the partial
// file and its record for the next run to resume: paused, interrupted, or
// the network gave out for longer than the retries last.
func (r *downloadRun) keep(ctx context.Context, err error) bool {
	return ctx.Err() != nil && !errors.Is(context.Cause(ctx), ErrCanceled) || resumable(err)
}

// kept records the progress of a fetch that keep kept, and returns the
// error of the run.
func (r *downloadRun) kept(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	interrupted := ctx.Err() != nil && !errors.Is(cause, ErrCanceled)
	// The record saved at the start (or at the last chunk) stays if this
	// save fails: it claims less than the file holds, so the resume is
	// right, only longer. Say so rather than drop it.
	var serr error
	if r.d.Journal != nil {
		if serr = r.f.Sync(); serr == nil {
			r.mu.Lock()
			serr = r.d.Journal.Save(r.id, r.rec)
			r.mu.Unlock()
		}
		if serr != nil {
			serr = fmt.Errorf("the progress since the last save could not be recorded, so the resume will fetch it again: %w", serr)
		}
	}
	if interrupted {
		return joinNonNil(cause, serr)
	}
	return joinNonNil(keptForResume(err), serr)
}

// finish checks the MAC, syncs the file, reads it once more under the name
// it will be renamed from, so that what gets the destination's name is
// what was checked, and renames it into place. Its integrity errors are
// for refused.
func (r *downloadRun) finish(ctx context.Context, res *Result) error {
	p, f := r.p, r.f
	if r.ver != nil {
		var err error
		if res.Integrity, err = r.ver.Finish(); err != nil {
			return err
		}
	}
	if err := f.Sync(); err != nil {
		return diskError(err, r.need)
	}
	if testHookBeforeRecheck != nil {
		testHookBeforeRecheck(r.dd.path(r.rec.Temp))
	}
	// What was written (or re-read) in this run, not the whole file: the
	// ranges an earlier run left unchecked (no verifier) are not read.
	m := startPhase(ctx, PhaseChecking, r.sums.size())
	if TestHookChecking != nil {
		TestHookChecking()
	}
	err := recheckTemp(r.dd, r.rec.Temp, f, r.sums, p.start, p.end-p.start+1, m)
	m.end()
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return diskError(err, r.need)
	}
	name := filepath.Base(r.job.Dest)
	if _, err := r.dd.lstat(name); err == nil {
		return fmt.Errorf("%s: %w (it appeared during the download); remove it or choose another name", r.job.Dest, ErrExists)
	}
	if err := r.dd.rename(r.rec.Temp, name); err != nil {
		return fmt.Errorf("failed to move the download into place: %w", err)
	}
	return nil
}
