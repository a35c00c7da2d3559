package app

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

// folderKeys is every key under prefix, as the SDK lists them.
func folderKeys(t *testing.T, bk *oss.Bucket, prefix string) []string {
	t.Helper()
	res, err := bk.ListObjects(oss.Prefix(prefix))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range res.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

// A renamed folder holds every file it held, at every depth, each opening
// to its bytes and reading as mine under its new name; another client's
// file goes as it is; the old folder and the leaf tables of its files are
// gone.
func TestRenameFolderMovesEveryFile(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	bk := sdkBucket(t, s)
	dir := t.TempDir()
	files := map[string][]byte{
		"march.csv":     bytes.Repeat([]byte("march "), (2<<20+4000)/6), // three chunks: a leaf table
		"sub/april.csv": []byte("april\n"),
	}
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket}
	if err := s.Storage().NewFolder(ctx, loc, "payroll"); err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.Base(name))
		os.WriteFile(p, data, 0o600)
		dest := Location{Account: LocalAccountName, Bucket: DemoBucket, Prefix: "payroll/" + strings.TrimSuffix(name, filepath.Base(name))}
		if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: []string{p}, Dest: dest, KeyFor: "Mine"}); err != nil {
			t.Fatal(err)
		}
	}
	s.Queue().Wait()
	plain := []byte("a note another program wrote\n")
	if err := bk.PutObject("payroll/readme.txt", bytes.NewReader(plain), oss.Meta("owner", "ops")); err != nil {
		t.Fatal(err)
	}
	st, err := s.Store(loc.Account, loc.Bucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Head(ctx, transfer.LeavesKey("payroll/march.csv")); err != nil {
		t.Fatalf("march.csv has no leaf table to start with: %v", err)
	}

	var steps [][2]int
	newPrefix, err := s.Storage().RenameFolder(ctx, loc, "payroll/", "payroll 2025", func(done, total int) {
		steps = append(steps, [2]int{done, total})
	})
	if err != nil {
		t.Fatal(err)
	}
	if newPrefix != "payroll 2025/" {
		t.Fatalf("new prefix %q", newPrefix)
	}
	if left := folderKeys(t, bk, "payroll/"); len(left) != 0 {
		t.Errorf("the old folder still holds %v", left)
	}
	if _, err := st.Head(ctx, transfer.LeavesKey("payroll/march.csv")); !errors.Is(err, transfer.ErrNoSuchObject) {
		t.Errorf("the old name's leaf table: %v", err)
	}
	want := []string{"payroll 2025/", "payroll 2025/march.csv", "payroll 2025/readme.txt", "payroll 2025/sub/april.csv"}
	if got := folderKeys(t, bk, newPrefix); !slices.Equal(got, want) {
		t.Errorf("the new folder holds %v, want %v", got, want)
	}
	if !slices.Equal(steps, [][2]int{{1, 3}, {2, 3}, {3, 3}}) {
		t.Errorf("progress %v", steps)
	}
	newLoc := Location{Account: LocalAccountName, Bucket: DemoBucket, Prefix: newPrefix}
	for name, data := range files {
		key := newPrefix + name
		if _, got := downloadOne(t, s, newLoc, key); !bytes.Equal(got, data) {
			t.Errorf("%s opens to %d bytes, want %d", key, len(got), len(data))
		}
		l, err := s.Storage().Lock(ctx, newLoc, key)
		if err != nil || !l.Writer.Me || l.Seal != SealPresent {
			t.Errorf("%s: lock %+v, %v; want signed by me", key, l, err)
		}
	}
	if got, meta := rawObject(t, bk, newPrefix+"readme.txt"); !bytes.Equal(got, plain) || meta["owner"] != "ops" {
		t.Errorf("another client's file: %q, %v", got, meta)
	}
}

// A rename that cannot be done in full changes nothing: a tampered file
// in the folder, a name taken by a folder or by a file, a name that is
// none.
func TestRenameFolderRefusesAndChangesNothing(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	bk := sdkBucket(t, s)
	dir := t.TempDir()
	loc := Location{Account: LocalAccountName, Bucket: DemoBucket, Prefix: "box/"}
	var paths []string
	for _, name := range []string{"a.txt", "b.txt", "c.txt"} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, bytes.Repeat([]byte(name), 2000), 0o600)
		paths = append(paths, p)
	}
	if _, err := s.Transfers().Upload(ctx, UploadRequest{Paths: paths, Dest: loc, KeyFor: "Mine"}); err != nil {
		t.Fatal(err)
	}
	s.Queue().Wait()
	root := Location{Account: LocalAccountName, Bucket: DemoBucket}
	if err := s.Storage().NewFolder(ctx, root, "taken"); err != nil {
		t.Fatal(err)
	}
	if err := bk.PutObject("file", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	// b.txt, which comes after a.txt is copied, flipped by one bit.
	data := flipBit(t, bk, "box/b.txt", 50)
	before := folderKeys(t, bk, "")
	for _, tc := range []struct {
		name string
		want error
	}{
		{"crate", envelope.ErrIntegrity},
		{"taken", transfer.ErrExists},
		{"file", transfer.ErrExists},
		{"", transfer.ErrInvalidName},
		{"a/b", transfer.ErrInvalidName},
	} {
		_, err := s.Storage().RenameFolder(ctx, root, "box/", tc.name, nil)
		if !errors.Is(err, tc.want) {
			t.Errorf("rename box/ to %q: %v, want %v", tc.name, err, tc.want)
		}
		if got := folderKeys(t, bk, ""); !slices.Equal(got, before) {
			t.Errorf("rename box/ to %q changed the bucket: %v, was %v", tc.name, got, before)
		}
	}
	if got, _ := rawObject(t, bk, "box/b.txt"); !bytes.Equal(got, data) {
		t.Error("the tampered file changed")
	}
	if _, err := s.Storage().RenameFolder(ctx, root, "box/", "box", nil); err != nil {
		t.Errorf("a rename to the same name: %v", err)
	}
}

// The original goes only if it is still what was copied: a file written
// again between its copy and the delete (a colleague's new version) is
// kept, and the rename says so.
func TestRenameKeepsAFileChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	s := localWithKey(t)
	bk := sdkBucket(t, s)
	st, err := s.Store(LocalAccountName, DemoBucket)
	if err != nil {
		t.Fatal(err)
	}
	if err := bk.PutObject("plan.txt", strings.NewReader("first")); err != nil {
		t.Fatal(err)
	}
	copied, err := st.Head(ctx, "plan.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := bk.PutObject("plan.txt", strings.NewReader("second, never copied")); err != nil {
		t.Fatal(err)
	}
	if err := deleteCopied(ctx, st, "plan.txt", copied.ETag); !errors.Is(err, ErrChangedMeanwhile) {
		t.Fatalf("deleting a file changed since its copy: %v", err)
	}
	if got, _ := rawObject(t, bk, "plan.txt"); string(got) != "second, never copied" {
		t.Fatalf("the new version: %q", got)
	}
	now, _ := st.Head(ctx, "plan.txt")
	if err := deleteCopied(ctx, st, "plan.txt", now.ETag); err != nil {
		t.Fatal(err)
	}
	if ok, _ := bk.IsObjectExist("plan.txt"); ok {
		t.Error("the file copied as it is was not deleted")
	}
	if err := deleteCopied(ctx, st, "plan.txt", now.ETag); err != nil {
		t.Errorf("deleting what is gone already: %v", err)
	}
}
