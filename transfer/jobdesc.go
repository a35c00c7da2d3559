package transfer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ossvault/ossvault/envelope"
)

// Kinds of JobDesc.
const (
	JobUpload   = "upload"
	JobDownload = "download"
)

// Origins of JobDesc: the program that queued a job, and so the only one
// that restores it (RestoreJobs). The command line may reach an account
// through flags or the environment that the app does not know, and the
// app's jobs are the app's to show.
const (
	OriginApp = "app"
	OriginCLI = "cli"
)

// JobDesc describes a queued transfer by names alone: which account,
// bucket and object, which local file, which keys. It holds nothing live
// (no store, no wrapper) and no key material, so it is saved as it is: a
// queue that keeps its jobs in the journal (KeepInJournal) records it, and
// RestoreJobs turns it back into a job through a Resolver. A shared link,
// a bearer credential until it expires, is the one exception: the queue
// keeps it in its uploader's Secrets and the journal sees only LinkRef.
type JobDesc struct {
	Kind string `json:"kind"` // JobUpload or JobDownload
	// Local is the file an upload reads or a download writes.
	Local string `json:"local"`
	// Account names where Bucket lives, in the caller's terms ("" for
	// the command line's flags or environment).
	Account string `json:"account,omitempty"`
	Bucket  string `json:"bucket,omitempty"`
	Key     string `json:"key,omitempty"`
	// Root is the folder a folder download's file is confined to.
	Root string `json:"root,omitempty"`
	// Link is the shared link a download reads; never written to the
	// journal (see LinkRef).
	Link string `json:"link,omitempty"`
	// LinkRef describes a kept download's link without its signature.
	LinkRef *LinkRef `json:"link_ref,omitempty"`
	// KeyName is the key an upload is locked for; AlsoFor the further
	// keys, in order.
	KeyName string   `json:"key_name,omitempty"`
	AlsoFor []string `json:"also_for,omitempty"`
	// Group ties the jobs of one request together; GroupName is what the
	// user calls it ("" when the caller words it).
	Group     string `json:"group,omitempty"`
	GroupName string `json:"group_name,omitempty"`
	// NoOverwrite: the upload must not replace an object (UploadJob).
	NoOverwrite bool `json:"no_overwrite,omitempty"`
	// RequireVerified: the download saves only what verifies (DownloadJob).
	RequireVerified bool `json:"require_verified,omitempty"`
	// Range is the plaintext bytes a download writes (nil: all of them),
	// VerifyRange whether it checks them even by reading the whole
	// object (DownloadJob).
	Range       *ByteRange `json:"range,omitempty"`
	VerifyRange bool       `json:"verify_range,omitempty"`
	// PartSize is the smallest part size an upload was asked for (0: the
	// default). An upload under way keeps the one it started with.
	PartSize int64 `json:"part_size,omitempty"`
	// Origin is the program that queued the job: OriginApp or OriginCLI
	// ("" reads as OriginApp: only the app kept jobs before).
	Origin string `json:"origin,omitempty"`
}

// Name is a short description for lists, as Spec.Name words it.
func (d JobDesc) Name() string {
	if d.Kind == JobUpload {
		return d.Local + " → oss://" + d.Bucket + "/" + d.Key
	}
	return d.sourceID() + " → " + d.Local
}

// sourceID is DownloadJob.SourceID of a download of a bucket's object.
// (A link's is the link without its query, known once it is parsed.)
func (d JobDesc) sourceID() string {
	if d.Link != "" {
		if l, err := ParseLink(d.Link); err == nil {
			return l.ID()
		}
	}
	if d.LinkRef != nil {
		return d.LinkRef.Object
	}
	return "oss://" + d.Bucket + "/" + d.Key
}

func (d JobDesc) origin() string {
	if d.Origin == "" {
		return OriginApp
	}
	return d.Origin
}

// Resolver turns the names of a JobDesc into what the engine needs. An
// error wrapping ErrDropRecord says the name is gone for good (a removed
// key or account): RestoreJobs then removes the job's record. Any other
// error (a locked keychain) leaves the record for a later run.
type Resolver interface {
	// Store is bucket in account.
	Store(ctx context.Context, account, bucket string) (Store, error)
	// Wrappers are the keys an upload is locked for: keyName first,
	// then alsoFor in order.
	Wrappers(ctx context.Context, keyName string, alsoFor []string) ([]envelope.Wrapper, error)
}

// VerifiedOnlyResolver is a Resolver that knows accounts whose downloads
// must verify whatever the job says (a strict storage account).
type VerifiedOnlyResolver interface {
	Resolver
	VerifiedOnly(account string) bool
}

// Resolve turns d into the engine's job through r.
func (d JobDesc) Resolve(ctx context.Context, r Resolver) (Spec, error) {
	switch {
	case d.Kind == JobUpload:
		ws, err := r.Wrappers(ctx, d.KeyName, d.AlsoFor)
		if err != nil {
			return Spec{}, err
		}
		if len(ws) == 0 {
			return Spec{}, fmt.Errorf("no key to lock %s for", d.Local)
		}
		st, err := r.Store(ctx, d.Account, d.Bucket)
		if err != nil {
			return Spec{}, err
		}
		job := &UploadJob{Source: d.Local, Bucket: d.Bucket, Key: d.Key, Wrapper: ws[0], Store: st, NoOverwrite: d.NoOverwrite}
		if len(ws) > 1 {
			job.Wrapper, job.Wrappers = nil, ws
		}
		return Spec{Upload: job}, nil
	case d.Kind != JobDownload:
		return Spec{}, fmt.Errorf("a transfer of kind %q", d.Kind)
	case d.Link != "":
		l, err := ParseLink(d.Link)
		if err != nil {
			return Spec{}, err
		}
		return Spec{Download: &DownloadJob{Source: l, SourceID: l.ID(), Dest: d.Local, RequireVerified: d.RequireVerified,
			Range: d.Range, VerifyRange: d.VerifyRange}}, nil
	default:
		st, err := r.Store(ctx, d.Account, d.Bucket)
		if err != nil {
			return Spec{}, err
		}
		strict := d.RequireVerified
		if v, ok := r.(VerifiedOnlyResolver); ok && v.VerifiedOnly(d.Account) {
			strict = true
		}
		return Spec{Download: &DownloadJob{Source: st, SourceID: d.sourceID(), Key: d.Key, Dest: d.Local, Root: d.Root,
			RequireVerified: strict, Range: d.Range, VerifyRange: d.VerifyRange}}, nil
	}
}

// SetResolver gives the queue the Resolver that AddJob and RestoreJobs
// use.
func (q *Queue) SetResolver(r Resolver) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.resolver = r
}

func (q *Queue) resolve(ctx context.Context, d JobDesc) (Spec, error) {
	q.mu.Lock()
	r := q.resolver
	q.mu.Unlock()
	if r == nil {
		return Spec{}, errors.New("the transfer queue has no resolver")
	}
	return d.Resolve(ctx, r)
}

// AddJob resolves d (SetResolver) and queues it; d is the job's saved
// form (KeepInJournal) and what JobDesc returns for it.
func (q *Queue) AddJob(ctx context.Context, d JobDesc) (int, error) {
	spec, err := q.resolve(ctx, d)
	if err != nil {
		return 0, err
	}
	return q.add(spec, &d, false), nil
}

// JobDesc returns the description job id was queued with: the one AddJob
// or RestoreJobs was given, or for a job added as a Spec, one made from it.
func (q *Queue) JobDesc(id int) (JobDesc, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	j, ok := q.jobs[id]
	if !ok {
		return JobDesc{}, false
	}
	return j.desc, true
}

// RestoreJobs queues again, through r, the jobs of origin that an
// earlier queue kept in j and that had not ended, as RestoreQueued does;
// r's errors wrapping ErrDropRecord remove the record. Records of another
// origin are left alone. r may differ from the queue's own Resolver
// (SetResolver) in how it words a name that is gone.
func (q *Queue) RestoreJobs(ctx context.Context, j *Journal, origin string, r Resolver) ([]int, error) {
	return q.restore(j, func(rec QueuedJob) (Spec, *JobDesc, error) {
		d := rec.Desc()
		if d.origin() != origin {
			return Spec{}, nil, errOtherOrigin
		}
		spec, err := d.Resolve(ctx, r)
		return spec, &d, err
	})
}

// errOtherOrigin leaves a record for the program that queued it.
var errOtherOrigin = errors.New("queued by another program")

// specDesc describes a job added as a Spec, from its Note.
func specDesc(s Spec) JobDesc {
	n := s.Note
	d := JobDesc{Account: n.Account, Link: n.Link, LinkRef: n.LinkRef, KeyName: n.KeyName, AlsoFor: n.AlsoFor,
		Group: n.Group, GroupName: n.GroupName, NoOverwrite: n.NoOverwrite}
	switch {
	case s.Upload != nil:
		u := s.Upload
		d.Kind, d.Local, d.Bucket, d.Key = JobUpload, u.Source, u.Bucket, u.Key
	case s.Download != nil:
		dl := s.Download
		d.Kind, d.Local, d.Key, d.Root, d.RequireVerified = JobDownload, dl.Dest, dl.Key, dl.Root, dl.RequireVerified
		d.Range, d.VerifyRange = dl.Range, dl.VerifyRange
		if d.Link == "" && d.LinkRef == nil {
			d.Bucket, _, _ = strings.Cut(strings.TrimPrefix(dl.SourceID, "oss://"), "/")
		}
	}
	return d
}

// note is d's names as a JobNote, for RestoreQueued's callers.
func (d JobDesc) note() JobNote {
	return JobNote{KeyName: d.KeyName, AlsoFor: d.AlsoFor, Group: d.Group, GroupName: d.GroupName, NoOverwrite: d.NoOverwrite,
		Account: d.Account, Link: d.Link, LinkRef: d.LinkRef}
}

// Desc is the description rec keeps: its Job, or for a record written
// before jobs were kept as descriptions, one made from its fields.
func (rec *QueuedJob) Desc() JobDesc {
	if rec.Job != nil {
		d := *rec.Job
		d.Link = rec.Note.Link // put back from Secrets by RestoreQueued
		return d
	}
	n := rec.Note
	d := JobDesc{Account: n.Account, KeyName: n.KeyName, AlsoFor: n.AlsoFor, Link: n.Link, LinkRef: n.LinkRef, Key: rec.Key,
		Group: n.Group, GroupName: n.GroupName, NoOverwrite: n.NoOverwrite, Origin: OriginApp}
	if rec.Kind == KindQueuedUpload {
		d.Kind, d.Local, d.Bucket = JobUpload, rec.Source, rec.Bucket
		return d
	}
	d.Kind, d.Local, d.Root = JobDownload, rec.Dest, rec.Root
	if n.Link == "" && n.LinkRef == nil {
		d.Bucket, _, _ = strings.Cut(strings.TrimPrefix(rec.SourceID, "oss://"), "/")
	}
	return d
}
