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
type Journal struct {
	dir string
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
// is none.
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

// Remove deletes record id; a missing record is not an error.
func (j *Journal) Remove(id string) error {
	p, err := j.path(id)
	if err != nil {
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
		var r Record
		if ok, err := j.Load(strings.TrimSuffix(name, ".json"), &r); err != nil || !ok || r.ID == "" {
			continue
		}
		out = append(out, r)
	}
	slices.SortStableFunc(out, func(a, b Record) int { return a.Created.Compare(b.Created) })
	return out, nil
}
