package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// ls hides ossvault's own folder; rm and rm -r delete the leaf tables
// with the objects.
func TestLeafTablesLsRm(t *testing.T) {
	h := newHarness(t)
	src := filepath.Join(t.TempDir(), "f")
	writeFile(t, src, 2<<20+9)
	for _, k := range []string{"one", "team/a", "team/b"} {
		h.must("put", src, "oss://bkt/"+k)
	}
	has := func(key string) bool {
		ok, err := h.bucket().IsObjectExist(key)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	for _, k := range []string{"one", "team/a", "team/b"} {
		if !has(leaves + k) {
			t.Fatalf("put wrote no leaf table for %s", k)
		}
	}
	out := h.must("ls", "oss://bkt/")
	if strings.Contains(out, ".ossvault") || !strings.Contains(out, "\tone\n") || !strings.Contains(out, "team/") {
		t.Fatalf("ls:\n%s", out)
	}
	if out := h.must("ls", "oss://bkt/.ossvault/leaves/"); out != "" {
		t.Fatalf("ls of the leaf tables:\n%s", out)
	}
	h.must("rm", "oss://bkt/one")
	if has(leaves + "one") {
		t.Fatal("rm left the leaf table")
	}
	h.must("rm", "-r", "oss://bkt/team/")
	if has(leaves+"team/a") || has(leaves+"team/b") {
		t.Fatal("rm -r left leaf tables")
	}
	if _, errs, code := h.run("rm", "-r", "oss://bkt/team/"); code == 0 || !strings.Contains(errs, "nothing found") {
		t.Fatalf("rm -r of an emptied folder: exit %d, %q", code, errs)
	}
}
