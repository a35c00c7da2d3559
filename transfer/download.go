package transfer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

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
	Start  int64 `json:"start"`
	End    int64 `json:"end"`
	Suffix int64 `json:"suffix,omitempty"`
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
