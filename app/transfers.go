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
	"strings"
	"sync"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// legacyPendingFile is where earlier versions of the app listed unfinished
// transfers; the transfer journal keeps them now. A list found there is
// queued once (and so moves into the journal), then removed.
const legacyPendingFile = "app-transfers.json"

// pendingJob is what the app knows of a queued job: enough to show it and
// to build the engine's job again (see spec and fromRecord).
type pendingJob struct {
	Kind    string `json:"kind"` // "upload" or "download"
	Local   string `json:"local"`
	Account string `json:"account,omitempty"`
	Bucket  string `json:"bucket,omitempty"`
	Key     string `json:"key,omitempty"`
	KeyFor  string `json:"key_for,omitempty"`
	// AlsoFor are the further keys an upload is locked for.
	AlsoFor []string `json:"also_for,omitempty"`
	// Group and GroupName tie the jobs of one request together (Job).
	Group     string `json:"group,omitempty"`
	GroupName string `json:"group_name,omitempty"`
	// NoOverwrite: the upload must not replace an object that appears
	// under its name meanwhile (the user did not choose Replace).
	NoOverwrite bool `json:"no_overwrite,omitempty"`
	// Link is set for a download of a shared link.
	Link string `json:"link,omitempty"`
	// Root is the folder a folder download's file is confined to.
	Root string `json:"root,omitempty"`
}

// realTransfers is one transfer queue for every account and bucket: each
// job carries the store of its own bucket.
type realTransfers struct {
	b       *Service
	journal *transfer.Journal
	up      *transfer.Uploader
	down    *transfer.Downloader
	queue   *transfer.Queue

	mu      sync.Mutex
	jobs    map[int]*pendingJob
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
	t := &realTransfers{b: b, journal: j, jobs: map[int]*pendingJob{}}
	t.up = &transfer.Uploader{Journal: j, Keys: b.vault, Secrets: b.vault.JobSecrets(), Policy: b.opts.Retry, SignerFrom: b.vault.SigningKey}
	t.down = &transfer.Downloader{Journal: j, Keys: b.vault, Policy: b.opts.Retry}
	t.queue = transfer.NewQueue(t.up, t.down, b.opts.Parallel)
	t.stopSub = t.queue.Subscribe(t.publish)
	t.queue.KeepInJournal(j)
	t.restore()
	return t, nil
}

// restore queues again what was unfinished when the app last closed: the
// jobs the journal kept, and once, a list an earlier version left.
func (t *realTransfers) restore() {
	t.mu.Lock()
	var built []*pendingJob
	ids, _ := t.queue.RestoreQueued(t.journal, func(r transfer.QueuedJob) (transfer.Spec, error) {
		p := fromRecord(r)
		spec, err := t.spec(context.Background(), p)
		if err != nil && !errors.Is(err, vault.ErrKeychainUnavailable) {
			// The key or the account is gone: the job can never run.
			return spec, fmt.Errorf("%w: %w", transfer.ErrDropRecord, err)
		}
		if err == nil {
			built = append(built, p)
		}
		return spec, err
	})
	for i, id := range ids {
		t.jobs[id] = built[i]
	}
	t.mu.Unlock()

	legacy := filepath.Join(t.b.home, legacyPendingFile)
	var list []pendingJob
	if b, err := os.ReadFile(legacy); err == nil {
		if json.Unmarshal(b, &list) != nil {
			list = nil // unreadable: start clean rather than refuse to open
		}
	}
	for _, p := range list {
		p := p
		if spec, err := t.spec(context.Background(), &p); err == nil {
			t.add(spec, &p)
		}
	}
	if list != nil || !errors.Is(statErr(legacy), os.ErrNotExist) {
		os.Remove(legacy)
	}
}

func statErr(p string) error {
	_, err := os.Stat(p)
	return err
}

// fromRecord is the app's view of a job the journal kept.
func fromRecord(r transfer.QueuedJob) *pendingJob {
	p := &pendingJob{Account: r.Note.Account, KeyFor: r.Note.KeyName, AlsoFor: r.Note.AlsoFor, Link: r.Note.Link, Key: r.Key,
		Group: r.Note.Group, GroupName: r.Note.GroupName, NoOverwrite: r.Note.NoOverwrite}
	if r.Kind == transfer.KindQueuedUpload {
		p.Kind, p.Local, p.Bucket = "upload", r.Source, r.Bucket
		return p
	}
	p.Kind, p.Local, p.Root = "download", r.Dest, r.Root
	if p.Link == "" {
		// The app names a bucket's object "oss://bucket/key" (see spec).
		p.Bucket, _, _ = strings.Cut(strings.TrimPrefix(r.SourceID, "oss://"), "/")
	}
	return p
}

func (t *realTransfers) close() {
	// Running jobs stop as a pause stops them, so that the journal keeps
	// what they sent; not recorded as paused, they start again next time.
	t.queue.Close()
	t.stopSub()
}

// add queues spec; the queue keeps it in the journal until it ends.
func (t *realTransfers) add(spec transfer.Spec, p *pendingJob) JobID {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := t.queue.Add(spec)
	t.jobs[id] = p
	return JobID(strconv.Itoa(id))
}

// spec turns a pending job into the engine's job, with the note the
// journal keeps to build it again: the key's name, never the key.
func (t *realTransfers) spec(ctx context.Context, p *pendingJob) (transfer.Spec, error) {
	s, err := t.engineSpec(ctx, p)
	s.Note = transfer.JobNote{KeyName: p.KeyFor, AlsoFor: p.AlsoFor, Account: p.Account, Link: p.Link, Group: p.Group, GroupName: p.GroupName, NoOverwrite: p.NoOverwrite}
	return s, err
}

func (t *realTransfers) engineSpec(ctx context.Context, p *pendingJob) (transfer.Spec, error) {
	switch {
	case p.Kind == "upload":
		ws, err := t.b.wrappers(ctx, p.KeyFor, p.AlsoFor)
		if err != nil {
			return transfer.Spec{}, err
		}
		st, err := t.b.Store(p.Account, p.Bucket)
		if err != nil {
			return transfer.Spec{}, err
		}
		job := &transfer.UploadJob{Source: p.Local, Bucket: p.Bucket, Key: p.Key, Wrapper: ws[0], Store: st, NoOverwrite: p.NoOverwrite}
		if len(ws) > 1 {
			job.Wrapper, job.Wrappers = nil, ws
		}
		return transfer.Spec{Upload: job}, nil
	case p.Link != "":
		l, err := transfer.ParseLink(p.Link)
		if err != nil {
			return transfer.Spec{}, err
		}
		return transfer.Spec{Download: &transfer.DownloadJob{Source: l, SourceID: l.ID(), Dest: p.Local}}, nil
	default:
		st, err := t.b.Store(p.Account, p.Bucket)
		if err != nil {
			return transfer.Spec{}, err
		}
		return transfer.Spec{Download: &transfer.DownloadJob{Source: st, SourceID: "oss://" + p.Bucket + "/" + p.Key,
			Key: p.Key, Dest: p.Local, Root: p.Root, RequireVerified: t.b.verifiedOnly(p.Account)}}, nil
	}
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
	t.mu.Lock()
	p := t.jobs[e.Job]
	t.mu.Unlock()
	if p == nil {
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
	if j.Err != nil && p.Kind != "upload" {
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
	if p.Kind == "upload" {
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
	j.Retryable = j.State == JobFailed && transfer.Retryable(j.Err)
	return j, true
}

// writerOf says who signed what a download verified, and whether it was
// uploaded under the name it was read as (a link's object has no name of
// its own to compare).
func (t *realTransfers) writerOf(r *transfer.Result, p *pendingJob) Writer {
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
	t.mu.Lock()
	delete(t.jobs, n)
	t.mu.Unlock()
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
