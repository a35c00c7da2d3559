package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestBrowserShowsFolderWithLocks(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	b := u.browser
	if got, want := strings.Join(rowNames(b), ","), "payroll,contract.pdf,from-bob.docx,old.txt"; got != want {
		t.Fatalf("rows %s, want %s", got, want)
	}
	u.do(b.list.Refresh)
	b.locks.wait()
	u.wait()
	locks := map[string]string{}
	for _, name := range rowNames(b) {
		for _, e := range b.all {
			if e.Name == name {
				locks[name] = b.lockText(e)
			}
		}
	}
	want := map[string]string{"payroll": "", "contract.pdf": "My key", "from-bob.docx": "Bob's key, not on this computer", "old.txt": "not encrypted"}
	for k, v := range want {
		if locks[k] != v {
			t.Errorf("locked with for %s = %q, want %q", k, locks[k], v)
		}
	}
	u.do(func() { test.AssertRendersToMarkup(t, "browser.xml", u.win.Canvas()) })

	// Into a folder with a double click; breadcrumbs lead back.
	u.do(func() { b.openRow(0) })
	u.wait()
	var rows string
	var crumbs int
	u.do(func() { rows, crumbs = strings.Join(rowNames(b), ","), len(b.crumbs.Objects) })
	if b.loc.Prefix != "payroll/" || rows != "march.xlsx" {
		t.Fatalf("inside payroll: prefix %q rows %v", b.loc.Prefix, rows)
	}
	if crumbs != 3 {
		t.Fatalf("breadcrumbs have %d parts, want bucket › payroll", crumbs)
	}
	u.do(func() { test.Tap(b.crumbs.Objects[0].(*widget.Button)) })
	u.wait()
	if b.loc.Prefix != "" {
		t.Fatalf("breadcrumb did not lead back to the top: %q", b.loc.Prefix)
	}
}

func TestBrowserSortAndFilter(t *testing.T) {
	u := startMain(t, readyFake())
	b := u.browser
	b.sortBy(colSize)
	if got := strings.Join(rowNames(b), ","); got != "payroll,old.txt,from-bob.docx,contract.pdf" {
		t.Fatalf("by size: %s", got)
	}
	b.sortBy(colSize)
	if got := strings.Join(rowNames(b), ","); got != "payroll,contract.pdf,from-bob.docx,old.txt" {
		t.Fatalf("by size, largest first: %s", got)
	}
	test.Type(b.filter, "OLD")
	if got := strings.Join(rowNames(b), ","); got != "old.txt" {
		t.Fatalf("filter OLD: %s", got)
	}
	if !strings.Contains(b.info.Text, "1 of 4") {
		t.Errorf("info %q", b.info.Text)
	}
}

func TestBrowserHundredThousandObjectsPagesLazily(t *testing.T) {
	f := readyFake()
	f.fillBucket("This computer", "big", 100_000)
	u := startMain(t, f)
	b := u.browser
	before := f.listCalls.Load()
	u.do(func() { b.open(Location{Account: "This computer", Bucket: "big"}) })
	u.wait()
	b.locks.wait()
	if got := f.listCalls.Load() - before; got != 1 {
		t.Fatalf("opening the folder made %d listing calls, want 1", got)
	}
	if len(b.all) != pageSize || !b.more {
		t.Fatalf("after opening: %d loaded, more=%v", len(b.all), b.more)
	}
	if n := f.lockCalls.Load(); n == 0 || n > 60 {
		t.Fatalf("metadata was read for %d objects; want only the visible rows", n)
	}
	// Scrolling to the end of what is loaded fetches the next page.
	u.do(b.list.ScrollToBottom)
	u.wait()
	if len(b.all) != 2*pageSize {
		t.Fatalf("after scrolling to the end: %d loaded", len(b.all))
	}
	b.locks.wait()
	if n := f.lockCalls.Load(); n > 60+maxLockWait {
		t.Fatalf("metadata read for %d objects after one scroll", n)
	}
}

func TestDropUploadsIntoCurrentFolderForChosenKey(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	dir := t.TempDir()
	a := filepath.Join(dir, "quarterly report.pdf")
	sub := filepath.Join(dir, "Reports")
	if err := os.WriteFile(a, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(sub, "2026"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(sub, "2026", "税务.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	u.browser.encryptFor.SetSelected("Alice")
	u.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(a), storage.NewFileURI(sub)})
	u.wait()
	if len(f.uploads) != 1 {
		t.Fatalf("uploads: %+v", f.uploads)
	}
	req := f.uploads[0]
	if req.KeyFor != "Alice" || req.Dest != (Location{Account: "This computer", Bucket: "demo"}) || len(req.Paths) != 2 {
		t.Fatalf("upload request %+v", req)
	}
	var keys []string
	for _, j := range f.jobs {
		keys = append(keys, j.Key)
	}
	if got := strings.Join(keys, ","); got != "quarterly report.pdf,Reports/2026/税务.txt" {
		t.Fatalf("object keys %s", got)
	}
	if len(u.transfers.jobs) != 2 {
		t.Fatalf("transfers panel shows %d jobs", len(u.transfers.jobs))
	}
	// When the upload finishes, the folder shows the new file.
	f.Transfers().(*fakeTransfers).set(f.jobs[0].ID, func(j *Job) { j.State = JobDone; j.Done = j.Total })
	u.wait()
	found := false
	for _, n := range rowNames(u.browser) {
		found = found || n == "quarterly report.pdf"
	}
	if !found {
		t.Fatalf("uploaded file not listed: %v", rowNames(u.browser))
	}
}

func TestDropWithoutKeyExplains(t *testing.T) {
	f := readyFake()
	f.keys = nil
	f.ossutil = nil
	u := startMain2(t, f)
	u.do(func() { u.onDropped(fyne.Position{}, []fyne.URI{storage.NewFileURI(t.TempDir())}) })
	u.wait()
	if len(f.uploads) != 0 {
		t.Fatal("uploaded without a key")
	}
	var top fyne.CanvasObject
	u.do(func() { top = u.win.Canvas().Overlays().Top() })
	if top == nil {
		t.Fatal("no message told the user why nothing was uploaded")
	}
}

func TestDeleteAsksFirst(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	b := u.browser
	selectFile(t, b, "old.txt")
	test.Tap(b.deleteBtn)
	if _, ok := f.buckets["This computer/demo"].objects["old.txt"]; !ok {
		t.Fatal("deleted without confirmation")
	}
	e, _ := b.selected()
	b.deleteEntry(e)
	u.wait()
	if _, ok := f.buckets["This computer/demo"].objects["old.txt"]; ok {
		t.Fatal("not deleted after confirmation")
	}
	if strings.Contains(strings.Join(rowNames(b), ","), "old.txt") {
		t.Fatal("deleted file still listed")
	}
}

func TestNewFolder(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	u.browser.createFolder("a/b")
	u.wait()
	u.browser.createFolder("Invoices")
	u.wait()
	if _, ok := f.buckets["This computer/demo"].objects["Invoices/"]; !ok {
		t.Fatal("folder not created")
	}
	if _, ok := f.buckets["This computer/demo"].objects["a/b/"]; ok {
		t.Fatal("a name with / was accepted")
	}
	if rowNames(u.browser)[0] != "Invoices" {
		t.Fatalf("rows %v", rowNames(u.browser))
	}
}
