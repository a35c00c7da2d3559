package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
)

// A download record whose temporary file names a file of the user's is
// set aside with a warning; the file survives and the download starts
// over.
func TestGetSetsAsideDamagedRecord(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "r.bin")
	writeFile(t, src, 3<<20)
	h.must("put", src, "oss://bkt/r.bin")
	meta, err := h.bucket().GetObjectDetailedMeta("r.bin")
	if err != nil {
		t.Fatal(err)
	}
	size, _ := strconv.ParseInt(meta.Get("Content-Length"), 10, 64)
	dir := t.TempDir()
	victim := filepath.Join(dir, "thesis.docx")
	mine := []byte("years of work")
	if err := os.WriteFile(victim, mine, 0o600); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "r.bin")
	id := transfer.DownloadID("oss://bkt/r.bin", dest, nil)
	rec, _ := json.Marshal(map[string]any{"id": id, "kind": "download", "source": "oss://bkt/r.bin", "dest": dest,
		"etag": meta.Get("Etag"), "size": size, "start": 0, "end": size - 1, "temp": "thesis.docx"})
	if err := os.MkdirAll(filepath.Join(h.home, "journal"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.home, "journal", id+".json"), rec, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, code := h.run("get", "oss://bkt/r.bin", dest)
	if b, err := os.ReadFile(victim); err != nil || !bytes.Equal(b, mine) {
		t.Fatalf("the user's file was changed or removed: %q, %v", b, err)
	}
	if code != 0 || !strings.HasPrefix(errs, "ossvault: warning: the transfer journal record "+id) || strings.Count(errs, "\n") != 1 {
		t.Fatalf("exit %d, %q; want success with one warning", code, errs)
	}
	if !sameFile(t, src, dest) {
		t.Fatal("the download differs")
	}
}

// runUntil runs a command in-process and interrupts it, as Ctrl-C does,
// once stop() is true.
func (h *harness) runUntil(stop func() bool, args ...string) (string, int) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil && !stop() {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	var out, errb bytes.Buffer
	code := Run(ctx, args, Stdio{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(k string) string { return h.vars[k] }}, nil)
	return errb.String(), code
}

// An upload record with a part size OSS would refuse is set aside with a
// warning, and the rerun of put starts over with parts of the size asked.
func TestPutSetsAsideDamagedRecord(t *testing.T) {
	const partSize, parts = 102400, 21
	for _, bad := range []int{7, 4096} {
		t.Run(strconv.Itoa(bad), func(t *testing.T) {
			h := newHarness(t)
			src := filepath.Join(t.TempDir(), "big.bin")
			writeFile(t, src, (parts-1)*partSize+5)
			args := []string{"put", src, "oss://bkt/big.bin", "--part-size", strconv.Itoa(partSize), "--jobs", "1"}
			errs, code := h.runUntil(func() bool { return h.srv.Log.Count(osslocal.OpUploadPart) >= 3 }, args...)
			if code == 0 {
				t.Skip("the upload finished before it could be interrupted")
			}
			if !strings.Contains(errs, "interrupted") {
				t.Fatalf("exit %d, %q; want an interruption", code, errs)
			}
			files := journalRecords(t, h, "upload")
			if len(files) != 1 {
				t.Fatalf("%d upload records after the interruption, want 1", len(files))
			}
			var rec map[string]any
			b, _ := os.ReadFile(files[0])
			if err := json.Unmarshal(b, &rec); err != nil {
				t.Fatal(err)
			}
			rec["part_size"] = bad
			b, _ = json.Marshal(rec)
			if err := os.WriteFile(files[0], b, 0o600); err != nil {
				t.Fatal(err)
			}
			settle(t, h, osslocal.OpUploadPart)
			h.srv.Log.Reset()

			_, errs, code = h.run(args...)
			if code != 0 || !strings.HasPrefix(errs, "ossvault: warning: the transfer journal record ") ||
				!strings.Contains(errs, "part size "+strconv.Itoa(bad)) || strings.Count(errs, "\n") != 1 {
				t.Fatalf("exit %d, %q; want success with one warning naming the part size", code, errs)
			}
			var sent []int64
			for _, e := range h.srv.Log.Entries() {
				if e.Op == osslocal.OpUploadPart {
					sent = append(sent, e.In)
				}
			}
			if len(sent) != parts || h.srv.Log.Count(osslocal.OpInitiateMultipartUpload) != 1 {
				t.Fatalf("sent %d parts under %d uploads, want %d parts of a fresh upload", len(sent),
					h.srv.Log.Count(osslocal.OpInitiateMultipartUpload), parts)
			}
			for i, n := range sent[:parts-1] {
				if n != partSize {
					t.Fatalf("part %d: %d bytes, want %d", i+1, n, partSize)
				}
			}
			out := filepath.Join(t.TempDir(), "out")
			h.must("get", "oss://bkt/big.bin", out)
			if !sameFile(t, src, out) {
				t.Fatal("SHA-256 differs after the restarted upload")
			}
		})
	}
}

// journalRecords are the files of h's journal records of kind.
func journalRecords(t *testing.T, h *harness, kind string) []string {
	t.Helper()
	all, _ := filepath.Glob(filepath.Join(h.home, "journal", "*.json"))
	var out []string
	for _, f := range all {
		var rec struct {
			Kind string `json:"kind"`
		}
		if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &rec) == nil && rec.Kind == kind {
			out = append(out, f)
		}
	}
	return out
}
