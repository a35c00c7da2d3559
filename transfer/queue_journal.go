package transfer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/ossvault/ossvault/envelope"
)

// JobNote is what the caller needs besides the job itself to build it
// again after a restart. It is kept in the journal (mode 0600) with the
// job, so it must never hold key material: a key is named, not included.
type JobNote struct {
	// KeyName is the name of the key an upload is locked for.
	KeyName string `json:"key_name,omitempty"`
	// AlsoFor names the further keys an upload is locked for, in order.
	AlsoFor []string `json:"also_for,omitempty"`
	// Group ties the jobs of one dropped folder (or one request for
	// several files) together, so that they show as one; GroupName is
	// what the user calls it ("" when the caller words it).
	Group     string `json:"group,omitempty"`
	GroupName string `json:"group_name,omitempty"`
	// NoOverwrite: the upload must not replace an object (UploadJob).
	NoOverwrite bool `json:"no_overwrite,omitempty"`
	// Account names where the job's bucket lives, in the caller's terms.
	Account string `json:"account,omitempty"`
	// Link is the shared link a download reads, as the user received it:
	// without it the object cannot be read again. It is a bearer credential
	// until it expires, so the queue never writes it to the journal: it
	// keeps it in its uploader's Secrets and records only LinkRef, and
	// RestoreQueued puts it back here. Records written before held it here;
	// they still restore, and are rewritten without it.
	Link string `json:"link,omitempty"`
	// LinkRef describes a kept download's link without its signature.
	LinkRef *LinkRef `json:"link_ref,omitempty"`
}

// LinkRef is what the journal keeps of a shared link: enough to show the
// job, nothing that grants access.
type LinkRef struct {
	// Object is the link without its query ("https://host/bucket/key").
	Object string `json:"object"`
	// Expires is when the link's signature ends (zero if it does not say).
	Expires time.Time `json:"expires,omitzero"`
}

// linkRef describes link for the journal.
func linkRef(link string) *LinkRef {
	u, err := url.Parse(link)
	if err != nil {
		return &LinkRef{}
	}
	ref := &LinkRef{Object: u.Scheme + "://" + u.Host + u.EscapedPath()}
	q := u.Query()
	if s, err := strconv.ParseInt(q.Get("Expires"), 10, 64); err == nil {
		ref.Expires = time.Unix(s, 0).UTC() // V1 signature
	} else if d, err := time.Parse("20060102T150405Z", q.Get("x-oss-date")); err == nil {
		if s, err := strconv.ParseInt(q.Get("x-oss-expires"), 10, 64); err == nil {
			ref.Expires = d.Add(time.Duration(s) * time.Second) // V4 signature
		}
	}
	return ref
}

// linkSecretID is the JobSecrets entry of queued record id's link.
func linkSecretID(recordID string) string { return "link-" + recordID }

// secrets is where the queue keeps links: its uploader's JobSecrets.
func (q *Queue) secrets() JobSecrets {
	if q.up == nil {
		return nil
	}
	return q.up.Secrets
}

// keepLink moves rec's link out of the record into Secrets, unless
// prekeepLink already put it there (stored). Without Secrets the link is
// not kept: the job runs, but is not restored.
func (q *Queue) keepLink(rec *QueuedJob, stored bool) error {
	link := rec.Note.Link
	if link == "" {
		return nil
	}
	rec.Note.Link, rec.Note.LinkRef = "", linkRef(link)
	s := q.secrets()
	if s == nil || stored {
		return nil
	}
	return putLink(s, rec.ID, link)
}

func putLink(s JobSecrets, recordID, link string) error {
	if err := s.Put(linkSecretID(recordID), []byte(link)); err != nil {
		return fmt.Errorf("failed to keep the link: %w", err)
	}
	return nil
}

// prekeepLink puts the link of a job about to be added into Secrets, so
// that Add does it before taking the queue's lock: a keychain that asks
// the user to unlock it must not hold up every transfer's progress.
// It reports whether the link is stored; on failure keep tries again
// under the lock and records the error there.
func (q *Queue) prekeepLink(spec Spec, d JobDesc) bool {
	q.mu.Lock()
	kept := q.kept != nil
	q.mu.Unlock()
	s := q.secrets()
	if !kept || s == nil || d.Link == "" {
		return false
	}
	rec, ok := descRecord(spec, d)
	return ok && putLink(s, rec.ID, d.Link) == nil
}

// forgetLink deletes the link kept for rec, if the job had one.
func (q *Queue) forgetLink(rec QueuedJob) error {
	s := q.secrets()
	if s == nil || (rec.Note.Link == "" && rec.Note.LinkRef == nil) {
		return nil
	}
	if err := s.Delete(linkSecretID(rec.ID)); err != nil {
		return fmt.Errorf("failed to remove the link from the keychain: %w", err)
	}
	return nil
}

// Kinds of the records that keep queued jobs; Journal.List returns them
// beside the records of transfers under way.
const (
	KindQueuedUpload   = "queued-upload"
	KindQueuedDownload = "queued-download"
)

// QueuedJob is the journal's record of a job that has not ended: it is
// written when the job is queued and removed when it is done or canceled,
// so a job that never started, or that was paused or failed, comes back
// after a restart (see Queue.RestoreQueued), paused if the user paused
// it. Progress of a job under way is kept apart, in the uploader's and
// downloader's own records.
type QueuedJob struct {
	Record
	Bucket string `json:"bucket,omitempty"`
	// Key is the object's key.
	Key string `json:"key,omitempty"`
	// SourceID is a download's DownloadJob.SourceID.
	SourceID string `json:"source_id,omitempty"`
	// Root is a download's DownloadJob.Root: the folder a folder download
	// is confined to.
	Root string `json:"root,omitempty"`
	// Job is the job's description (JobDesc), without its link. Records
	// written before it was kept have none, and hold the names in Note;
	// Desc reads either. As loaded, Note always holds the names.
	Job  *JobDesc `json:"job,omitempty"`
	Note JobNote  `json:"note,omitzero"`
	// Paused: the user paused the job (Queue.Pause), and RestoreQueued
	// brings it back paused rather than running it. Resume and Retry clear
	// it; a queue stopping as the program ends (Queue.Close) does not set it.
	Paused bool `json:"paused,omitempty"`
}

// queuedRecord describes spec, added as a Spec, for the journal.
func queuedRecord(spec Spec) (QueuedJob, bool) { return descRecord(spec, specDesc(spec)) }

// descRecord describes spec, described by desc, for the journal; ok is
// false for a spec that is neither an upload nor a download.
func descRecord(spec Spec, desc JobDesc) (rec QueuedJob, ok bool) {
	switch {
	case spec.Upload != nil:
		u := spec.Upload
		rec = QueuedJob{Record: Record{Kind: KindQueuedUpload, Source: u.Source, Dest: "oss://" + u.Bucket + "/" + u.Key},
			Bucket: u.Bucket, Key: u.Key}
		rec.ID = JobID(recordParts(rec.Kind, desc, UploadID(u.Source, u.Bucket, u.Key))...)
	case spec.Download != nil:
		d := spec.Download
		rec = QueuedJob{Record: Record{Kind: KindQueuedDownload, Source: d.SourceID, Dest: d.Dest},
			Key: d.Key, SourceID: d.SourceID, Root: d.Root}
		rec.ID = JobID(recordParts(rec.Kind, desc, DownloadID(d.SourceID, d.Dest, d.Range))...)
	default:
		return QueuedJob{}, false
	}
	rec.Note, rec.Job = desc.note(), &desc
	return rec, true
}

// recordParts name a queued job's record: the app's records are named
// as they were before other programs kept jobs; another program's are
// apart, so that one never takes the other's record.
func recordParts(kind string, d JobDesc, transferID string) []string {
	if d.origin() == OriginApp {
		return []string{kind, d.Account, transferID}
	}
	return []string{kind, d.Account, transferID, d.Origin}
}

// MarshalJSON writes rec as the journal keeps it: the names in Job, the
// link never (LinkRef describes it).
func (rec QueuedJob) MarshalJSON() ([]byte, error) {
	type plain QueuedJob
	p := plain(rec)
	if p.Job != nil {
		d := *p.Job
		d.Link, d.LinkRef = "", rec.Note.LinkRef
		if d.LinkRef == nil && rec.Note.Link != "" {
			d.LinkRef = linkRef(rec.Note.Link)
		}
		p.Job, p.Note = &d, JobNote{}
	}
	return json.Marshal(p)
}

// UnmarshalJSON reads a record of either form (see Job): Note holds the
// names after it.
func (rec *QueuedJob) UnmarshalJSON(b []byte) error {
	type plain QueuedJob
	if err := json.Unmarshal(b, (*plain)(rec)); err != nil {
		return err
	}
	if rec.Job != nil {
		rec.Job.Link = ""
		rec.Note = rec.Job.note()
	}
	return nil
}

// KeepInJournal makes the queue record every job it is given from now on
// in j until the job is done or canceled. Saving happens as jobs are added
// and end; a failure to save does not stop the job, and is reported by
// JournalErr.
func (q *Queue) KeepInJournal(j *Journal) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.kept = j
}

// JournalErr returns the last failure to keep a queued job in the journal,
// or nil.
func (q *Queue) JournalErr() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.keptErr
}

// keep records or forgets job j after event e. q.mu is held: the journal
// must see a job's adds and ends in the order they happen.
func (q *Queue) keep(j *job, e Event) {
	if q.kept == nil || e.Progress {
		return
	}
	var err error
	switch e.State {
	case Queued, Paused:
		if e.State == Paused && !j.userPaused {
			return // stopped by Close: it runs again after a restart
		}
		paused := e.State == Paused
		if !j.kept {
			err = q.keepNew(j, paused)
		} else if j.rec.Paused != paused {
			j.rec.Paused = paused
			err = q.kept.Save(j.rec.ID, &j.rec)
		}
	case Done, Canceled:
		err = q.unkeep(j)
	case Failed:
		// A failure that retrying after a restart cannot change (the object
		// was altered, is gone, or its link expired) is not brought back on
		// every start; the others (network, credentials, a full disk) are.
		if failsForGood(e.Err) {
			err = q.unkeep(j)
		}
	}
	if err != nil {
		q.keptErr = fmt.Errorf("failed to keep %s in the transfer journal: %w", j.spec.Name(), err)
	}
}

// keepNew writes j's first record. q.mu is held.
func (q *Queue) keepNew(j *job, paused bool) error {
	rec, ok := descRecord(j.spec, j.desc)
	if !ok {
		return nil
	}
	rec.Created, rec.Paused = time.Now(), paused
	err := q.keepLink(&rec, j.linkStored)
	j.linkStored = false // a later re-queue after forgetLink puts it again
	if err != nil {
		return err
	}
	if err := q.kept.Save(rec.ID, &rec); err != nil {
		return err
	}
	j.kept, j.rec = true, rec
	return nil
}

// prekeep writes the record of a job about to be added, before Add takes
// the queue's lock, as prekeepLink does the link: the write is synced, and
// under the lock it held up every running job's progress and end, which
// made a put of 2,000 small files half as slow again. The job does not
// exist yet, so nothing it does can reach the journal before its record.
// It returns the record written, or nil when the queue keeps no journal or
// the write failed (keepNew then tries again under the lock, and records
// the error there).
func (q *Queue) prekeep(spec Spec, d JobDesc, linkStored bool) *QueuedJob {
	q.mu.Lock()
	kept := q.kept
	q.mu.Unlock()
	if kept == nil {
		return nil
	}
	rec, ok := descRecord(spec, d)
	if !ok {
		return nil
	}
	rec.Created = time.Now()
	if q.keepLink(&rec, linkStored) != nil || kept.Save(rec.ID, &rec) != nil {
		return nil
	}
	return &rec
}

// unkeep removes j's record and the link kept for it. q.mu is held.
func (q *Queue) unkeep(j *job) error {
	rec, ok := descRecord(j.spec, j.desc)
	if q.kept == nil || !ok {
		return nil
	}
	err := errors.Join(q.forgetLink(rec), q.kept.Remove(rec.ID))
	if err == nil {
		j.kept = false
	}
	return err
}

// Retryable reports whether retrying a job that failed with err may work.
// It may not when the object was altered or is gone, its bucket is gone,
// its stored copy is damaged, a name is invalid, a shared link expired, or
// no key on this computer opens the object: those fail the same way every
// time.
func Retryable(err error) bool {
	return err != nil && !failsForGood(err) && !errors.Is(err, envelope.ErrNoKey)
}

// failsForGood reports whether err means the job would fail the same way
// however often it is retried.
func failsForGood(err error) bool {
	for _, target := range []error{envelope.ErrIntegrity, ErrNoSuchObject, ErrNoSuchBucket, ErrLinkExpired, ErrDamaged, ErrInvalidName} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// RestoreQueued queues again the jobs that an earlier queue kept in j and
// that had not ended; one the user had paused comes back paused (an event
// with State Paused) and waits for Resume. A record that fails its checks
// is set aside (see Journal) and never given to build. build turns a record into its job (it knows the
// accounts and keys), or returns an error to leave the record for later;
// an error wrapping ErrDropRecord removes the record instead. It returns the new job ids, in the order the
// jobs were first queued.
func (q *Queue) RestoreQueued(j *Journal, build func(QueuedJob) (Spec, error)) ([]int, error) {
	return q.restore(j, func(rec QueuedJob) (Spec, *JobDesc, error) {
		spec, err := build(rec)
		return spec, nil, err
	})
}

// restore is RestoreQueued with build also giving the job's description
// (nil: made from its Spec).
func (q *Queue) restore(j *Journal, build func(QueuedJob) (Spec, *JobDesc, error)) ([]int, error) {
	recs, err := j.List()
	if err != nil {
		return nil, err
	}
	var ids []int
	for _, r := range recs {
		if r.Kind != KindQueuedUpload && r.Kind != KindQueuedDownload {
			continue
		}
		var rec QueuedJob
		if ok, err := j.Load(r.ID, &rec); err != nil || !ok {
			continue
		}
		if reason := rec.check(r.ID); reason != "" {
			j.setAside(r.ID, reason)
			continue
		}
		if !q.restoreLink(j, &rec) {
			continue
		}
		spec, desc, err := build(rec)
		if errors.Is(err, ErrDropRecord) {
			q.dropQueued(j, rec)
			continue
		}
		if err != nil {
			continue
		}
		ids = append(ids, q.add(spec, desc, rec.Paused))
	}
	return ids, nil
}

// restoreLink puts the link a kept download's record names back into
// rec.Note.Link from Secrets; false leaves the record alone (the keychain
// is locked, or this queue has none) or, the link being gone and with it
// any way to read the object, removes it.
func (q *Queue) restoreLink(j *Journal, rec *QueuedJob) bool {
	if rec.Note.Link != "" || rec.Note.LinkRef == nil {
		return true
	}
	s := q.secrets()
	if s == nil {
		return false
	}
	link, ok, err := s.Get(linkSecretID(rec.ID))
	if err != nil {
		return false
	}
	if !ok {
		j.Remove(rec.ID)
		return false
	}
	rec.Note.Link = string(link)
	return true
}

// dropQueued removes a kept job that can never run again.
func (q *Queue) dropQueued(j *Journal, rec QueuedJob) {
	j.Remove(rec.ID)
	q.forgetLink(rec)
	if rec.Kind == KindQueuedUpload {
		// Its progress, and a data key kept for it, go too: nothing
		// would ever resume or remove them.
		q.up.dropRecord(UploadID(rec.Source, rec.Bucket, rec.Key))
	}
}

// ErrDropRecord tells RestoreQueued that a kept job can never be built
// again (its file or key is gone) and its record should be removed.
var ErrDropRecord = errors.New("the kept transfer cannot be restored")
