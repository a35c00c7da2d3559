package transfer

import (
	"context"
	"errors"
	"testing"
)

// Deleting a folder deletes the leaf tables of its objects, uncounted;
// listings and folder downloads never show them.
func TestLeafTablesDeletedAndHidden(t *testing.T) {
	_, st := startOSS(t)
	up, _ := newEngines(t, st)
	up.PartSize = DefaultPartSize
	src, _ := writeRandom(t, t.TempDir(), "f", 2<<20+1)
	for _, k := range []string{"dir/a", "dir/sub/b", "dirt/c"} {
		if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: k, Wrapper: testWrapper(t)}, nil); err != nil {
			t.Fatal(err)
		}
	}
	files, err := PlanFolder(context.Background(), st, "", t.TempDir())
	if err != nil || len(files) != 3 {
		t.Fatalf("a download of the whole bucket plans %d files (%v), want 3: %+v", len(files), err, files)
	}
	p, err := st.ListPage(context.Background(), "", "/", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if h := HideInternal(p); len(h.Prefixes) != 2 || len(p.Prefixes) != 3 {
		t.Fatalf("folders at the root: %v, hidden %v", p.Prefixes, h.Prefixes)
	}
	n, err := DeletePrefix(context.Background(), st, "dir/", nil)
	if err != nil || n != 2 {
		t.Fatalf("deleted %d (%v), want 2", n, err)
	}
	for k, gone := range map[string]bool{"dir/a": true, "dir/sub/b": true, "dirt/c": false} {
		_, err := st.Head(context.Background(), LeavesKey(k))
		if gone != errors.Is(err, ErrNoSuchObject) {
			t.Errorf("the table of %s: %v", k, err)
		}
	}
}
