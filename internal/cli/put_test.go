package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
)

func TestPutGetRoundTrip(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name, key string
		size      int
		extra     []string
	}{
		{"small", "small.txt", 1234, nil},
		{"empty", "empty", 0, nil},
		{"multipart", "big.bin", 900 << 10, []string{"--part-size", "102400", "--jobs", "3"}},
		{"space unicode percent", "Berichte/Q3 Ü 100% 季度.pdf", 5000, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := filepath.Join(dir, tc.name)
			writeFile(t, src, tc.size)
			h.must(append([]string{"put", src, "oss://bkt/" + tc.key}, tc.extra...)...)
			out := filepath.Join(t.TempDir(), "out")
			h.must("get", "oss://bkt/"+tc.key, out)
			if !sameFile(t, src, out) {
				t.Fatal("SHA-256 of the download differs")
			}
			fi, _ := os.Stat(out)
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("downloaded file mode %v", fi.Mode().Perm())
			}
		})
	}
	if n := h.srv.Log.Count(osslocal.OpUploadPart); n != 9 {
		t.Errorf("UploadPart = %d, want 9 (900 KiB in 100 KiB parts)", n)
	}
}

func TestPutTargets(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Reports", "a.txt"), 10)
	writeFile(t, filepath.Join(dir, "Reports", "sub dir", "b 100%.txt"), 20)
	writeFile(t, filepath.Join(dir, "one.txt"), 5)
	writeFile(t, filepath.Join(dir, "two.txt"), 6)

	if _, _, code := h.run("put", filepath.Join(dir, "Reports"), "oss://bkt/team/"); code != 2 {
		t.Errorf("a folder without -r: exit %d, want 2", code)
	}
	if _, _, code := h.run("put", filepath.Join(dir, "one.txt"), filepath.Join(dir, "two.txt"), "oss://bkt/x"); code != 2 {
		t.Errorf("two files to a non-folder target: exit %d, want 2", code)
	}
	if _, _, code := h.run("put", filepath.Join(dir, "one.txt"), "oss://bkt/x", "--part-size", "1000"); code != 2 {
		t.Errorf("a too small part size: exit %d, want 2", code)
	}
	h.must("put", "-r", filepath.Join(dir, "Reports"), "oss://bkt/team/")
	h.must("put", filepath.Join(dir, "one.txt"), filepath.Join(dir, "two.txt"), "oss://bkt/drop/")
	h.must("put", filepath.Join(dir, "one.txt"), "oss://bkt/renamed.txt")
	out := h.must("ls", "oss://bkt/team/Reports/")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	sort.Strings(lines)
	if len(lines) != 2 || lines[0] != "-\t-\t-\tteam/Reports/sub dir/" || !strings.HasSuffix(lines[1], "\tteam/Reports/a.txt") {
		t.Fatalf("ls team/Reports/ =\n%s", out)
	}
	f := strings.Split(lines[1], "\t")
	if _, err := time.Parse(time.RFC3339, f[1]); len(f) != 4 || f[0] != "10" || f[2] != "me" || err != nil {
		t.Fatalf("ls line %q: want size 10, an RFC 3339 time and key me", lines[1])
	}
	for _, k := range []string{"team/Reports/sub dir/b 100%.txt", "drop/one.txt", "drop/two.txt", "renamed.txt"} {
		if _, err := h.bucket().GetObjectDetailedMeta(k); err != nil {
			t.Errorf("%s missing: %v", k, err)
		}
	}
	// The whole folder comes back with get of the prefix.
	back := t.TempDir()
	h.must("get", "oss://bkt/team/", back)
	if !sameFile(t, filepath.Join(dir, "Reports", "sub dir", "b 100%.txt"), filepath.Join(back, "Reports", "sub dir", "b 100%.txt")) {
		t.Fatal("folder download differs")
	}
}

func TestPutThousandFiles(t *testing.T) {
	h := newHarness(t)
	dir := filepath.Join(t.TempDir(), "many")
	for i := range 1000 {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("file %04d.txt", i)), 100+i)
	}
	h.must("put", "-r", dir, "oss://bkt/", "--jobs", "8")
	if n := h.srv.Log.CountFunc(func(e osslocal.LogEntry) bool { return e.Op == osslocal.OpPutObject && e.Status == 200 }); n != 1000 {
		t.Fatalf("stored %d objects, want 1000", n)
	}
	out := h.must("ls", "oss://bkt/many/")
	if n := strings.Count(out, "\n"); n != 1000 {
		t.Fatalf("ls lists %d objects, want 1000", n)
	}
	back := t.TempDir()
	h.must("get", "oss://bkt/many/", back)
	for _, i := range []int{0, 517, 999} {
		name := fmt.Sprintf("file %04d.txt", i)
		if !sameFile(t, filepath.Join(dir, name), filepath.Join(back, name)) {
			t.Fatalf("%s differs", name)
		}
	}
}

// --no-clobber skips the targets that exist, a line each on standard
// error, uploads the others and exits 0; the object there stays as it was.
// Without it, put replaces, as scripts expect.
func TestPutNoClobber(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.txt"), 10)
	writeFile(t, filepath.Join(dir, "b.txt"), 20)
	h.must("put", filepath.Join(dir, "a.txt"), "oss://bkt/drop/")
	before, err := h.bucket().GetObjectDetailedMeta("drop/a.txt")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "a.txt"), 11)
	stdout, stderr, code := h.run("put", "--no-clobber", filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt"), "oss://bkt/drop/")
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if want := "ossvault: skipped oss://bkt/drop/a.txt: it already exists\n"; stderr != want {
		t.Fatalf("stderr %q, want %q", stderr, want)
	}
	after, err := h.bucket().GetObjectDetailedMeta("drop/a.txt")
	if err != nil || after.Get("ETag") != before.Get("ETag") {
		t.Fatalf("the existing object changed: %v", err)
	}
	if _, err := h.bucket().GetObjectDetailedMeta("drop/b.txt"); err != nil {
		t.Fatalf("the new file was not uploaded: %v", err)
	}
	h.must("put", filepath.Join(dir, "a.txt"), "oss://bkt/drop/")
	if again, _ := h.bucket().GetObjectDetailedMeta("drop/a.txt"); again.Get("ETag") == before.Get("ETag") {
		t.Fatal("without --no-clobber the object was not replaced")
	}
	// Standard input to a target that exists is skipped unread.
	stdout, stderr, code = h.runIn(context.Background(), strings.NewReader("backup"), "put", "--no-clobber", "-", "oss://bkt/drop/b.txt")
	if code != 0 || !strings.Contains(stderr, "skipped oss://bkt/drop/b.txt") {
		t.Fatalf("put - over an existing object: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
