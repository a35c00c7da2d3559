package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// legacyPendingFile is where earlier versions of the app listed unfinished
// transfers; the transfer journal keeps them now. A list found there is
// queued once (and so moves into the journal), then removed.
const legacyPendingFile = "app-transfers.json"

// legacyJob is a job as the app listed it in legacyPendingFile: a
// JobDesc but for the key's name.
type legacyJob struct {
	transfer.JobDesc
	KeyFor string `json:"key_for,omitempty"`
}

func (l legacyJob) desc() transfer.JobDesc {
	d := l.JobDesc
	d.KeyName, d.Origin = l.KeyFor, transfer.OriginApp
	return d
}

// resolver is the Service as the queue's transfer.Resolver: accounts to
// their buckets, key names to the vault's wrappers.
type resolver struct{ b *Service }

func (r resolver) Store(_ context.Context, account, bucket string) (transfer.Store, error) {
	st, err := r.b.Store(account, bucket)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (r resolver) Wrappers(ctx context.Context, keyName string, alsoFor []string) ([]envelope.Wrapper, error) {
	return r.b.wrappers(ctx, keyName, alsoFor)
}

// VerifiedOnly: a strict storage account's downloads must verify.
func (r resolver) VerifiedOnly(account string) bool { return r.b.verifiedOnly(account) }

// restoring is resolver for the jobs of an earlier run: a key or an
// account that is gone drops the job, which can never run; a locked
// keychain leaves it for the next start.
type restoring struct{ resolver }

func (r restoring) Store(ctx context.Context, account, bucket string) (transfer.Store, error) {
	st, err := r.resolver.Store(ctx, account, bucket)
	return st, gone(err)
}

func (r restoring) Wrappers(ctx context.Context, keyName string, alsoFor []string) ([]envelope.Wrapper, error) {
	ws, err := r.resolver.Wrappers(ctx, keyName, alsoFor)
	return ws, gone(err)
}

func gone(err error) error {
	if err == nil || errors.Is(err, vault.ErrKeychainUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %w", transfer.ErrDropRecord, err)
}

// realTransfers is one transfer queue for every account and bucket: each
// job carries the store of its own bucket.
type realTransfers struct {
	b       *Service
	journal *transfer.Journal
	up      *transfer.Uploader
	down    *transfer.Downloader
	queue   *transfer.Queue

	stopSub func()
	subs    Subscribers
}

func newRealTransfers(b *Service) (*realTransfers, error) {
	j, err := transfer.OpenJournal(b.home)
	if err != nil {
		return nil, fmt.Errorf("failed to open the transfer journal: %w", err)
	}
	// Transfers abandoned for longer than the journal keeps them go, with
	// the data keys and links kept for them; what cannot go now (a locked
	// keychain) stays for the next start.
	_ = j.Expire(b.vault.JobSecrets())
	t := &realTransfers{b: b, journal: j}
	t.up = &transfer.Uploader{Journal: j, Keys: b.vault, Secrets: b.vault.JobSecrets(), Policy: b.opts.Retry, SignerFrom: b.vault.SigningKey}
	t.down = &transfer.Downloader{Journal: j, Keys: b.vault, Policy: b.opts.Retry}
	t.queue = transfer.NewQueue(t.up, t.down, b.opts.Parallel)
	t.queue.SetResolver(resolver{b})
	t.stopSub = t.queue.Subscribe(t.publish)
	t.queue.KeepInJournal(j)
	t.restore()
	return t, nil
}

// restore queues again what was unfinished when the app last closed: the
// jobs the journal kept, and once, a list an earlier version left.
func (t *realTransfers) restore() {
	ctx := context.Background()
	_, _ = t.queue.RestoreJobs(ctx, t.journal, transfer.OriginApp, restoring{resolver{t.b}})

	legacy := filepath.Join(t.b.home, legacyPendingFile)
	var list []legacyJob
	if b, err := os.ReadFile(legacy); err == nil {
		if json.Unmarshal(b, &list) != nil {
			list = nil // unreadable: start clean rather than refuse to open
		}
	}
	for _, l := range list {
		_, _ = t.add(ctx, l.desc())
	}
	if list != nil || !errors.Is(statErr(legacy), os.ErrNotExist) {
		os.Remove(legacy)
	}
}

func statErr(p string) error {
	_, err := os.Stat(p)
	return err
}

func (t *realTransfers) close() {
	// Running jobs stop as a pause stops them, so that the journal keeps
	// what they sent; not recorded as paused, they start again next time.
	t.queue.Close()
	t.stopSub()
}

// add queues d, an app's job; the queue keeps it in the journal until it
// ends.
func (t *realTransfers) add(ctx context.Context, d transfer.JobDesc) (JobID, error) {
	d.Origin = transfer.OriginApp
	id, err := t.queue.AddJob(ctx, d)
	if err != nil {
		return "", err
	}
	return JobID(strconv.Itoa(id)), nil
}

func (t *realTransfers) Jobs() []Job {
	var out []Job
	for _, e := range t.queue.Jobs() {
		if j, ok := t.job(e); ok {
			out = append(out, j)
		}
	}
	return out
}

// job turns an engine event into what the screens show.
func (t *realTransfers) job(e transfer.Event) (Job, bool) {
	p, ok := t.queue.JobDesc(e.Job)
	if !ok {
		return Job{}, false
	}
	j := Job{ID: JobID(strconv.Itoa(e.Job)), Local: p.Local, Key: p.Key, Group: p.Group, GroupName: p.GroupName,
		Remote: Location{Account: p.Account, Bucket: p.Bucket, Prefix: path.Dir(p.Key) + "/"},
		Done:   e.Done, Total: e.Total, Speed: e.Speed, Err: e.Err}
	if j.Remote.Prefix == "./" {
		j.Remote.Prefix = ""
	}
	if e.ETA > 0 {
		j.ETA = e.ETA
	}
	switch e.Phase {
	case transfer.PhaseReading:
		j.Phase = JobReading
	case transfer.PhaseChecking:
		j.Phase = JobChecking
	}
	if j.Phase != JobTransferring {
		j.PhaseDone, j.PhaseTotal = e.PhaseDone, e.PhaseTotal
	}
	if j.Err != nil && p.Kind != transfer.JobUpload {
		// Say which folder could not be written, and that a link (not an
		// account) was refused.
		j.Err = InFolder(filepath.Dir(p.Local), j.Err)
		if p.Link != "" {
			j.Err = &LinkError{Err: j.Err}
		}
	}
	if r := e.Result; r != nil {
		j.Seal, j.ETag = sealOf(r), r.Info.ETag
		j.Writer = t.writerOf(r, p)
	}
	switch {
	case errors.Is(e.Err, transfer.ErrNotVerified):
		// Refused by a strict storage: unprotected, not altered.
		j.Seal = SealNotChecked
	case errors.Is(e.Err, envelope.ErrIntegrity):
		// Refused before or after its bytes came: it was altered.
		j.Seal = SealBroken
	}
	if p.Kind == transfer.JobUpload {
		j.Kind, j.Name = Upload, filepath.Base(p.Local)
	} else {
		j.Kind, j.Name = Download, filepath.Base(p.Local)
	}
	switch e.State {
	case transfer.Queued:
		j.State = JobQueued
	case transfer.Running:
		j.State = JobRunning
	case transfer.Paused:
		j.State = JobPaused
	case transfer.Done:
		j.State = JobDone
	case transfer.Failed:
		j.State = JobFailed
	default:
		j.State = JobCanceled
	}
	j.Retryable = j.State == JobFailed && retryHelps(j.Err)
	return j, true
}

// writerOf says who signed what a download verified, and whether it was
// uploaded under the name it was read as (a link's object has no name of
// its own to compare).
func (t *realTransfers) writerOf(r *transfer.Result, p transfer.JobDesc) Writer {
	e := r.Envelope
	if r.Integrity != envelope.Verified || !e.Signed() {
		return Writer{}
	}
	w := t.b.writerOf(e, p.Bucket, p.Key)
	if p.Link != "" {
		w.Moved = false
	}
	return w
}

// sealOf says what a download found out about the object's integrity.
func sealOf(r *transfer.Result) Seal {
	switch {
	case r.Integrity == envelope.Failed:
		return SealBroken
	case r.Integrity == envelope.Verified:
		return SealVerified
	case r.Encrypted():
		return SealNotChecked
	}
	return SealUnknown // not encrypted: nothing to check
}

// publish runs on the queue's goroutine for each event.
func (t *realTransfers) publish(e transfer.Event) {
	j, ok := t.job(e)
	if !ok {
		return
	}
	t.subs.Publish(j)
}

func (t *realTransfers) Subscribe(fn func(Job)) func() { return t.subs.Add(fn) }

func queueID(id JobID) (int, error) {
	n, err := strconv.Atoi(string(id))
	if err != nil {
		return 0, fmt.Errorf("no transfer %q", id)
	}
	return n, nil
}

func (t *realTransfers) Pause(id JobID) error { return t.with(id, t.queue.Pause) }

func (t *realTransfers) Resume(id JobID) error { return t.with(id, t.queue.Resume) }

func (t *realTransfers) Cancel(id JobID) error { return t.with(id, t.queue.Cancel) }

func (t *realTransfers) Retry(id JobID) error { return t.with(id, t.queue.Retry) }

func (t *realTransfers) Remove(id JobID) (notEnded bool, err error) {
	n, err := queueID(id)
	if err != nil {
		return false, err
	}
	err = t.queue.Remove(n)
	if errors.Is(err, transfer.ErrNotEnded) {
		return true, err
	}
	// Off the queue's list, even when some of what a failed job left
	// could not be thrown away (the error says so).
	return false, err
}

func (t *realTransfers) with(id JobID, f func(int) error) error {
	n, err := queueID(id)
	if err != nil {
		return err
	}
	return f(n)
}

// SetParallel applies at once: transfers already running keep going, and
// the new limit decides how many of the waiting ones start.
func (t *realTransfers) SetParallel(n int) { t.queue.SetMaxJobs(n) }

// ForgetKeyUploads is the vault's WithKeyRemoved hook, for the app and the
// command line alike: removing a key removes the unfinished uploads locked
// for it from the journal in home, with the data keys kept for them. Jobs
// for it still in a running queue are left to end as they would have, and
// remove what they keep as they end.
func ForgetKeyUploads(home string) func(*vault.Vault, vault.Key) error {
	return func(v *vault.Vault, k vault.Key) error {
		j, err := transfer.OpenJournal(home)
		if err != nil {
			return err
		}
		return j.ForgetKey(v.JobSecrets(), k.Name, k.Locks)
	}
}
