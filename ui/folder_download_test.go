package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// overlayText is everything the topmost pop-up or dialog says.
func overlayText(t *testing.T, u *appUI) string {
	t.Helper()
	var top fyne.CanvasObject
	var said []string
	// Under the UI lock: transfer events may still be redrawing the window.
	u.do(func() {
		if top = u.win.Canvas().Overlays().Top(); top == nil {
			return
		}
		for _, o := range test.LaidOutObjects(top) {
			if l, ok := o.(*widget.Label); ok {
				said = append(said, l.Text)
			}
		}
	})
	if top == nil {
		t.Fatal("no dialog on screen")
	}
	return strings.Join(said, " ")
}

// rowIndex is the view index of the row named name.
func rowIndex(t *testing.T, b *browser, name string) int {
	t.Helper()
	for i, idx := range b.view {
		if b.all[idx].Name == name {
			return i
		}
	}
	t.Fatalf("no row %q in %v", name, rowNames(b))
	return -1
}

func TestDownloadFolderFromToolbarAndMenu(t *testing.T) {
	f := readyFake()
	f.addObject("This computer", "demo", "payroll/2025/年终 奖金.xlsx", 77, Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent})
	f.addObject("This computer", "demo", "payroll/empty/", 0, Lock{})
	u := startMain(t, f)
	dir := t.TempDir()
	u.prefs.DownloadDir = dir
	b := u.browser

	// Chosen with a click, downloaded with the toolbar button.
	b.list.Select(rowIndex(t, b, "payroll"))
	if b.getBtn.Disabled() {
		t.Fatal("Download is off with a folder chosen")
	}
	test.Tap(b.getBtn)
	u.wait()
	if b.loc.Prefix != "" {
		t.Fatalf("downloading the folder opened it: %q", b.loc.Prefix)
	}
	var got []string
	for _, j := range f.jobs {
		if j.Kind != Download {
			t.Fatalf("job %+v is not a download", j)
		}
		rel, _ := filepath.Rel(dir, j.Local)
		got = append(got, filepath.ToSlash(rel)+" <- "+j.Key)
	}
	want := []string{"payroll/2025/年终 奖金.xlsx <- payroll/2025/年终 奖金.xlsx", "payroll/march.xlsx <- payroll/march.xlsx"}
	if !slices.Equal(got, want) {
		t.Fatalf("jobs %q, want %q", got, want)
	}
	// One row per file in the transfers panel, and a status line saying where.
	if n := len(u.transfers.jobs); n != 2 {
		t.Fatalf("the transfers panel has %d rows, want 2", n)
	}
	if s := u.status.Text; s != "Downloading 2 files from payroll to "+filepath.Join(dir, "payroll")+"…" {
		t.Fatalf("status %q", s)
	}

	// The right-click menu of a folder offers to open, download, rename or delete
	// it.
	var m *fyne.Menu
	u.do(func() { m = b.contextMenu(rowIndex(t, b, "payroll")) })
	var labels []string
	for _, it := range m.Items {
		labels = append(labels, it.Label)
	}
	if !slices.Equal(labels, []string{"Open", "Download", "Rename…", "", "Delete"}) {
		t.Fatalf("folder menu %q", labels)
	}
	u.do(m.Items[1].Action)
	u.wait()
	if len(f.jobs) != 4 {
		t.Fatalf("%d jobs after the menu's Download, want 4", len(f.jobs))
	}
	u.do(m.Items[0].Action)
	u.wait()
	if b.loc.Prefix != "payroll/" {
		t.Fatalf("the menu's Open left the browser in %q", b.loc.Prefix)
	}
	// A file's menu: Download, Share…, Details, Rename…, a line, Delete.
	u.do(func() { m = b.contextMenu(rowIndex(t, b, "march.xlsx")) })
	if len(m.Items) != 6 || m.Items[0].Label != "Download" || m.Items[3].Label != "Rename…" {
		t.Fatalf("file menu has %d items, first %q", len(m.Items), m.Items[0].Label)
	}
}

func TestDownloadEmptyFolderExplains(t *testing.T) {
	f := readyFake()
	f.addObject("This computer", "demo", "nothing here/", 0, Lock{})
	u := startMain(t, f)
	u.prefs.DownloadDir = t.TempDir()
	b := u.browser
	b.list.Select(rowIndex(t, b, "nothing here"))
	test.Tap(b.getBtn)
	u.wait()
	if len(f.jobs) != 0 {
		t.Fatalf("%d jobs for an empty folder", len(f.jobs))
	}
	if got := overlayText(t, u); !strings.Contains(got, "This folder has no files to download.") {
		t.Fatalf("the dialog says %q", got)
	}
}

// The whole round trip on the real backend: a dropped folder (nested, with
// unicode names) goes up encrypted and comes back, byte for byte, through
// the folder's Download button; a second download does not mix into the
// first; an object whose name would climb out refuses the whole folder.
func TestRealDownloadFolder(t *testing.T) {
	home := t.TempDir()
	b := openTestBackend(t, home)
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	downloads := filepath.Join(home, "Downloads")
	u := newAppUI(a, w, b, home, Prefs{DownloadDir: downloads})
	t.Cleanup(u.close)
	u.start(true)
	u.wait()
	u.firstRun.keyName.SetText("Mine")
	test.Tap(u.firstRun.createBtn)
	u.wait()
	u.do(func() { test.Tap(u.firstRun.laterBtn) })
	u.wait()
	if !u.browser.hasLoc {
		t.Fatalf("no folder open after the first run (step %q)", u.firstRun.step)
	}

	src := filepath.Join(t.TempDir(), "Q1 报告")
	files := map[string][]byte{
		"summary.txt":                  []byte("first quarter"),
		"明细/工资 三月.csv":                 bytes.Repeat([]byte("姓名,金额\n"), 5000),
		"明细/deeper/still deeper/x.bin": bytes.Repeat([]byte{0, 1, 2, 3}, 300<<10),
		"..notes":                      []byte("a name that starts with dots"),
	}
	for rel, data := range files {
		p := filepath.Join(src, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	u.onDropped(fyne.NewPos(10, 10), []fyne.URI{storage.NewFileURI(src)})
	u.wait()
	waitJobs(t, b)
	bk := sdkBucket(t, b)
	for rel, data := range files {
		checkEncrypted(t, bk, b.Vault(), "Q1 报告/"+rel, data)
	}
	time.Sleep(2 * refreshDelay) // the folder refresh after the uploads
	u.wait()

	download := func() string {
		t.Helper()
		br := u.browser
		before := len(b.Transfers().Jobs())
		// The earlier transfers' last events may still be arriving: press
		// Download under the UI lock, as the app's loop would.
		u.do(func() {
			br.list.Select(rowIndex(t, br, "Q1 报告"))
			test.Tap(br.getBtn)
		})
		u.wait()
		waitJobs(t, b)
		jobs := b.Transfers().Jobs()[before:]
		if len(jobs) != len(files) {
			t.Fatalf("%d download jobs, want one per file (%d)", len(jobs), len(files))
		}
		for _, j := range jobs {
			if j.State != JobDone || j.Seal != SealVerified {
				t.Fatalf("%s: state %v, seal %v, error %v", j.Name, j.State, j.Seal, j.Err)
			}
		}
		// The folder the files went into: a job's file less its path
		// inside the folder.
		rel := filepath.FromSlash(strings.TrimPrefix(jobs[0].Key, "Q1 报告/"))
		return strings.TrimSuffix(strings.TrimSuffix(jobs[0].Local, rel), string(filepath.Separator))
	}
	compare := func(dir string) {
		t.Helper()
		n := 0
		err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			n++
			rel, _ := filepath.Rel(dir, p)
			if want, ok := files[filepath.ToSlash(rel)]; !ok {
				t.Errorf("unexpected file %s", rel)
			} else if got, _ := os.ReadFile(p); !bytes.Equal(got, want) {
				t.Errorf("%s: %d bytes differ from the %d uploaded", rel, len(got), len(want))
			}
			return nil
		})
		if err != nil || n != len(files) {
			t.Fatalf("%s holds %d files (%v), want %d", dir, n, err, len(files))
		}
	}

	first := download()
	if first != filepath.Join(downloads, "Q1 报告") {
		t.Fatalf("the folder came down into %s", first)
	}
	compare(first)
	second := download()
	if second != filepath.Join(downloads, "Q1 报告 (2)") {
		t.Fatalf("the second download went to %s, want a folder of its own", second)
	}
	compare(second)
	compare(first)

	// Another program stored a name that climbs out of the folder.
	if err := bk.PutObject("Q1 报告/../../escaped.txt", strings.NewReader("x")); err != nil {
		t.Fatal(err)
	}
	before := len(b.Transfers().Jobs())
	u.do(func() {
		u.browser.list.Select(rowIndex(t, u.browser, "Q1 报告"))
		test.Tap(u.browser.getBtn)
	})
	u.wait()
	if n := len(b.Transfers().Jobs()); n != before {
		t.Fatalf("%d jobs started for a folder with an unsafe name", n-before)
	}
	if got := overlayText(t, u); !strings.Contains(got, "Nothing was downloaded") || !strings.Contains(got, "escaped.txt") {
		t.Fatalf("the dialog says %q", got)
	}
	ents, _ := os.ReadDir(downloads)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"Q1 报告", "Q1 报告 (2)"}) {
		t.Fatalf("the downloads folder holds %q after the refusal", names)
	}
	if _, err := os.Stat(filepath.Join(home, "escaped.txt")); err == nil {
		t.Fatal("a file was written outside the downloads folder")
	}
}
