package transfer

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Entries read back as written; a file cut anywhere inside its last entry
// reads as the entries before it, without a complaint; a whole entry that
// does not check out is damage.
func TestLeavesFileEntries(t *testing.T) {
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const id, upload = "rec", "upload-1"
	if err := j.startLeaves(id); err != nil {
		t.Fatal(err)
	}
	want := []sealedPart{{1, bytes.Repeat([]byte{1}, 64)}, {3, bytes.Repeat([]byte{3}, 32)}, {2, bytes.Repeat([]byte{2}, 96)}}
	for _, sp := range want {
		if err := j.appendLeaves(id, upload, sp); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := j.leavesPath(id)
	full, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	last := len(full) - (8 + 96 + 16)
	for cut := last; cut <= len(full); cut++ {
		if err := os.WriteFile(p, full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		got, reason, err := j.loadLeaves(id, upload)
		n := 2
		if cut == len(full) {
			n = 3
		}
		if err != nil || reason != "" || len(got) != n {
			t.Fatalf("cut at %d of %d: %d entries, %q, %v; want %d entries", cut, len(full), len(got), reason, err, n)
		}
		for i := range got {
			if got[i].Number != want[i].Number || !bytes.Equal(got[i].Leaves, want[i].Leaves) {
				t.Fatalf("cut at %d: entry %d is %d, want %d", cut, i, got[i].Number, want[i].Number)
			}
		}
	}
	for _, tc := range []struct {
		name   string
		upload string
		damage func(b []byte)
	}{
		{"another upload's", "upload-2", func([]byte) {}},
		{"a flipped bit in the leaves", upload, func(b []byte) { b[20] ^= 1 }},
		{"a flipped bit in the part number", upload, func(b []byte) { b[3] ^= 1 }},
		{"a flipped bit in the check", upload, func(b []byte) { b[8+64] ^= 1 }},
		{"an entry longer than any part's", upload, func(b []byte) { copy(b[4:8], []byte{0x7f, 0, 0, 0}) }},
	} {
		b := bytes.Clone(full)
		tc.damage(b)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if got, reason, err := j.loadLeaves(id, tc.upload); err != nil || reason == "" || got != nil {
			t.Errorf("%s: %d entries, %q, %v; want a reason and none", tc.name, len(got), reason, err)
		}
	}
	if err := j.Remove(id); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the leaves file outlived its record: %v", err)
	}
}

// The leaves of a paused upload are in its leaves file, not its JSON
// record. A crash while an entry was written (the file cut inside it) is
// not damage: the next run goes on without a warning and the object
// opens; the leaves file goes with the record.
func TestOSSLeavesFileCutShort(t *testing.T) {
	_, st := startOSS(t)
	up, down, job, id := pausedAfterThreeParts(t, st, 10*MinPartSize+77)
	src := job.Source
	rec := filepath.Join(up.Journal.Dir(), id+".json")
	leaves := filepath.Join(up.Journal.Dir(), id+".leaves")
	b, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(`"sealed"`)) || bytes.Contains(b, []byte(`"leaves"`)) {
		t.Errorf("the JSON record holds leaves: %s", b)
	}
	lb, err := os.ReadFile(leaves)
	if err != nil || len(lb) == 0 {
		t.Fatalf("leaves file: %d bytes, %v", len(lb), err)
	}
	if err := os.WriteFile(leaves, lb[:len(lb)-5], 0o600); err != nil {
		t.Fatal(err)
	}
	w := watch(up.Journal)
	if err := up.Upload(context.Background(), job, nil); err != nil {
		t.Fatal(err)
	}
	if errs := w.list(); len(errs) != 0 {
		t.Errorf("warnings %v, want none", errs)
	}
	dest := filepath.Join(t.TempDir(), "out")
	if _, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://bkt/k", Key: "k", Dest: dest}, nil); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, dest) != fileSum(t, src) {
		t.Fatal("SHA-256 of the download differs from the upload")
	}
	for _, p := range []string{rec, leaves} {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s outlived the upload: %v", filepath.Base(p), err)
		}
	}
}

// FuzzLeavesFile reads arbitrary bytes as a leaves file: no panic, no
// allocation past the entry bound, and whatever it accepts is exactly what
// appendLeaves would have written for those entries, a whole prefix of
// the input.
func FuzzLeavesFile(f *testing.F) {
	dir := f.TempDir()
	j, err := OpenJournal(dir)
	if err != nil {
		f.Fatal(err)
	}
	const id, upload = "fuzzrecord", "upload-1"
	p, err := j.leavesPath(id)
	if err != nil {
		f.Fatal(err)
	}
	if err := j.startLeaves(id); err != nil {
		f.Fatal(err)
	}
	for _, sp := range []sealedPart{{Number: 1, Leaves: bytes.Repeat([]byte{1}, 64)}, {Number: 2, Leaves: bytes.Repeat([]byte{2}, 32)}} {
		if err := j.appendLeaves(id, upload, sp); err != nil {
			f.Fatal(err)
		}
	}
	seed, err := os.ReadFile(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)-3])
	f.Add([]byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		parts, why, err := j.loadLeaves(id, upload)
		if err != nil {
			t.Fatal(err)
		}
		if why != "" {
			if parts != nil {
				t.Fatalf("a damaged file gave %d parts", len(parts))
			}
			return
		}
		var again []byte
		for _, sp := range parts {
			var head [8]byte
			binary.BigEndian.PutUint32(head[:4], uint32(sp.Number))
			binary.BigEndian.PutUint32(head[4:], uint32(len(sp.Leaves)))
			again = append(append(append(again, head[:]...), sp.Leaves...), leavesSum(upload, head[:], sp.Leaves)...)
		}
		if !bytes.HasPrefix(b, again) {
			t.Fatal("the entries accepted are not the file's own prefix")
		}
	})
}
