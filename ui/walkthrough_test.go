package ui

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
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

// A new user with one key opens Keys to send it to a colleague: "Copy my
// public key" must work without first knowing to click the key's row, and
// must not hand out a colleague's key when theirs is the row selected.
func TestCopyMyPublicKeyWithoutSelecting(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	s := u.keysView
	if s.copyBtn.Disabled() || s.saveBtn.Disabled() {
		t.Fatal("the public-key buttons are disabled with no row selected")
	}
	test.Tap(s.copyBtn)
	u.wait()
	if got := u.app.Clipboard().Content(); got != string(f.publicPEM["My key"]) {
		t.Fatalf("clipboard %q, want my public key", got)
	}
	for i, r := range s.rows {
		if r.key != nil && r.key.Kind == KeyColleague {
			s.list.Select(i)
		}
	}
	if !s.copyBtn.Disabled() {
		t.Fatal("Copy my public key is enabled with a colleague's key selected")
	}
}

// Once every transfer is done the status line is cleared, so a finished
// download's row is the only place left that says where the file went.
func TestFinishedDownloadSaysWhere(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "Downloads")
	j := Job{Kind: Download, Name: "合同.txt", Local: filepath.Join(dir, "合同.txt"), State: JobDone}
	if got := stateText(j); got != "Saved in Downloads" {
		t.Fatalf("a finished download's state reads %q", got)
	}
	j.State = JobRunning
	if got := stateText(j); got != "Downloading" {
		t.Fatalf("a running download's state reads %q", got)
	}
}

// A folder holding one thing must not read "1 items".
func TestOneItemIsSingular(t *testing.T) {
	f := newFakeBackend()
	f.accounts = []Account{{Name: "This computer", Local: true}}
	f.keys = []Key{{Name: "My key", Kind: KeyMine, Fingerprint: "SHA256:mmmmmmmm", Default: true}}
	f.addObject("This computer", "demo", "Reports 2026/合同.txt", 13, Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent})
	u := startMain(t, f)
	if got := u.browser.info.Text; got != "1 item" {
		t.Fatalf("a folder with one thing says %q", got)
	}
}

// When the last transfer fails, the status line must not go on saying the
// file is on its way, and one failure reads as one.
func TestFailedTransferClearsTheStatusLine(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.getBtn)
	u.wait()
	if u.status.Text == "" {
		t.Fatal("nothing on the status line after Download")
	}
	f.Transfers().(*fakeTransfers).set(f.jobs[0].ID, func(j *Job) { j.State = JobFailed })
	u.wait()
	if u.status.Text != "" {
		t.Fatalf("after the download failed the status line still says %q", u.status.Text)
	}
	if got := u.transfers.summary.Text; got != "1 transfer failed: see Transfers" {
		t.Fatalf("summary %q", got)
	}
}

// The local store is named in the user's language, whatever name it is
// stored under.
func TestLocalStoreIsNamedInTheUsersWords(t *testing.T) {
	f := readyFake()
	f.accounts = []Account{{Name: "local-store", Local: true}}
	u := startMain(t, f)
	b := u.browser
	o := b.createNode(true)
	b.updateNode("a:local-store", true, o)
	if got := o.(*fyne.Container).Objects[0].(*widget.Label).Text; got != "This computer" {
		t.Fatalf("the local store reads %q in the sidebar", got)
	}
}

// Saving the first backup moves straight on to the files; the status line
// must say it worked, and where the file is.
func TestFirstBackupSaysWhereItWent(t *testing.T) {
	f := newFakeBackend()
	u := newTestUI(t, f)
	u.start(true)
	u.wait()
	test.Tap(u.firstRun.createBtn)
	u.wait()
	if u.firstRun.step != "backup" {
		t.Fatalf("after creating a key: step %q", u.firstRun.step)
	}
	u.firstRun.pass1.SetText("correct horse battery")
	u.firstRun.pass2.SetText("correct horse battery")
	u.firstRun.backupPath = "/home/ann/USB/ossvault-keys-backup.age"
	var buf closeBuffer
	u.firstRun.onBackup(&buf)
	u.wait()
	if u.win.Content() != u.main {
		t.Fatal("after the backup the main screen is not shown")
	}
	if got := u.status.Text; got != "Your backup is saved in /home/ann/USB/ossvault-keys-backup.age." {
		t.Fatalf("status after the backup: %q", got)
	}
}
