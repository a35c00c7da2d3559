package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ossvault/ossvault/internal/safetext"
)

// No orphans. A multipart upload that is neither completed nor aborted
// keeps its parts on the server, and costs storage, for ever. Every path
// that forgets an upload record therefore aborts its upload first (abort).
// Where that cannot happen (the abort failed, or the record is forgotten
// by code that cannot reach the bucket: Expire, ForgetKey, a queued job
// whose file or key is gone), the journal keeps a small orphan note in its
// place: the bucket, object key and upload id, nothing secret. Journal.Own
// lists what is left, the interrupted uploads and the notes, as the bucket
// confirms them, and AbortOwn ends them (`ossvault uploads`). A stream
// (`put -`), which has no record since it cannot resume, is noted the same
// way before its first part is sent, holding the note's lock until it ends,
// so that a killed one is listed too.
//
// OSS does not return an upload's metadata in ListMultipartUploads, and
// ListParts returns only the standard client-side-encryption fields, which
// the official SDKs' encryption clients write too: nothing on the server
// tells an upload ossvault started from another client's. The journal is
// therefore the rule: an upload is ossvault's when this computer's
// journal (this OSSVAULT_HOME) started it. A record set aside as damaged is
// not counted: its upload id cannot be trusted.

// KindOrphanUpload is the kind of the journal's orphan notes.
const KindOrphanUpload = "orphan-upload"

// orphanRecord is an unfinished upload that ossvault stopped tracking
// without being able to abort it.
type orphanRecord struct {
	Record
	Bucket   string `json:"bucket"`
	Key      string `json:"key"`
	UploadID string `json:"upload_id"`
}

func orphanID(bucket, key, uploadID string) string {
	return JobID(KindOrphanUpload, bucket, key, uploadID)
}

// noteOrphan keeps a note of rec's upload, which is about to be forgotten
// without having been aborted.
func (j *Journal) noteOrphan(rec *uploadRecord) error {
	if j == nil || checkTarget(rec.Bucket, rec.Key, rec.UploadID) != "" {
		return nil // nothing that could reach an upload
	}
	id := orphanID(rec.Bucket, rec.Key, rec.UploadID)
	o := orphanRecord{
		Record: Record{ID: id, Kind: KindOrphanUpload, Source: rec.Source, Dest: rec.Dest, Created: time.Now().UTC()},
		Bucket: rec.Bucket, Key: rec.Key, UploadID: rec.UploadID,
	}
	if err := j.Save(id, &o); err != nil {
		return fmt.Errorf("failed to note the unfinished upload to %s: %w", safetext.Name(rec.Dest), err)
	}
	return nil
}

// abort ends rec's unfinished upload on the server so its parts stop
// costing storage, before its record is forgotten. It runs on its own short
// context: the job's may be canceled. An upload the server no longer has
// counts as aborted. When the abort fails, the upload is noted as an
// orphan (see above) and the error says, once, how to remove it later.
func (u *Uploader) abort(rec *uploadRecord) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := u.st().AbortMultipart(ctx, rec.Key, rec.UploadID)
	if err == nil || errors.Is(err, ErrNoSuchUpload) {
		return nil
	}
	if u.Journal == nil {
		// No journal to note it in (the app's one-off copies): say so.
		return fmt.Errorf("its unfinished upload could not be aborted: %w", err)
	}
	if nerr := u.Journal.noteOrphan(rec); nerr != nil {
		return fmt.Errorf("its unfinished upload could not be aborted (%w), nor noted: %w", err, nerr)
	}
	return fmt.Errorf("its unfinished upload could not be aborted (%w); `ossvault uploads oss://%s --abort` removes it later", err, safetext.Name(rec.Bucket))
}

// UnfinishedUpload is a multipart upload that a bucket holds unfinished.
type UnfinishedUpload struct {
	Key       string
	UploadID  string
	Initiated time.Time
}

// UploadLister lists a bucket's unfinished multipart uploads, a page at a
// time, calling fn for each.
type UploadLister interface {
	ListUploads(ctx context.Context, fn func(UnfinishedUpload) error) error
}

// OwnUpload is an unfinished upload that this journal started.
type OwnUpload struct {
	UnfinishedUpload
	// Running: another process is sending it now (it holds the record's
	// lock). AbortOwn leaves it alone.
	Running bool
	id      string // its journal record: an upload record or an orphan note
	orphan  bool
}

// checkTarget says why a record's bucket, key and upload id cannot be
// used to reach the server, or "".
func checkTarget(bucket, key, uploadID string) string {
	switch {
	case bucket == "" || key == "":
		return "it names no object"
	case uploadID == "" || len(uploadID) > maxRecordID:
		return "its upload id is empty or too long"
	case strings.IndexFunc(uploadID, func(r rune) bool { return r <= ' ' || r > '~' }) >= 0:
		return "its upload id holds a character that is not printable"
	}
	return firstOf(badText("bucket", bucket, maxRecordText), badText("key", key, maxRecordText))
}

// Own returns the unfinished uploads of bucket that this journal started
// (see the rule above), as the bucket lists them, in the bucket's order.
// An interrupted upload shows as long as its record is kept; one
// forgotten without an abort, as long as its orphan note is.
func (j *Journal) Own(ctx context.Context, bucket string, l UploadLister) ([]OwnUpload, error) {
	recs, err := j.List()
	if err != nil {
		return nil, err
	}
	type target struct{ key, uploadID string }
	ours := map[target]OwnUpload{}
	for _, r := range recs {
		var t struct {
			Bucket   string `json:"bucket"`
			Key      string `json:"key"`
			UploadID string `json:"upload_id"`
		}
		if r.Kind != "upload" && r.Kind != KindOrphanUpload {
			continue
		}
		if ok, err := j.Load(r.ID, &t); err != nil || !ok || t.Bucket != bucket {
			continue
		}
		if reason := checkTarget(t.Bucket, t.Key, t.UploadID); reason != "" {
			j.setAside(r.ID, reason)
			continue
		}
		ours[target{t.Key, t.UploadID}] = OwnUpload{id: r.ID, orphan: r.Kind == KindOrphanUpload}
	}
	var out []OwnUpload
	if len(ours) == 0 {
		return nil, nil
	}
	err = l.ListUploads(ctx, func(up UnfinishedUpload) error {
		o, ok := ours[target{up.Key, up.UploadID}]
		if !ok {
			return nil
		}
		o.UnfinishedUpload = up
		// An orphan note's lock is held by a stream that is still being
		// sent (Uploader.UploadStream).
		if unlock, err := j.Lock(o.id); errors.Is(err, ErrRunningElsewhere) {
			o.Running = true
		} else if err == nil {
			unlock()
		}
		out = append(out, o)
		return nil
	})
	return out, err
}

// AbortOwn aborts o, one of Own's uploads, on st (the bucket's store) and
// removes its journal record with the data key s keeps for it, if any. An
// upload that another process is sending fails with ErrRunningElsewhere,
// untouched.
func (j *Journal) AbortOwn(ctx context.Context, st Writer, s JobSecrets, o OwnUpload) error {
	unlock, err := j.Lock(o.id)
	if err != nil {
		return err
	}
	defer unlock()
	err = st.AbortMultipart(ctx, o.Key, o.UploadID)
	if err != nil && !errors.Is(err, ErrNoSuchUpload) {
		return fmt.Errorf("failed to abort the unfinished upload of %s: %w", safetext.Name(o.Key), err)
	}
	// Aborted, the upload is not to be queued again either.
	if err := j.forgetQueuedUploads(s, o.id); err != nil {
		return err
	}
	if o.orphan {
		return j.Remove(o.id)
	}
	// Aborted: the record's note would only point at nothing.
	return j.forgetLockedUpload(s, o.id, nil, false)
}
