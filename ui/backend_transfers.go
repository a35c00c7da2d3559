package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// legacyPendingFile is where earlier versions of the app listed unfinished
// transfers; the transfer journal keeps them now. A list found there is
// queued once (and so moves into the journal), then removed.
const legacyPendingFile = "app-transfers.json"

// pendingJob is what the app knows of a queued job: enough to show it and
// to build the engine's job again (see noteOf and fromRecord).
type pendingJob struct {
	Kind    string `json:"kind"` // "upload" or "download"
	Local   string `json:"local"`
	Account string `json:"account,omitempty"`
	Bucket  string `json:"bucket,omitempty"`
	Key     string `json:"key,omitempty"`
	KeyFor  string `json:"key_for,omitempty"`
	// Link is set for a download of a shared link.
	Link string `json:"link,omitempty"`
	// Root is the folder a folder download's file is confined to.
	Root string `json:"root,omitempty"`
}

// realTransfers is one transfer queue for every account and bucket: each
// job carries the store of its own bucket.
type realTransfers struct {
	b       *realBackend
	journal *transfer.Journal
	up      *transfer.Uploader
	down    *transfer.Downloader
	queue   *transfer.Queue

	mu      sync.Mutex
	jobs    map[int]*pendingJob
	stopSub func()
	subs    jobSubscribers
}

// retryPolicy is how the app's transfers retry failed requests; nil is
// transfer.DefaultPolicy (a bounded window, so a restarted store or network
// is ridden out). Tests shorten it to see a transfer give up.
var retryPolicy *transfer.Policy

func newRealTransfers(b *realBackend) (*realTransfers, error) {
	j, err := transfer.OpenJournal(b.home)
	if err != nil {
		return nil, fmt.Errorf("failed to open the transfer journal: %w", err)
	}
	// Transfers abandoned for longer than the journal keeps them go, with
	// the data keys and links kept for them; what cannot go now (a locked
	// keychain) stays for the next start.
	_ = j.Expire(b.vault.JobSecrets())
	t := &realTransfers{b: b, journal: j, jobs: map[int]*pendingJob{}}
	t.up = &transfer.Uploader{Journal: j, Keys: b.vault, Secrets: b.vault.JobSecrets(), Policy: retryPolicy, SignerFrom: b.vault.SigningKey}
	t.down = &transfer.Downloader{Journal: j, Keys: b.vault, Policy: retryPolicy}
	prefs, _ := loadPrefs(b.home)
	t.queue = transfer.NewQueue(t.up, t.down, prefs.parallel())
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
	p := &pendingJob{Account: r.Note.Account, KeyFor: r.Note.KeyName, Link: r.Note.Link, Key: r.Key}
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
	s.Note = transfer.JobNote{KeyName: p.KeyFor, Account: p.Account, Link: p.Link}
	return s, err
}

func (t *realTransfers) engineSpec(ctx context.Context, p *pendingJob) (transfer.Spec, error) {
	switch {
	case p.Kind == "upload":
		w, err := t.b.vault.Wrapper(ctx, p.KeyFor)
		if err != nil {
			return transfer.Spec{}, err
		}
		st, err := t.b.store(p.Account, p.Bucket)
		if err != nil {
			return transfer.Spec{}, err
		}
		return transfer.Spec{Upload: &transfer.UploadJob{Source: p.Local, Bucket: p.Bucket,
			Key: p.Key, Wrapper: w, Store: st}}, nil
	case p.Link != "":
		l, err := transfer.ParseLink(p.Link)
		if err != nil {
			return transfer.Spec{}, err
		}
		return transfer.Spec{Download: &transfer.DownloadJob{Source: l, SourceID: l.ID(), Dest: p.Local}}, nil
	default:
		st, err := t.b.store(p.Account, p.Bucket)
		if err != nil {
			return transfer.Spec{}, err
		}
		return transfer.Spec{Download: &transfer.DownloadJob{Source: st, SourceID: "oss://" + p.Bucket + "/" + p.Key,
			Key: p.Key, Dest: p.Local, Root: p.Root, RequireVerified: t.b.verifiedOnly(p.Account)}}, nil
	}
}

func (t *realTransfers) Upload(ctx context.Context, req UploadRequest) ([]JobID, error) {
	if req.KeyFor == "" {
		return nil, errNoKeyChosen
	}
	if _, err := t.b.vault.Wrapper(ctx, req.KeyFor); err != nil {
		return nil, err
	}
	files, err := transfer.PlanUpload(req.Paths, req.Dest.Prefix)
	if err != nil {
		return nil, err
	}
	if req.Existing != ReplaceExisting {
		taken, err := t.takenKeys(ctx, req.Dest, files)
		if err != nil {
			return nil, err
		}
		if len(taken) > 0 && req.Existing == AskExisting {
			e := &ExistsError{Total: len(files)}
			for _, f := range files {
				if taken[f.Key] {
					e.Names = append(e.Names, f.Key)
				}
			}
			return nil, e
		}
		for i, f := range files {
			if taken[f.Key] {
				files[i].Key = freeKey(f.Key, taken)
				taken[files[i].Key] = true
			}
		}
	}
	var ids []JobID
	for _, f := range files {
		p := &pendingJob{Kind: "upload", Local: f.Source, Account: req.Dest.Account, Bucket: req.Dest.Bucket, Key: f.Key, KeyFor: req.KeyFor}
		spec, err := t.spec(ctx, p)
		if err != nil {
			return ids, err
		}
		ids = append(ids, t.add(spec, p))
	}
	return ids, nil
}

// takenKeys returns which of the files' keys, and which other keys under
// the same folders, already exist in dest: one listing per folder the
// upload writes to, not one request per file.
func (t *realTransfers) takenKeys(ctx context.Context, dest Location, files []transfer.PlannedUpload) (map[string]bool, error) {
	st, err := t.b.store(dest.Account, dest.Bucket)
	if err != nil {
		return nil, err
	}
	// A few quick tries: the user waits on this before the upload starts.
	lister := transfer.Retrying{Store: st, Policy: transfer.Policy{Attempts: 3, Base: 250 * time.Millisecond, Max: 2 * time.Second}}
	folders := map[string]bool{}
	for _, f := range files {
		folders[path.Dir(f.Key)+"/"] = true
	}
	taken := map[string]bool{}
	for dir := range folders {
		if dir == "./" {
			dir = ""
		}
		token := ""
		for {
			p, err := lister.ListPage(ctx, dir, "/", token, 0)
			if err != nil {
				return nil, fmt.Errorf("failed to check which files already exist: %w", err)
			}
			for _, o := range p.Objects {
				taken[o.Key] = true
			}
			if token = p.Next; token == "" {
				break
			}
		}
	}
	return taken, nil
}

// freeKey returns "a (2).pdf", "a (3).pdf" … for key "a.pdf", the first
// not in taken, as the download side names a file that is already there.
func freeKey(key string, taken map[string]bool) string {
	dir, name := path.Split(key)
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	if base == "" {
		base, ext = name, ""
	}
	for n := 2; ; n++ {
		k := dir + base + " (" + strconv.Itoa(n) + ")" + ext
		if !taken[k] {
			return k
		}
	}
}

func (t *realTransfers) Download(_ context.Context, loc Location, key, dir string) (JobID, error) {
	dest, err := freeName(dir, path.Base(key))
	if err != nil {
		return "", err
	}
	p := &pendingJob{Kind: "download", Local: dest, Account: loc.Account, Bucket: loc.Bucket, Key: key}
	spec, err := t.spec(context.Background(), p)
	if err != nil {
		return "", err
	}
	return t.add(spec, p), nil
}

func (t *realTransfers) DownloadFolder(ctx context.Context, loc Location, prefix, dir string) (string, []JobID, error) {
	st, err := t.b.store(loc.Account, loc.Bucket)
	if err != nil {
		return "", nil, err
	}
	local, err := claimFolder(dir, path.Base(prefix))
	if err != nil {
		return "", nil, err
	}
	files, err := transfer.PlanFolder(ctx, st, prefix, local)
	if err == nil && len(files) == 0 {
		err = errEmptyFolder
	}
	if err != nil {
		os.Remove(local) // still empty: nothing was planned into it
		return "", nil, err
	}
	// The folders below local are made by each download, confined to
	// local: a link inside it cannot lead a file out.
	var ids []JobID
	for _, f := range files {
		p := &pendingJob{Kind: "download", Local: f.Local, Account: loc.Account, Bucket: loc.Bucket, Key: f.Key, Root: local}
		spec, err := t.spec(ctx, p)
		if err != nil {
			return local, ids, err
		}
		ids = append(ids, t.add(spec, p))
	}
	return local, ids, nil
}

// claimFolder creates dir/name, or "name (2)" and so on when that is
// taken (as freeName does for a file, with no extension to keep), so that
// a folder download never mixes its files into a folder already there.
func claimFolder(dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", inFolder(dir, err)
	}
	// The folder's own name obeys the rules its files do.
	if _, ok, err := transfer.FolderPath(dir, "", name); !ok || err != nil || filepath.Base(name) != name {
		name = "download"
	}
	for i := 1; ; i++ {
		cand := filepath.Join(dir, name)
		if i > 1 {
			cand = filepath.Join(dir, fmt.Sprintf("%s (%d)", name, i))
		}
		// Mkdir fails on anything already there, so two downloads of one
		// folder at once get a folder each.
		err := os.Mkdir(cand, 0o700)
		if err == nil {
			return cand, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", inFolder(dir, err)
		}
	}
}

func (t *realTransfers) openLink(link, dir string) (JobID, error) {
	l, err := transfer.ParseLink(link)
	if err != nil {
		// The screen lets only text that starts like a link through.
		return "", fmt.Errorf("%w: %w", errLinkDamaged, err)
	}
	dest, err := freeName(dir, l.ObjectName())
	if err != nil {
		return "", err
	}
	p := &pendingJob{Kind: "download", Local: dest, Link: link}
	spec, err := t.spec(context.Background(), p)
	if err != nil {
		return "", err
	}
	return t.add(spec, p), nil
}

// freeName picks dir/name, or "name (2).ext" and so on when it is taken:
// a download never overwrites a file.
func freeName(dir, name string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", inFolder(dir, err)
	}
	name = filepath.Base(filepath.FromSlash(name))
	if name == "." || name == string(filepath.Separator) || name == "" {
		name = "download"
	}
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 1; ; i++ {
		cand := filepath.Join(dir, name)
		if i > 1 {
			cand = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", stem, i, ext))
		}
		if _, err := os.Lstat(cand); errors.Is(err, os.ErrNotExist) {
			return cand, nil
		}
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
	j := Job{ID: JobID(strconv.Itoa(e.Job)), Local: p.Local, Key: p.Key,
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
		j.Err = inFolder(filepath.Dir(p.Local), j.Err)
		if p.Link != "" {
			j.Err = &linkError{Err: j.Err}
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
	name, fp, _ := t.b.vault.Signer(e.Signer)
	w := Writer{Signed: true, Name: name, Fingerprint: fp, UploadedAs: e.UploadedAs(), UploadedAt: e.UploadedAt}
	if p.Link == "" {
		w.Moved = e.UploadedBucket != p.Bucket || e.UploadedKey != p.Key
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
	t.subs.publish(j)
}

func (t *realTransfers) Subscribe(fn func(Job)) func() { return t.subs.add(fn) }

func queueID(id JobID) (int, error) {
	n, err := strconv.Atoi(string(id))
	if err != nil {
		return 0, fmt.Errorf("no transfer %q", id)
	}
	return n, nil
}

func (t *realTransfers) Pause(id JobID) error  { return t.with(id, t.queue.Pause) }
func (t *realTransfers) Resume(id JobID) error { return t.with(id, t.queue.Resume) }
func (t *realTransfers) Cancel(id JobID) error { return t.with(id, t.queue.Cancel) }
func (t *realTransfers) Retry(id JobID) error  { return t.with(id, t.queue.Retry) }

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

// deleteFolder deletes a folder through s and says what came of it: the
// objects that could not be deleted are no error here but counted in
// FolderDeletion.Failed, with the first reason in Why, so that screens
// need not know the engine's *transfer.DeleteError.
func deleteFolder(ctx context.Context, s Storage, loc Location, prefix string, progress func(deleted, total int)) (FolderDeletion, error) {
	n, err := s.DeleteFolder(ctx, loc, prefix, progress)
	var de *transfer.DeleteError
	if errors.As(err, &de) {
		return FolderDeletion{Deleted: de.Deleted, Failed: de.Failed, Why: de.Err}, nil
	}
	return FolderDeletion{Deleted: n}, err
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

// sharedCopyName is the object key of the copy of key locked for forKey:
// beside the original, "name (for KEY).ext" in the user's language, so that
// whoever browses the folder sees whom each copy is for.
func sharedCopyName(key, forKey string) string {
	dir, base := path.Split(key)
	ext := path.Ext(base)
	if ext == base {
		ext = "" // ".profile" is a name, not an extension
	}
	return dir + lang.L("{{.Name}} (for {{.Key}})", map[string]any{"Name": strings.TrimSuffix(base, ext), "Key": forKey}) + ext
}

// relock stores a copy of an object locked for another key, beside the
// original as sharedCopyName names it, and returns its object key. The
// plaintext passes through a private temporary folder that is removed.
// progress, if not nil, gets the bytes done of both halves (reading the
// original, then sending the copy) out of twice the object's size.
//
// When ctx ends, the copy is not left in the bucket: a multipart upload is
// aborted (the uploader keeps one for a resume only when paused), and a copy
// that was already complete is deleted.
func (t *realTransfers) relock(ctx context.Context, loc Location, key, forKey string, progress func(done, total int64)) (string, error) {
	if progress == nil {
		progress = func(int64, int64) {}
	}
	st, err := t.b.store(loc.Account, loc.Bucket)
	if err != nil {
		return "", err
	}
	w, err := t.b.vault.Wrapper(ctx, forKey)
	if err != nil {
		return "", err
	}
	info, err := st.Head(ctx, key)
	if err != nil {
		return "", err
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
		down := &transfer.Downloader{Keys: t.b.vault, Policy: retryPolicy}
		_, err := down.Stream(jobCtx, st, key, pw, func(done, total int64) { progress(done, 2*total) })
		pw.CloseWithError(err)
	}()
	newKey := sharedCopyName(key, forKey)
	up := &transfer.Uploader{Store: st, Keys: t.b.vault, Policy: retryPolicy, SignerFrom: t.b.vault.SigningKey,
		PartSize: envelope.PartSize(size, transfer.DefaultPartSize)}
	err = up.UploadStream(jobCtx, pr, transfer.UploadJob{Source: key, Bucket: loc.Bucket, Key: newKey, Wrapper: w},
		func(done, _ int64) { progress(size+done, 2*size) })
	pr.CloseWithError(err) // a failed upload stops the download
	if err != nil {
		return "", canceledAs(ctx, err)
	}
	if ctx.Err() != nil {
		// Canceled as the last part went up: the user asked for no copy.
		dctx, dcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer dcancel()
		if derr := st.Delete(dctx, newKey); derr != nil {
			return "", fmt.Errorf("failed to delete the canceled copy %q: %w", newKey, derr)
		}
		return "", ctx.Err()
	}
	return newKey, nil
}

// canceledAs says that the user stopped the work, rather than the engine's
// wording of it, when ctx ended.
func canceledAs(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// forgetKeyUploads is the vault's WithKeyRemoved hook: removing a key
// removes the unfinished uploads locked for it from the journal in home,
// with the data keys kept for them (as the command line's does). Jobs for
// it still in this running queue are left to end as they would have, and
// remove what they keep as they end.
func forgetKeyUploads(home string) func(*vault.Vault, vault.Key) error {
	return func(v *vault.Vault, k vault.Key) error {
		j, err := transfer.OpenJournal(home)
		if err != nil {
			return err
		}
		return j.ForgetKey(v.JobSecrets(), k.Name, k.Locks)
	}
}
