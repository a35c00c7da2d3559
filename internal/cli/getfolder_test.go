package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A folder download writes only inside DEST: a subfolder of DEST that is
// a link to elsewhere fails its files, one line, and nothing lands there;
// the rest of the folder arrives.
func TestGetFolderStaysInsideDest(t *testing.T) {
	h := newHarness(t)
	srcDir := t.TempDir()
	for _, rel := range []string{"a.txt", "Reports/b.txt"} {
		src := filepath.Join(srcDir, rel)
		writeFile(t, src, 1000)
		h.must("put", src, "oss://bkt/team/"+rel)
	}
	base := t.TempDir()
	dest, outside := filepath.Join(base, "dest"), filepath.Join(base, "elsewhere")
	for _, d := range []string{dest, outside} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(outside, filepath.Join(dest, "Reports")); err != nil {
		t.Fatal(err)
	}
	_, errs, code := h.run("get", "oss://bkt/team/", dest)
	if code != 1 || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "ossvault: ") ||
		!strings.Contains(errs, "outside the download folder") {
		t.Fatalf("exit %d, %q; want one line refusing Reports/b.txt", code, errs)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Fatalf("the download wrote %d entries outside DEST", len(ents))
	}
	if !sameFile(t, filepath.Join(srcDir, "a.txt"), filepath.Join(dest, "a.txt")) {
		t.Fatal("a.txt differs")
	}
}
