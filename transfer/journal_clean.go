package transfer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/ossvault/ossvault/envelope"
)

// MaxRecordAge is how long a journal record outlives its last change: an
// upload not resumed for a week is not worth resuming, and a shared link
// works for 7 days at most. Expire removes older records, and with them
// what JobSecrets keeps for them, so that the data key of an abandoned
// upload does not stay in the keychain for good.
const MaxRecordAge = 7 * 24 * time.Hour

// Expire removes the records of uploads and queued jobs that were created,
// and last written, more than MaxRecordAge ago, each with the secrets s
// keeps for it: an upload's data key, a queued download's shared link. The
// server's unfinished upload is not aborted: the journal does not know how
// to reach every bucket. It is noted as an orphan instead, which `ossvault
// uploads --abort` ends (see orphans.go). Callers run it when they open
// the journal to run transfers.
//
// A record is removed only once its secret is gone, so that no secret is
// left without the record that would remove it: without s, or while the
// keychain is locked, a record that has a secret stays, and the error says
// why. Records of downloads under way hold no secret and stay: their
// partial file is the downloader's to remove (Downloader.Forget).
func (j *Journal) Expire(s JobSecrets) error {
	return j.expire(s, time.Now())
}

func (j *Journal) expire(s JobSecrets, now time.Time) error {
	recs, err := j.List()
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range recs {
		if r.Kind == "download" || !j.olderThan(r, now.Add(-MaxRecordAge)) {
			continue
		}
		var err error
		switch r.Kind {
		case "upload":
			err = j.forgetUpload(s, r.ID, nil, true)
		case KindQueuedUpload, KindQueuedDownload:
			err = j.forgetQueued(s, r.ID)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	j.removeStrayLeaves(now.Add(-MaxRecordAge))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("failed to remove the transfers unfinished for over %d days: %w", int(MaxRecordAge/(24*time.Hour)), err)
	}
	return nil
}

// removeStrayLeaves removes the leaves files (journal_leaves.go) whose
// record is gone and that were last written before limit: a crash between
// making a new upload's leaves file and writing its record leaves one.
func (j *Journal) removeStrayLeaves(limit time.Time) {
	ents, err := os.ReadDir(j.dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".leaves")
		if !ok {
			continue
		}
		p, err := j.path(id)
		if err != nil {
			continue
		}
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.ModTime().Before(limit) {
			j.removeLeaves(id)
		}
	}
}

// olderThan reports whether r was both created and last written before
// limit. The file's time counts because an upload resumed and interrupted
// again writes its record but keeps its creation time; the creation time
// counts because a copied folder may give the file a new time. A time in
// the future (a clock set back) keeps the record.
func (j *Journal) olderThan(r Record, limit time.Time) bool {
	if !r.Created.Before(limit) {
		return false
	}
	p, err := j.path(r.ID)
	if err != nil {
		return false
	}
	info, err := os.Stat(p)
	return err == nil && info.ModTime().Before(limit)
}

// ForgetKey removes what the journal keeps for the unfinished uploads
// locked for a key that is being removed: the records of uploads whose
// envelope locks reports true, with the data keys s keeps for them, and
// the queued uploads whose note names the key. Nothing would resume them
// with the key gone, and a kept data key must not outlive the key it was
// kept for. The server's unfinished uploads are not aborted (this code
// cannot reach every bucket) but noted as orphans, which `ossvault uploads
// --abort` ends.
func (j *Journal) ForgetKey(s JobSecrets, name string, locks func(*envelope.Envelope) bool) error {
	recs, err := j.List()
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range recs {
		var err error
		switch r.Kind {
		case "upload":
			err = j.forgetUpload(s, r.ID, locks, true)
		case KindQueuedUpload:
			var q QueuedJob
			if ok, lerr := j.Load(r.ID, &q); lerr != nil || !ok || q.Note.KeyName != name || name == "" {
				continue
			}
			err = j.forgetQueued(s, r.ID)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("failed to remove the unfinished uploads locked for key %q: %w", name, err)
	}
	return nil
}

// forgetUpload removes upload record id and its kept data key, if locks is
// nil or reports that the record's envelope is locked for the key. With
// note, the upload, not aborted, is noted as an orphan. A record that
// another process is running stays: that process removes it as it ends.
func (j *Journal) forgetUpload(s JobSecrets, id string, locks func(*envelope.Envelope) bool, note bool) error {
	unlock, err := j.Lock(id)
	if errors.Is(err, ErrRunningElsewhere) {
		return nil
	}
	if err != nil {
		return err
	}
	defer unlock()
	return j.forgetLockedUpload(s, id, locks, note)
}

// forgetLockedUpload is forgetUpload for a caller that holds id's lock.
func (j *Journal) forgetLockedUpload(s JobSecrets, id string, locks func(*envelope.Envelope) bool, note bool) error {
	var rec uploadRecord
	if ok, err := j.Load(id, &rec); err != nil || !ok {
		return err
	}
	if locks != nil {
		env, err := envelope.ParseMeta(rec.Meta)
		if err != nil || !locks(env) {
			return nil
		}
	}
	if rec.KeptKey {
		if s == nil {
			return fmt.Errorf("the data key of the upload to %s is in the keychain, which this program cannot reach", rec.Dest)
		}
		if err := s.Delete(keptKeyID(id)); err != nil {
			return fmt.Errorf("failed to remove the data key of the upload to %s from the keychain: %w", rec.Dest, err)
		}
	}
	if note {
		if err := j.noteOrphan(&rec); err != nil {
			return err
		}
	}
	return j.Remove(id)
}

// forgetQueued removes queued record id and the shared link kept for it.
func (j *Journal) forgetQueued(s JobSecrets, id string) error {
	var rec QueuedJob
	if ok, err := j.Load(id, &rec); err != nil || !ok {
		return err
	}
	// Records written before links went to the keychain hold the link
	// itself (Note.Link); one may have been moved there since.
	switch {
	case s != nil && (rec.Note.LinkRef != nil || rec.Note.Link != ""):
		if err := s.Delete(linkSecretID(id)); err != nil {
			return fmt.Errorf("failed to remove the link of the download to %s from the keychain: %w", rec.Dest, err)
		}
	case rec.Note.LinkRef != nil:
		return fmt.Errorf("the link of the download to %s is in the keychain, which this program cannot reach", rec.Dest)
	}
	return j.Remove(id)
}

// forgetQueuedUploads removes the queued jobs of upload record uploadID
// (UploadID): the upload was given up on, and a queue must not start it
// again.
func (j *Journal) forgetQueuedUploads(s JobSecrets, uploadID string) error {
	recs, err := j.List()
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.Kind != KindQueuedUpload {
			continue
		}
		var q QueuedJob
		if ok, err := j.Load(r.ID, &q); err != nil || !ok || UploadID(q.Source, q.Bucket, q.Key) != uploadID {
			continue
		}
		if err := j.forgetQueued(s, r.ID); err != nil {
			return err
		}
	}
	return nil
}
