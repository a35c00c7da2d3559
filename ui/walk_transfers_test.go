package ui

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/ossvault/ossvault/envelope"
)

// Once a transfer is over, the status line used to go blank: after a
// download the user was left to find the file, which may have been saved
// as "contract (2).pdf" next to an older one. It must say where each
// action's files went, under the name they were saved with.
func TestStatusLineSaysWhereFinishedTransfersWent(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	tr := f.Transfers().(*fakeTransfers)
	dir := u.prefs.downloadDir()

	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.getBtn)
	u.wait()
	if want := "Downloading contract.pdf to " + dir + "…"; u.status.Text != want {
		t.Fatalf("status while downloading %q, want %q", u.status.Text, want)
	}
	id := f.jobs[len(f.jobs)-1].ID
	tr.set(id, func(j *Job) {
		j.State, j.Done = JobDone, j.Total
		j.Local = filepath.Join(dir, "contract (2).pdf")
	})
	u.wait()
	if want := "Saved “contract (2).pdf” in " + dir + "."; u.status.Text != want {
		t.Fatalf("status after the download %q, want %q", u.status.Text, want)
	}

	// A folder of one file, in the singular.
	selectFile(t, u.browser, "payroll")
	test.Tap(u.browser.getBtn)
	u.wait()
	local := filepath.Join(dir, "payroll")
	if want := "Downloading 1 file from payroll to " + local + "…"; u.status.Text != want {
		t.Fatalf("status while downloading a folder %q, want %q", u.status.Text, want)
	}
	tr.set(f.jobs[len(f.jobs)-1].ID, func(j *Job) { j.State, j.Done = JobDone, j.Total })
	u.wait()
	if want := "Saved 1 file from payroll in " + local + "."; u.status.Text != want {
		t.Fatalf("status after the folder %q, want %q", u.status.Text, want)
	}

	// Two files dropped: the line says so while they go and once they are up.
	src := t.TempDir()
	var uris []fyne.URI
	for _, n := range []string{"a.txt", "b.txt"} {
		p := filepath.Join(src, n)
		if err := os.WriteFile(p, []byte(n), 0o600); err != nil {
			t.Fatal(err)
		}
		uris = append(uris, storage.NewFileURI(p))
	}
	u.onDropped(fyne.NewPos(1, 1), uris)
	u.wait()
	if want := "Uploading 2 files, locked for Me (My key)…"; u.status.Text != want {
		t.Fatalf("status while uploading %q, want %q", u.status.Text, want)
	}
	n := len(f.jobs)
	tr.set(f.jobs[n-2].ID, func(j *Job) { j.State, j.Done = JobDone, j.Total })
	u.wait()
	if want := "Uploading 2 files, locked for Me (My key)…"; u.status.Text != want {
		t.Fatalf("status with one of two files up %q, want %q", u.status.Text, want)
	}
	tr.set(f.jobs[n-1].ID, func(j *Job) { j.State, j.Done = JobDone, j.Total })
	u.wait()
	if want := "Uploaded 2 files, locked for Me (My key)."; u.status.Text != want {
		t.Fatalf("status after the upload %q, want %q", u.status.Text, want)
	}
}

// A tiny file can be over before the app hears that its transfer was
// queued; the status line must then go straight to the outcome, not stay
// on "Downloading…" for good.
func TestTransferOverBeforeItIsTracked(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	id, err := f.Transfers().Download(u.ctx, u.browser.loc, "old.txt", "/home/ann/Downloads")
	if err != nil {
		t.Fatal(err)
	}
	f.Transfers().(*fakeTransfers).set(id, func(j *Job) { j.State, j.Done = JobDone, j.Total })
	u.wait()
	u.do(func() { u.transfers.track([]JobID{id}, "Downloading old.txt…", savedText) })
	u.wait()
	if want := "Saved “old.txt” in /home/ann/Downloads."; u.status.Text != want {
		t.Fatalf("status %q, want %q", u.status.Text, want)
	}
}

// A download saved under another name, because a file of its name was
// there already, says so on its row: the user looks for the new name.
func TestDownloadRowNamesTheSavedFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Downloads")
	j := Job{Kind: Download, Name: "Q1 report.txt", Local: filepath.Join(dir, "Q1 report (2).txt"), State: JobDone}
	if got := stateText(j); got != "Saved in Downloads as Q1 report (2).txt" {
		t.Fatalf("a download saved under a new name reads %q", got)
	}
	j.Local = filepath.Join(dir, "Q1 report.txt")
	if got := stateText(j); got != "Saved in Downloads" {
		t.Fatalf("a download saved under its own name reads %q", got)
	}
}

// The progress bars are on Transfers, but a drop happens on Files: the
// status bar says how far the transfers under way have got, counting the
// ones still waiting.
func TestSummaryShowsHowFarAlong(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	tr := f.Transfers().(*fakeTransfers)
	for _, name := range []string{"contract.pdf", "old.txt"} {
		selectFile(t, u.browser, name)
		test.Tap(u.browser.getBtn)
		u.wait()
	}
	tr.set(f.jobs[0].ID, func(j *Job) { j.State, j.Done, j.Total = JobRunning, 100, 100 })
	tr.set(f.jobs[1].ID, func(j *Job) { j.State, j.Done, j.Total = JobQueued, 0, 300 })
	u.wait()
	if got := u.transfers.summary.Text; got != "1 transferring, 1 waiting · 25%" {
		t.Fatalf("summary %q", got)
	}
}

// New transfers were added below the old ones, out of sight: the one the
// user just started must be on screen when they look at Transfers.
func TestNewestTransferIsInView(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	u.tabs.SelectIndex(1)
	for range 20 {
		if _, err := f.Transfers().Download(u.ctx, u.browser.loc, "old.txt", t.TempDir()); err != nil {
			t.Fatal(err)
		}
	}
	u.wait()
	l := u.transfers.list
	if l.GetScrollOffset() == 0 {
		t.Fatal("with 20 transfers the list still shows the oldest at the top")
	}
}

// A failed transfer's reason was cut to the width beside its progress bar
// ("…on this computer does not h…") with no way to read the rest. The
// status line now gives it, and a click on the row shows it whole.
func TestFailedTransferSaysWhyInFull(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.getBtn)
	u.wait()
	f.Transfers().(*fakeTransfers).set(f.jobs[0].ID, func(j *Job) { j.State, j.Err = JobFailed, envelope.ErrIntegrity })
	u.wait()
	why := u.explain(envelope.ErrIntegrity)
	if want := "contract.pdf: " + why; u.status.Text != want {
		t.Fatalf("status %q, want %q", u.status.Text, want)
	}
	u.tabs.SelectIndex(1)
	u.transfers.list.Select(0)
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("a click on the failed transfer shows nothing")
	}
	found := false
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok && l.Text == "contract.pdf: "+why {
			found = true
		}
	}
	if !found {
		t.Fatal("the dialog does not give the file and the whole reason")
	}
}

// noFileManager is a desktop with nothing to open folders with.
type noFileManager struct{ fyne.App }

func (noFileManager) OpenURL(*url.URL) error { return errors.New("exec: \"xdg-open\": not found") }

// "Show in folder" on a computer with no file manager said "Something went
// wrong… Please try again", which no retry fixes; it says where the file is.
func TestShowInFolderSaysWhereWhenItCannot(t *testing.T) {
	f := readyFake()
	a := noFileManager{test.NewTempApp(t)}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, f, t.TempDir(), Prefs{})
	t.Cleanup(u.close)
	u.start(false)
	u.wait()
	if _, err := f.Transfers().Download(u.ctx, u.browser.loc, "old.txt", "/home/ann/Downloads"); err != nil {
		t.Fatal(err)
	}
	u.wait()
	row := newJobRow(u.transfers)
	row.show(0)
	test.Tap(row.reveal)
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("nothing is said when the folder cannot be opened")
	}
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok && l.Text == "This computer could not open the folder. The file is in /home/ann/Downloads." {
			return
		}
	}
	t.Fatal("the message does not say where the file is")
}

// With the only transfer paused, the status bar said "All transfers are
// done."; a paused transfer is waiting for the user, not done.
func TestPausedIsNotDone(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.getBtn)
	u.wait()
	f.Transfers().(*fakeTransfers).set(f.jobs[0].ID, func(j *Job) { j.State, j.Done = JobRunning, 10 })
	u.wait()
	if err := f.Transfers().Pause(f.jobs[0].ID); err != nil {
		t.Fatal(err)
	}
	u.wait()
	if got := u.transfers.summary.Text; got != "1 paused" {
		t.Fatalf("with the transfer paused the summary says %q", got)
	}
}
