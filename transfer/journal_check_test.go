package transfer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ossvault/ossvault/internal/osslocal"
)

// warnings collects what a journal set aside.
type warnings struct {
	mu   sync.Mutex
	errs []error
}

func watch(j *Journal) *warnings {
	w := &warnings{}
	j.Warn = func(err error) {
		w.mu.Lock()
		w.errs = append(w.errs, err)
		w.mu.Unlock()
	}
	return w
}

func (w *warnings) list() []error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]error(nil), w.errs...)
}

// assertSetAside checks that record id was set aside with one warning.
func assertSetAside(t *testing.T, j *Journal, w *warnings, id string) {
	t.Helper()
	errs := w.list()
	if len(errs) != 1 || !errors.Is(errs[0], ErrBadRecord) {
		t.Fatalf("warnings = %v, want one ErrBadRecord", errs)
	}
	var bad *BadRecordError
	if !errors.As(errs[0], &bad) || bad.ID != id || !strings.Contains(errs[0].Error(), id) {
		t.Fatalf("warning %q does not name the record %s", errs[0], id)
	}
	if _, err := os.Stat(filepath.Join(j.Dir(), id+".bad")); err != nil {
		t.Fatalf("the record was not set aside as %s.bad: %v", id, err)
	}
	t.Logf("warning: %v", errs[0])
}

// editRecord rewrites record id as JSON through edit, or replaces it with
// raw bytes if edit returns them.
func editRecord(t *testing.T, j *Journal, id string, edit func(m map[string]any) []byte) {
	t.Helper()
	p := filepath.Join(j.Dir(), id+".json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if raw := edit(m); raw != nil {
		b = raw
	} else if b, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// A damaged upload record is set aside and the upload starts over with
// parts of a sane size; none of its fields reaches the server.
func TestOSSDamagedUploadRecordStartsOver(t *testing.T) {
	const size = 10*MinPartSize + 77
	for _, tc := range []struct {
		name string
		edit func(m map[string]any) []byte
	}{
		{"part size 7", func(m map[string]any) []byte { m["part_size"] = 7; return nil }},
		{"part size 4 KiB", func(m map[string]any) []byte { m["part_size"] = 4096; return nil }},
		{"part size not a multiple of 16", func(m map[string]any) []byte { m["part_size"] = MinPartSize + 1; return nil }},
		{"part size above 5 GiB", func(m map[string]any) []byte { m["part_size"] = 6 << 30; return nil }},
		{"part size zero", func(m map[string]any) []byte { m["part_size"] = 0; return nil }},
		{"part size not the envelope's", func(m map[string]any) []byte { m["part_size"] = 2 * MinPartSize; return nil }},
		{"file size not the envelope's", func(m map[string]any) []byte {
			m["state"].(map[string]any)["size"] = size + 1
			return nil
		}},
		{"empty upload id", func(m map[string]any) []byte { m["upload_id"] = ""; return nil }},
		{"unprintable upload id", func(m map[string]any) []byte { m["upload_id"] = m["upload_id"].(string) + "\x01"; return nil }},
		{"upload id too long", func(m map[string]any) []byte { m["upload_id"] = strings.Repeat("A", 300); return nil }},
		{"another object", func(m map[string]any) []byte { m["key"] = "other"; return nil }},
		{"part number out of range", func(m map[string]any) []byte {
			m["parts"] = []any{map[string]any{"n": 12, "etag": "x", "size": MinPartSize}}
			return nil
		}},
		{"part of the wrong size", func(m map[string]any) []byte {
			m["parts"] = []any{map[string]any{"n": 1, "etag": "x", "size": -1}}
			return nil
		}},
		{"read part out of range", func(m map[string]any) []byte {
			m["sealed"] = []any{map[string]any{"n": 12, "leaves": "AAAA"}}
			return nil
		}},
		// The leaves of an earlier version's record, in the JSON, and
		// those of the leaves file are checked together.
		{"read part twice", func(m map[string]any) []byte {
			m["sealed"] = []any{map[string]any{"n": 1, "leaves": "AAAA"}}
			return nil
		}},
		{"leaves of the wrong length", func(m map[string]any) []byte {
			m["sealed"] = []any{map[string]any{"n": 10, "leaves": "AAAA"}}
			return nil
		}},
		{"leaves file of another upload", func(m map[string]any) []byte {
			m["upload_id"] = m["upload_id"].(string) + "x"
			return nil
		}},
		{"a trailer ossvault does not write", func(m map[string]any) []byte {
			m["trailers"] = map[string]any{"client-side-encryption-key": "x"}
			return nil
		}},
		{"id of another record", func(m map[string]any) []byte { m["id"] = JobID("x"); return nil }},
		{"kind", func(m map[string]any) []byte { m["kind"] = "download"; return nil }},
		{"not JSON", func(m map[string]any) []byte { return []byte(`{"id":`) }},
		{"wrong type", func(m map[string]any) []byte { m["part_size"] = "big"; return nil }},
		{"leaves file damaged", leavesEdit(func(b []byte) { b[10] ^= 1 })},
		{"leaves file entry too long", leavesEdit(func(b []byte) { copy(b[4:8], []byte{0xff, 0xff, 0xff, 0xff}) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, st := startOSS(t)
			up, down, job, id := pausedAfterThreeParts(t, st, size)
			src := job.Source
			leavesOf = filepath.Join(up.Journal.Dir(), id+".leaves")
			editRecord(t, up.Journal, id, tc.edit)
			w := watch(up.Journal)
			// Entries waits for the paused run's last part to be logged, so
			// that Reset forgets it.
			srv.Log.Entries()
			srv.Log.Reset()

			if err := up.Upload(context.Background(), job, nil); err != nil {
				t.Fatal(err)
			}
			if n := srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 1 {
				t.Errorf("InitiateMultipartUpload = %d, want 1: the upload did not start over", n)
			}
			if n := srv.Log.Count(osslocal.OpAbortMultipartUpload) + srv.Log.Count(osslocal.OpListParts); n != 0 {
				t.Errorf("%d abort or list requests named the damaged record's upload", n)
			}
			var parts []int64
			for _, e := range srv.Log.Entries() {
				if e.Op == osslocal.OpUploadPart {
					parts = append(parts, e.In)
				}
			}
			if len(parts) != 11 {
				t.Fatalf("sent %d parts (%v bytes), want the 11 of a fresh upload", len(parts), parts)
			}
			for i, n := range parts[:10] {
				if n != MinPartSize {
					t.Errorf("part %d: %d bytes, want %d", i+1, n, MinPartSize)
				}
			}
			dest := filepath.Join(t.TempDir(), "out")
			if _, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://bkt/k", Key: "k", Dest: dest}, nil); err != nil {
				t.Fatal(err)
			}
			if fileSum(t, dest) != fileSum(t, src) {
				t.Fatal("SHA-256 of the download differs from the upload")
			}
			assertSetAside(t, up.Journal, w, id)
		})
	}
}

// leavesOf is the leaves file that a leavesEdit changes.
var leavesOf string

// leavesEdit is a record edit that leaves the JSON alone and changes the
// record's leaves file through edit.
func leavesEdit(edit func(b []byte)) func(map[string]any) []byte {
	return func(m map[string]any) []byte {
		b, err := os.ReadFile(leavesOf)
		if err != nil || len(b) < 64 {
			panic(fmt.Sprintf("leaves file: %d bytes, %v", len(b), err))
		}
		edit(b)
		if err := os.WriteFile(leavesOf, b, 0o600); err != nil {
			panic(err)
		}
		m["kind"] = "upload" // unchanged; marshaled again as it was
		return nil
	}
}

// Forget of a damaged upload record sets it aside and aborts nothing.
func TestOSSForgetDamagedUploadRecord(t *testing.T) {
	srv, st := startOSS(t)
	up, _ := newEngines(t, st)
	src, _ := writeRandom(t, t.TempDir(), "src", 1000)
	job := UploadJob{Source: src, Bucket: "bkt", Key: "k"}
	id := UploadID(src, "bkt", "k")
	rec := uploadRecord{Record: Record{ID: id, Kind: "upload", Source: src, Dest: "oss://bkt/other"},
		Bucket: "bkt", Key: "other", PartSize: 7, UploadID: "someone-elses"}
	if err := up.Journal.Save(id, &rec); err != nil {
		t.Fatal(err)
	}
	w := watch(up.Journal)
	if err := up.Forget(job); err != nil {
		t.Fatal(err)
	}
	assertSetAside(t, up.Journal, w, id)
	if n := srv.Log.Count(osslocal.OpAbortMultipartUpload); n != 0 {
		t.Errorf("Forget sent %d aborts for a record it could not trust", n)
	}
}

// A damaged download record is set aside and the download starts over;
// the file its temporary name points at, whatever it is, is left alone.
func TestOSSDamagedDownloadRecordLeavesFilesAlone(t *testing.T) {
	_, st := startOSS(t)
	up, _ := newEngines(t, st)
	src, _ := writeRandom(t, t.TempDir(), "src", 3<<20+5)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	info, err := st.Head(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	const ours = ".ossvault-0123456789abcdef.part"
	victim := []byte("the user's own file, not a partial download")
	for _, tc := range []struct {
		name string
		// edit changes a record that would otherwise resume.
		edit func(r *downloadRecord)
		// stale: the record is sound but not for this download, so it is
		// discarded with its temporary file rather than set aside.
		stale bool
	}{
		{"temp names a file of the user's", func(r *downloadRecord) { r.Temp = "victim.txt" }, false},
		{"temp names a file of the user's, object changed", func(r *downloadRecord) { r.Temp, r.ETag = "victim.txt", `"old"` }, false},
		{"temp in the parent folder", func(r *downloadRecord) { r.Temp = "../victim.txt" }, false},
		{"temp an absolute path", func(r *downloadRecord) { r.Temp = "/tmp/victim.txt" }, false},
		{"temp empty", func(r *downloadRecord) { r.Temp = "" }, false},
		{"temp not hex", func(r *downloadRecord) { r.Temp = ".ossvault-0123456789abcdeg.part" }, false},
		{"temp too long", func(r *downloadRecord) { r.Temp = ".ossvault-0123456789abcdef0.part" }, false},
		{"negative span", func(r *downloadRecord) { r.Done = []span{{Off: 0, Len: -5}} }, false},
		{"span past the end", func(r *downloadRecord) { r.Done = []span{{Off: 4 << 20, Len: 1 << 20}} }, false},
		{"span longer than the range", func(r *downloadRecord) { r.Done = []span{{Off: 3 << 20, Len: 1 << 20}} }, false},
		{"spans overlap", func(r *downloadRecord) { r.Done = []span{{Off: 0, Len: 1 << 20}, {Off: 0, Len: 1 << 20}} }, false},
		{"negative size", func(r *downloadRecord) { r.Size = -1 }, false},
		{"range outside the object", func(r *downloadRecord) { r.End = r.Size + 10 }, false},
		{"another object", func(r *downloadRecord) { r.Source = "oss://bkt/other" }, false},
		{"kind", func(r *downloadRecord) { r.Kind = "upload" }, false},
		{"unprintable ETag", func(r *downloadRecord) { r.ETag = "\x00" }, false},
		{"span not on the plan", func(r *downloadRecord) { r.Done = []span{{Off: 16, Len: 1 << 10}} }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, down := newEngines(t, st)
			dir := filepath.Join(t.TempDir(), "in")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{filepath.Join(dir, "victim.txt"), filepath.Join(dir, "..", "victim.txt"), filepath.Join(dir, ours)} {
				if err := os.WriteFile(p, victim, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			dest := filepath.Join(dir, "out")
			job := DownloadJob{Source: st, SourceID: "oss://bkt/k", Key: "k", Dest: dest}
			id := DownloadID(job.SourceID, dest, nil)
			rec := downloadRecord{Record: Record{ID: id, Kind: "download", Source: job.SourceID, Dest: dest},
				ETag: info.ETag, Size: info.Size, Start: 0, End: info.Size - 1, Temp: ours}
			tc.edit(&rec)
			if err := down.Journal.Save(id, &rec); err != nil {
				t.Fatal(err)
			}
			w := watch(down.Journal)
			if _, err := down.Download(context.Background(), job, nil); err != nil {
				t.Fatal(err)
			}
			if fileSum(t, dest) != fileSum(t, src) {
				t.Fatal("SHA-256 of the download differs from the upload")
			}
			for _, p := range []string{filepath.Join(dir, "victim.txt"), filepath.Join(dir, "..", "victim.txt")} {
				if b, err := os.ReadFile(p); err != nil || !bytes.Equal(b, victim) {
					t.Fatalf("%s was changed or removed: %q, %v", p, b, err)
				}
			}
			_, err := os.Stat(filepath.Join(dir, ours))
			if tc.stale {
				if len(w.list()) != 0 || !errors.Is(err, os.ErrNotExist) {
					t.Fatalf("a stale record: warnings %v, its temporary file: %v; want none and removed", w.list(), err)
				}
				return
			}
			assertSetAside(t, down.Journal, w, id)
			if err != nil {
				t.Fatalf("the set-aside record's temporary file was removed: %v", err)
			}
		})
	}
}

// Forget of a download record whose temporary name is a file of the
// user's sets the record aside and leaves the file.
func TestForgetDamagedDownloadRecord(t *testing.T) {
	_, down := newEngines(t, newMemStore())
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim.txt")
	if err := os.WriteFile(victim, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	job := DownloadJob{SourceID: "oss://bkt/k", Key: "k", Dest: filepath.Join(dir, "out")}
	id := DownloadID(job.SourceID, job.Dest, nil)
	rec := downloadRecord{Record: Record{ID: id, Kind: "download", Source: job.SourceID, Dest: job.Dest}, Temp: "victim.txt"}
	if err := down.Journal.Save(id, &rec); err != nil {
		t.Fatal(err)
	}
	w := watch(down.Journal)
	if err := down.Forget(job); err != nil {
		t.Fatal(err)
	}
	assertSetAside(t, down.Journal, w, id)
	if _, err := os.Stat(victim); err != nil {
		t.Fatalf("Forget removed the user's file: %v", err)
	}
}

// RestoreQueued sets aside a queued job's record that fails its checks and
// never builds a job from it; sound ones, a folder download's Root with
// them, come back.
func TestRestoreQueuedSetsAsideDamagedRecords(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	j := up.Journal
	dir := t.TempDir()
	root := filepath.Join(dir, "Reports")
	good := []Spec{
		{Upload: &UploadJob{Source: filepath.Join(dir, "a"), Bucket: "b", Key: "in/a"}},
		{Download: &DownloadJob{SourceID: "oss://b/team/x", Key: "team/x", Dest: filepath.Join(root, "x"), Root: root}},
	}
	var goodIDs []string
	for _, spec := range good {
		rec, _ := queuedRecord(spec)
		if err := j.Save(rec.ID, &rec); err != nil {
			t.Fatal(err)
		}
		goodIDs = append(goodIDs, rec.ID)
	}
	var badIDs []string
	for i, edit := range []func(r *QueuedJob){
		func(r *QueuedJob) { r.Root = filepath.Join(dir, "elsewhere") }, // a destination outside its folder
		func(r *QueuedJob) { r.Root = "relative" },                      // a folder that is not absolute
		func(r *QueuedJob) { r.Dest = filepath.Join(root, "x\x1b[2J") }, // a control character
		func(r *QueuedJob) { r.Source = "oss://b/other" },               // another object than it names
		func(r *QueuedJob) { r.Key = strings.Repeat("k", 2000) },        // too long
		func(r *QueuedJob) { r.ID = goodIDs[0] },                        // filed under another name
		func(r *QueuedJob) { r.Kind, r.Bucket = KindQueuedUpload, "b" }, // an upload to no object
	} {
		rec, _ := queuedRecord(good[1])
		rec.ID = JobID("bad", fmt.Sprint(i))
		id := rec.ID
		edit(&rec)
		if err := j.Save(id, &rec); err != nil {
			t.Fatal(err)
		}
		badIDs = append(badIDs, id)
	}
	w := watch(j)
	q := NewQueue(up, down, 1)
	var built []QueuedJob
	_, err := q.RestoreQueued(j, func(r QueuedJob) (Spec, error) {
		built = append(built, r)
		return Spec{}, errors.New("not run in this test")
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(built) != 2 || built[0].ID == built[1].ID || built[1].Root != root && built[0].Root != root {
		t.Fatalf("built %+v, want the two sound records, the download with its folder", built)
	}
	if n := len(w.list()); n != len(badIDs) {
		t.Errorf("%d warnings for %d damaged records: %v", n, len(badIDs), w.list())
	}
	for _, id := range badIDs {
		if _, err := os.Stat(filepath.Join(j.Dir(), id+".bad")); err != nil {
			t.Errorf("record %s was not set aside: %v", id, err)
		}
	}
}

// Whatever a record holds, its checks do not panic, and a download record
// they pass names only a temporary file of ossvault's own, with finished
// ranges inside its range.
func FuzzRecordChecks(f *testing.F) {
	f.Add([]byte(`{"id":"a","kind":"download","source":"oss://b/k","temp":".ossvault-0123456789abcdef.part","size":10,"start":0,"end":9,"done":[{"Off":0,"Len":5}]}`))
	f.Add([]byte(`{"id":"a","kind":"upload","bucket":"b","key":"k","dest":"oss://b/k","state":{"size":1000},"part_size":7,"upload_id":"X"}`))
	f.Add([]byte(`{"id":"a","kind":"queued-download","source":"s","source_id":"s","dest":"/r/x","root":"/r"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d downloadRecord
		if json.Unmarshal(b, &d) == nil && d.check("a", DownloadJob{SourceID: "oss://b/k"}) == "" {
			if !isTempName(d.Temp) || filepath.Base(d.Temp) != d.Temp {
				t.Fatalf("passed a temporary name %q", d.Temp)
			}
			for _, sp := range d.Done {
				if sp.Len <= 0 || sp.Off < d.Start || sp.end() > d.End {
					t.Fatalf("passed a range %+v outside %d-%d", sp, d.Start, d.End)
				}
			}
		}
		var u uploadRecord
		if json.Unmarshal(b, &u) == nil && u.check("a", UploadJob{Bucket: "b", Key: "k"}) == "" {
			if checkPartSize(u.State.Size, u.PartSize) != "" || u.PartSize < 16 {
				t.Fatalf("passed a part size %d for %d bytes", u.PartSize, u.State.Size)
			}
		}
		var q QueuedJob
		if json.Unmarshal(b, &q) == nil {
			q.check("a")
		}
	})
}

// pausedAfterThreeParts uploads size random bytes to bkt/k of st, one part
// at a time, and pauses the upload once three parts are sent, leaving its
// journal record (whose id it returns) for a resume. It skips the test when
// the upload finished before it could be paused.
func pausedAfterThreeParts(t *testing.T, st Store, size int) (up *Uploader, down *Downloader, job UploadJob, id string) {
	t.Helper()
	up, down = newEngines(t, st)
	up.Parts = 1
	src, _ := writeRandom(t, t.TempDir(), "src", size)
	job = UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}
	ctx, cancel := context.WithCancelCause(context.Background())
	err := up.Upload(ctx, job, func(done, total int64) {
		if done >= 3*MinPartSize {
			cancel(ErrPaused)
		}
	})
	if !errors.Is(err, ErrPaused) {
		t.Skipf("the upload finished before it could be paused (%v)", err)
	}
	return up, down, job, UploadID(src, "bkt", "k")
}
