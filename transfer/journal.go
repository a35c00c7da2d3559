package transfer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ossvault/ossvault/internal/atomicfile"
)

// Journal keeps one JSON record per unfinished transfer in a folder
// (OSSVAULT_HOME/journal). Records are written atomically (a temporary
// file, fsync, rename) with mode 0600, so a crash leaves either the old
// record or the new one.
//
// What is in a record is safe at rest: upload ids, finished parts and
// ranges, and the object's envelope exactly as its headers carry it, with
// the data key wrapped by the master key. A plaintext key never is.
//
// A record is checked before anything acts on it: one that is not valid
// JSON (Load), or whose fields fail the checks of its kind (the uploader's,
// the downloader's and the queue's own), is set aside as id.bad, never
// acted on, and reported to Warn. The transfer then starts over, as it
// would with no record.
type Journal struct {
	dir string
	// Warn, if set, receives one *BadRecordError (matching ErrBadRecord)
	// for each record set aside, one call at a time, so that the caller can
	// tell the user in one plain sentence.
	Warn func(error)

	warnMu sync.Mutex
}

// ErrBadRecord: a journal record failed its checks and was set aside
// rather than acted on. Match with errors.Is; the error itself is a
// *BadRecordError.
var ErrBadRecord = errors.New("a damaged transfer journal record was set aside")

// BadRecordError is a record set aside by the journal.
type BadRecordError struct {
	ID string
	// Reason says what is wrong with it, in plain words.
	Reason string
	// Path is where it was set aside ("" if it could only be removed).
	Path string
}

func (e *BadRecordError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("the transfer journal record %s was removed because %s; the transfer starts over", e.ID, e.Reason)
	}
	return fmt.Sprintf("the transfer journal record %s was set aside as %s because %s; the transfer starts over", e.ID, e.Path, e.Reason)
}

func (e *BadRecordError) Is(target error) bool { return target == ErrBadRecord }

// setAside moves record id out of the way as id.bad (or, failing that,
// removes it) so that nothing acts on it, and reports why to Warn. It
// returns the report.
func (j *Journal) setAside(id, reason string) error {
	p, err := j.path(id)
	if err != nil {
		return err
	}
	bad := &BadRecordError{ID: id, Reason: reason, Path: strings.TrimSuffix(p, ".json") + ".bad"}
	// Its leaves would only serve the record.
	if err := j.removeLeaves(id); err != nil {
		return err
	}
	if err := os.Rename(p, bad.Path); err != nil {
		bad.Path = ""
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("failed to set aside the damaged transfer journal record %s: %w", id, err)
		}
	}
	if j.Warn != nil {
		j.warnMu.Lock()
		j.Warn(bad)
		j.warnMu.Unlock()
	}
	return bad
}

// OpenJournal returns the journal in home/journal, creating the folder.
func OpenJournal(home string) (*Journal, error) {
	dir := filepath.Join(home, "journal")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("failed to create the transfer journal folder: %w", err)
	}
	return &Journal{dir: dir}, nil
}

// Dir is the journal's folder.
func (j *Journal) Dir() string { return j.dir }

// JobID derives a stable id from what identifies a transfer (kind, source,
// destination), so that running the same command again finds the record.
func JobID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s\n", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func (j *Journal) path(id string) (string, error) {
	if id == "" || strings.ContainsAny(id, `/\.`) {
		return "", fmt.Errorf("invalid journal id %q", id)
	}
	return filepath.Join(j.dir, id+".json"), nil
}

// Load reads record id into v. It reports false, with no error, when there
// is none, or when the record is not valid JSON (it is then set aside: see
// Journal).
func (j *Journal) Load(id string, v any) (bool, error) {
	p, err := j.path(id)
	if err != nil {
		return false, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("failed to read the transfer journal: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		// A damaged record cannot be resumed from; the caller starts over.
		if err := j.setAside(id, "it cannot be read ("+err.Error()+")"); !errors.Is(err, ErrBadRecord) {
			return false, err
		}
		return false, nil
	}
	return true, nil
}

// Save writes v as record id.
func (j *Journal) Save(id string, v any) error {
	p, err := j.path(id)
	if err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("failed to encode the transfer journal: %w", err)
	}
	if err := atomicfile.WriteFile(p, b); err != nil {
		return fmt.Errorf("failed to write the transfer journal: %w", err)
	}
	return nil
}

// Remove deletes record id and its leaves file (journal_leaves.go), that
// first: a record without its leaves starts over, leaves without a record
// would stay for ever. A missing record is not an error.
func (j *Journal) Remove(id string) error {
	p, err := j.path(id)
	if err != nil {
		return err
	}
	if err := j.removeLeaves(id); err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("failed to remove the transfer journal: %w", err)
	}
	return nil
}

// Record is the part of every journal record that says what the transfer
// is, for listing unfinished jobs after a restart.
type Record struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"` // "upload", "download", or a queued job's KindQueued*
	Source  string    `json:"source"`
	Dest    string    `json:"dest"`
	Created time.Time `json:"created"`
}

// List returns the unfinished transfers, oldest first.
func (j *Journal) List() ([]Record, error) {
	ents, err := os.ReadDir(j.dir)
	if err != nil {
		return nil, fmt.Errorf("failed to read the transfer journal: %w", err)
	}
	var out []Record
	for _, e := range ents {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") {
			continue
		}
		id := strings.TrimSuffix(name, ".json")
		var r Record
		if ok, err := j.Load(id, &r); err != nil || !ok {
			continue
		}
		// Every caller finds a record by its ID: one filed under another
		// name would make it act on the wrong one.
		if r.ID != id {
			if _, err := j.path(id); err == nil {
				j.setAside(id, fmt.Sprintf("its id %q is not its file name", r.ID))
			}
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Record) int { return a.Created.Compare(b.Created) })
	return out, nil
}
