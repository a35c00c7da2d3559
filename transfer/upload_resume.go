package transfer

import (
	"context"
	"errors"
	"fmt"

	"github.com/ossvault/ossvault/envelope"
)

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
	// leaves holds the integrity leaves of every part read so far,
	// recorded when the part was read and encrypted, before it was sent:
	// they make the MAC of the parts already stored, and decide whether
	// a part sent again is the same plaintext (see envelope.Summer). They
	// are journaled in the record's leaves file (journal_leaves.go), not
	// in the JSON, which is written again after every part.
	leaves []sealedPart
	// Sealed is where records of earlier versions kept the leaves; still
	// read, never written.
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

// allSealed is every part's leaves: those of an earlier version's record,
// and those of its leaves file and of this run.
func (rec *uploadRecord) allSealed() []sealedPart {
	return append(rec.Sealed[:len(rec.Sealed):len(rec.Sealed)], rec.leaves...)
}

// startLeaves empties the leaves file of a new upload's record, before the
// record is first written: one left by an earlier upload of the same job
// must not be appended to.
func (u *Uploader) startLeaves(rec *uploadRecord) error {
	if u.Journal == nil {
		return nil
	}
	return u.Journal.startLeaves(rec.ID)
}

// recordLeaves records the leaves of part sp, read for the first time
// under this data key, before a byte of it is sent.
func (u *Uploader) recordLeaves(rec *uploadRecord, sp sealedPart) error {
	rec.leaves = append(rec.leaves, sp)
	if u.Journal == nil {
		return nil
	}
	return u.Journal.appendLeaves(rec.ID, rec.UploadID, sp)
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
	leaves, reason, err := u.Journal.loadLeaves(id, rec.UploadID)
	if err != nil {
		return nil, nil, nil, err
	}
	if rec.leaves = leaves; reason == "" {
		reason = rec.checkSealed()
	}
	if reason != "" {
		return nil, nil, nil, u.setAside(id, reason)
	}
	drop := func() (*uploadRecord, *envelope.DataKey, *envelope.Summer, error) {
		u.abort(&rec)
		return nil, nil, nil, u.remove(&rec)
	}
	if rec.State != st {
		return drop()
	}
	env := rec.resumableEnvelope()
	if env == nil {
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
	if !rec.restore(sum, listing) {
		sum.Close()
		return drop()
	}
	if err := u.save(&rec); err != nil {
		sum.Close()
		return nil, nil, nil, err
	}
	return &rec, dk, sum, nil
}

// resumableEnvelope returns the envelope of rec, or nil when rec cannot
// resume under it. Records of earlier versions carry their MAC in the
// metadata and kept no leaves: a part that was in flight could not be
// checked before it is sent again, so they start over under a new key.
func (rec *uploadRecord) resumableEnvelope() *envelope.Envelope {
	env, err := envelope.ParseMeta(rec.Meta)
	if err != nil || !env.TrailersInTags || env.Integrity == nil {
		return nil
	}
	switch env.Integrity.Alg {
	case envelope.MACAlg, envelope.MACAlgSigned, envelope.MACAlgRecipients:
	default:
		return nil
	}
	if env.Integrity.ChunkSize != envelope.ChunkSizeForParts(rec.State.Size, rec.PartSize) {
		return nil
	}
	return env
}

// restore adds the leaves of every part read before to sum and sets
// rec.Parts to the parts of the plan that the server holds. It reports
// false when the upload cannot resume: leaves that do not fit, or a part
// stored but never recorded as read (what it holds under this key is
// unknown).
func (rec *uploadRecord) restore(sum *envelope.Summer, listing PartListing) bool {
	plan := splitParts(rec.State.Size, rec.PartSize)
	all := rec.allSealed()
	sealed := make(map[int]bool, len(all))
	for _, sp := range all {
		p := plan[sp.Number-1]
		if err := sum.AddLeaves(p.Off, p.Len, sp.Leaves); err != nil {
			return false
		}
		sealed[sp.Number] = true
	}
	rec.Parts = rec.Parts[:0]
	for _, p := range listing.Parts {
		if p.Number >= 1 && p.Number <= len(plan) && p.Size == plan[p.Number-1].Len {
			if !sealed[p.Number] {
				return false
			}
			rec.Parts = append(rec.Parts, p)
		}
	}
	return true
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
