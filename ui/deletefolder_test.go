package ui

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/ossvault/ossvault/transfer"
)

// keysIn lists the fake bucket's keys, sorted.
func keysIn(f *fakeBackend, bucket string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := append([]string{}, f.buckets["This computer/"+bucket].keys...)
	sort.Strings(out)
	return out
}

// Delete on a folder says how many files go, and their size, and deletes
// them only after the user agrees; what is beside it stays.
func TestDeleteFolderAsksWithCountAndSize(t *testing.T) {
	f := readyFake()
	f.addObject("This computer", "demo", "payroll/2026/april.xlsx", 1<<20, Lock{})
	f.addObject("This computer", "demo", "payroll/2026/", 0, Lock{})
	f.addObject("This computer", "demo", "payroll 2/keep.txt", 5, Lock{})
	u := startMain(t, f)
	b := u.browser
	selectFile(t, b, "payroll")
	if b.deleteBtn.Disabled() {
		t.Fatal("Delete is off for a folder")
	}
	if !b.shareBtn.Disabled() {
		t.Fatal("Share is on for a folder")
	}
	test.Tap(b.deleteBtn)
	u.wait()
	fd := b.folderDel
	if fd == nil || fd.confirm == nil {
		t.Fatal("no confirmation after counting")
	}
	want := "Delete the folder “payroll” and the 2 files in it (1.0 MB)? They are removed from the storage for everyone, and cannot be brought back."
	if fd.question != want {
		t.Fatalf("the confirmation says\n%q\nwant\n%q", fd.question, want)
	}
	if got := keysIn(f, "demo"); !strings.Contains(strings.Join(got, ","), "payroll/march.xlsx") {
		t.Fatalf("deleted before the user agreed: %v", got)
	}
	fd.confirm.Confirm()
	u.wait()
	got := keysIn(f, "demo")
	for _, k := range got {
		if strings.HasPrefix(k, "payroll/") {
			t.Fatalf("%q is left after deleting the folder: %v", k, got)
		}
	}
	if fmt.Sprint(got) != "[contract.pdf from-bob.docx old.txt payroll 2/keep.txt]" {
		t.Fatalf("left in the bucket: %v", got)
	}
	if u.status.Text != "Deleted the folder “payroll”." {
		t.Fatalf("status %q", u.status.Text)
	}
	for _, n := range rowNames(b) {
		if n == "payroll" {
			t.Fatal("the deleted folder is still listed")
		}
	}
}

func TestDeleteEmptyFolderSaysSo(t *testing.T) {
	f := readyFake()
	f.addObject("This computer", "demo", "empty/", 0, Lock{})
	u := startMain(t, f)
	selectFile(t, u.browser, "empty")
	u.browser.onDelete()
	u.wait()
	fd := u.browser.folderDel
	if fd == nil || fd.question != "The folder “empty” has no files in it. Delete it?" {
		t.Fatalf("confirmation %+v", fd)
	}
	fd.confirm.Confirm()
	u.wait()
	if _, ok := f.buckets["This computer/demo"].objects["empty/"]; ok {
		t.Fatal("the empty folder is still there")
	}
}

// Some files that cannot be deleted are counted in a sentence; the others
// are deleted.
func TestDeleteFolderPartialFailure(t *testing.T) {
	f := readyFake()
	for i := range 1500 {
		f.addObject("This computer", "demo", fmt.Sprintf("big/%04d.pdf", i), 10, Lock{})
	}
	f.deleteFail = map[string]bool{"big/0007.pdf": true, "big/1203.pdf": true}
	u := startMain(t, f)
	selectFile(t, u.browser, "big")
	u.browser.onDelete()
	u.wait()
	fd := u.browser.folderDel
	if !strings.Contains(fd.question, "the 1500 files in it (14.6 KB)") {
		t.Fatalf("confirmation %q", fd.question)
	}
	fd.confirm.Confirm()
	u.wait()
	want := "2 of the 1500 files and folders in “big” could not be deleted: This account is not allowed to do that. Ask whoever manages it for access. The others were deleted."
	if fd.outcome != want {
		t.Fatalf("outcome\n%q\nwant\n%q", fd.outcome, want)
	}
	var left []string
	for _, k := range keysIn(f, "demo") {
		if strings.HasPrefix(k, "big/") {
			left = append(left, k)
		}
	}
	if fmt.Sprint(left) != "[big/0007.pdf big/1203.pdf]" {
		t.Fatalf("left under big/: %v", left)
	}
}

// slowFolderStorage counts a folder only when the test lets it, or until
// the count is canceled.
type slowFolderStorage struct {
	Storage
	release chan struct{}
}

func (s slowFolderStorage) FolderSize(ctx context.Context, loc Location, prefix string) (int, int64, error) {
	select {
	case <-s.release:
		return s.Storage.FolderSize(ctx, loc, prefix)
	case <-ctx.Done():
		return 0, 0, ctx.Err()
	}
}

type slowFolderBackend struct {
	*fakeBackend
	release chan struct{}
}

func (b slowFolderBackend) Storage() Storage {
	return slowFolderStorage{b.fakeBackend.Storage(), b.release}
}

// While a large folder is counted a spinner turns, the window is not held
// up, and Cancel stops the count with nothing deleted.
func TestDeleteFolderCountingCanBeCanceled(t *testing.T) {
	f := readyFake()
	be := slowFolderBackend{f, make(chan struct{})}
	u := startMain(t, be)
	selectFile(t, u.browser, "payroll")
	u.browser.onDelete()
	fd := u.browser.folderDel
	if fd.counting == nil || fd.confirm != nil {
		t.Fatal("no counting dialog while the folder is listed")
	}
	var spinning bool
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if act, ok := o.(*widget.Activity); ok && act.Visible() {
			spinning = true
		}
	}
	if !spinning {
		t.Fatal("no spinner while counting")
	}
	fd.counting.Dismiss()
	u.wait()
	if fd.confirm != nil {
		t.Fatal("asked to delete after Cancel")
	}
	if _, ok := f.buckets["This computer/demo"].objects["payroll/march.xlsx"]; !ok {
		t.Fatal("deleted after Cancel")
	}
}

// The real backend deletes a nested folder of more than 1,000 objects on
// the local endpoint, in batches, and nothing beside it.
func TestRealDeleteFolder(t *testing.T) {
	home := t.TempDir()
	b := openTestBackend(t, home)
	if _, err := b.Accounts().StartLocal(context.Background()); err != nil {
		t.Fatal(err)
	}
	bk := sdkBucket(t, b)
	var inside []string
	inside = append(inside, "Reports/", "Reports/2026/", "Reports/季度 报告.txt")
	for i := range 1100 {
		inside = append(inside, fmt.Sprintf("Reports/%d/part %04d.txt", i%4, i))
	}
	outside := []string{"Reports.txt", "Reports 2/keep.txt", "other/Reports/keep.txt"}
	for _, k := range append(append([]string{}, inside...), outside...) {
		if err := bk.PutObject(k, bytes.NewReader([]byte("x"))); err != nil {
			t.Fatal(err)
		}
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	files, size, err := b.Storage().FolderSize(context.Background(), loc, "Reports/")
	if err != nil || files != len(inside)-2 || size != int64(len(inside)-2) {
		t.Fatalf("FolderSize: %d files, %d bytes, %v; want %d", files, size, err, len(inside)-2)
	}
	var batches int
	n, err := b.Storage().DeleteFolder(context.Background(), loc, "Reports/", func(int, int) { batches++ })
	if err != nil || n != len(inside) {
		t.Fatalf("DeleteFolder: %d, %v; want %d", n, err, len(inside))
	}
	if batches != 2 {
		t.Errorf("%d batches for %d objects, want 2", batches, len(inside))
	}
	left, err := bk.ListObjectsV2(oss.Prefix("Reports/"))
	if err != nil {
		t.Fatal(err)
	}
	if len(left.Objects) != 0 {
		t.Fatalf("%d objects left under the deleted folder, e.g. %q", len(left.Objects), left.Objects[0].Key)
	}
	for _, k := range outside {
		if _, err := bk.GetObjectMeta(k); err != nil {
			t.Errorf("%q beside the folder is gone: %v", k, err)
		}
	}
	if _, err := b.Storage().DeleteFolder(context.Background(), loc, "", nil); err == nil {
		t.Fatal("deleting the whole bucket as a folder was accepted")
	}
}

// Deleting one file in the app takes its leaf table with it.
func TestRealDeleteFileTakesLeafTable(t *testing.T) {
	b := openTestBackend(t, t.TempDir())
	if _, err := b.Accounts().StartLocal(context.Background()); err != nil {
		t.Fatal(err)
	}
	bk := sdkBucket(t, b)
	table := transfer.LeavesKey("payroll.csv")
	for _, k := range []string{"payroll.csv", table} {
		if err := bk.PutObject(k, bytes.NewReader([]byte("x"))); err != nil {
			t.Fatal(err)
		}
	}
	loc := Location{Account: localAccountName, Bucket: demoBucket}
	if err := b.Storage().Delete(context.Background(), loc, "payroll.csv"); err != nil {
		t.Fatal(err)
	}
	if ok, err := bk.IsObjectExist(table); err != nil || ok {
		t.Fatalf("the leaf table is still there (%v)", err)
	}
}
