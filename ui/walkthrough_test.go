package ui

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
)

// A folder dropped on the window lands as a new folder in the one on screen;
// the user must see it appear when its files are up, not only after Refresh.
func TestFolderUploadShowsTheNewFolder(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	dir := filepath.Join(t.TempDir(), "Reports 2026")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "合同.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	u.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(dir)})
	u.wait()
	if len(f.jobs) != 1 || f.jobs[0].Key != "Reports 2026/合同.txt" {
		t.Fatalf("jobs %+v", f.jobs)
	}
	if slices.Contains(rowNames(u.browser), "Reports 2026") {
		t.Fatal("the folder is listed before anything was uploaded into it")
	}
	f.Transfers().(*fakeTransfers).set(f.jobs[0].ID, func(j *Job) { j.State = JobDone; j.Done = j.Total })
	u.wait()
	if !slices.Contains(rowNames(u.browser), "Reports 2026") {
		t.Fatalf("the uploaded folder is not listed: %v", rowNames(u.browser))
	}
}
