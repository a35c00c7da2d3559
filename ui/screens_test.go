package ui

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestMain(m *testing.M) {
	// Golden files and sentences are in English with UTC times, whatever
	// the machine running the tests prefers.
	time.Local = time.UTC
	if err := setLanguage("en"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// newTestUI opens the app on the test driver against f (the fake, or the
// fake wrapped to change one part of it).
func newTestUI(t *testing.T, f Backend) *appUI {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(a, w, f, t.TempDir(), Prefs{})
	t.Cleanup(u.close)
	return u
}

// readyFake has a local account with a demo bucket and my key.
func readyFake() *fakeBackend {
	f := newFakeBackend()
	f.accounts = []Account{{Name: "This computer", Local: true}}
	f.keys = []Key{
		{Name: "My key", Kind: KeyMine, Fingerprint: "SHA256:mmmmmmmm", Default: true},
		{Name: "Alice", Kind: KeyColleague, Fingerprint: "SHA256:aaaaaaaa", MatDesc: `{"owner":"Alice"}`},
	}
	f.publicPEM["My key"] = []byte("-----BEGIN PUBLIC KEY-----\nmine\n-----END PUBLIC KEY-----\n")
	f.addObject("This computer", "demo", "contract.pdf", 2048, Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent})
	f.addObject("This computer", "demo", "payroll/march.xlsx", 4096, Lock{Kind: LockColleague, KeyName: "Alice", Seal: SealPresent})
	f.addObject("This computer", "demo", "old.txt", 10, Lock{Kind: LockNotEncrypted})
	f.addObject("This computer", "demo", "from-bob.docx", 99, Lock{Kind: LockKeyMissing, KeyName: "Bob", Seal: SealAbsent})
	return f
}

// startMain opens the app on a ready fake and waits for the first folder.
func startMain(t *testing.T, f Backend) *appUI {
	t.Helper()
	u := newTestUI(t, f)
	u.start(false)
	u.wait()
	u.browser.locks.wait()
	u.wait()
	if u.win.Content() != u.main {
		t.Fatalf("the main screen is not on show after start (first-run step %q)", u.firstRun.step)
	}
	return u
}

func rowNames(b *browser) []string {
	var out []string
	for _, i := range b.view {
		out = append(out, b.all[i].Name)
	}
	return out
}

func selectFile(t *testing.T, b *browser, name string) {
	t.Helper()
	for i, idx := range b.view {
		if b.all[idx].Name == name {
			b.list.Select(i)
			return
		}
	}
	t.Fatalf("no row %q in %v", name, rowNames(b))
}

// startMain2 shows the main screen even without keys.
func startMain2(t *testing.T, f *fakeBackend) *appUI {
	u := newTestUI(t, f)
	u.do(u.showMain)
	u.wait()
	return u
}

func TestTransfersPanel(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.getBtn)
	u.wait()
	if len(u.transfers.jobs) != 1 {
		t.Fatalf("jobs %d", len(u.transfers.jobs))
	}
	id := u.transfers.jobs[0].ID
	tr := f.Transfers().(*fakeTransfers)
	tr.set(id, func(j *Job) {
		j.State, j.Done, j.Total, j.Speed, j.ETA = JobRunning, 25, 100, 2048, 3*time.Minute
		j.Started = time.Now().Add(-time.Minute)
	})
	u.wait()
	if got := u.transfers.summary.Text; got != "1 transferring · 25% · 2.0 KB/s · about 3 min left" {
		t.Fatalf("summary %q", got)
	}
	u.tabs.SelectIndex(1)
	test.AssertRendersToMarkup(t, "transfers.xml", u.win.Canvas())

	row := newJobRow(u.transfers)
	row.show(0)
	if row.bar.Value != 0.25 || row.pause.Hidden || !row.resume.Hidden {
		t.Fatalf("row: bar %v pause hidden %v resume hidden %v", row.bar.Value, row.pause.Hidden, row.resume.Hidden)
	}
	test.Tap(row.pause)
	u.wait()
	if f.jobs[0].State != JobPaused {
		t.Fatalf("pause: state %v", f.jobs[0].State)
	}
	row.show(0)
	test.Tap(row.resume)
	if f.jobs[0].State != JobQueued {
		t.Fatalf("resume: state %v", f.jobs[0].State)
	}
	// A long job that fails notifies the desktop, in words.
	test.AssertNotificationSent(t, &fyne.Notification{Title: "Transfer failed",
		Content: "contract.pdf: This file was altered after it was uploaded. It was not saved, so nothing on this computer was changed."}, func() {
		tr.set(id, func(j *Job) { j.State, j.Err = JobFailed, errIntegrityForTest() })
		u.wait()
	})
	row.show(0)
	// Retrying cannot undo the change: no Retry, only a way to remove it.
	if !row.retry.Hidden || row.cancel.Hidden {
		t.Fatalf("a file altered: retry hidden %v, remove hidden %v", row.retry.Hidden, row.cancel.Hidden)
	}
	tr.set(id, func(j *Job) { j.Err = errors.New("connection reset by peer") })
	u.wait()
	row.show(0)
	if row.retry.Hidden {
		t.Fatal("no retry button on a job the network failed")
	}
	test.Tap(row.retry)
	if f.jobs[0].State != JobQueued {
		t.Fatalf("retry: state %v", f.jobs[0].State)
	}
}

func TestKeysScreen(t *testing.T) {
	f := readyFake()
	f.keys = append(f.keys, Key{Name: "Finance KMS", Kind: KeyKMS, Fingerprint: "kms:1234"})
	u := startMain(t, f)
	s := u.keysView
	var labels []string
	for _, r := range s.rows {
		if r.key == nil {
			labels = append(labels, "#"+r.heading)
		} else {
			labels = append(labels, r.key.Name)
		}
	}
	if got := strings.Join(labels, ","); got != "#My keys,My key,#Colleagues' keys,Alice,#Company keys,Finance KMS" {
		t.Fatalf("rows %s", got)
	}
	u.tabs.SelectIndex(2)
	test.AssertRendersToMarkup(t, "keys.xml", u.win.Canvas())

	s.list.Select(1)
	test.Tap(s.copyBtn)
	u.wait()
	if got := u.app.Clipboard().Content(); !strings.Contains(got, "BEGIN PUBLIC KEY") {
		t.Fatalf("clipboard %q", got)
	}
	var out closeBuffer
	s.savePublic(&out, f.publicPEM["My key"])
	if !out.closed || !strings.Contains(out.String(), "mine") {
		t.Fatal("public key not saved")
	}

	s.addColleague("Dan", []byte("-----BEGIN PUBLIC KEY-----\nxyz\n-----END PUBLIC KEY-----\n"))
	u.wait()
	if len(f.keys) != 4 || f.keys[3].Kind != KeyColleague {
		t.Fatalf("keys after adding Dan: %+v", f.keys)
	}
	s.addColleague("Eve", []byte("not a key"))
	u.wait()
	if len(f.keys) != 4 || s.message.Text == "" {
		t.Fatalf("a bad key was added or not explained: %q", s.message.Text)
	}

	// Set the KMS key as default from its row.
	for i, r := range s.rows {
		if r.key != nil && r.key.Name == "Finance KMS" {
			s.list.Select(i)
		}
	}
	test.Tap(s.defaultBtn)
	u.wait()
	if !f.keys[2].Default || f.keys[0].Default {
		t.Fatalf("default not moved: %+v", f.keys)
	}
	if u.browser.encryptForKey() != "My key" {
		t.Errorf("encrypt-for changed on its own to %q", u.browser.encryptForKey())
	}

	// Backup then restore with the wrong and the right passphrase.
	var buf closeBuffer
	s.backup(&buf, "a long passphrase")
	u.wait()
	s.restore(buf.Bytes(), "wrong passphrase!")
	u.wait()
	if !strings.Contains(s.message.Text, "passphrase is not right") {
		t.Fatalf("wrong passphrase message %q", s.message.Text)
	}
	s.restore(buf.Bytes(), "a long passphrase")
	u.wait()
	if !strings.Contains(s.message.Text, "back") {
		t.Fatalf("restore message %q", s.message.Text)
	}
}

func TestShareAndOpenLink(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.shareBtn)
	sh := u.sharing
	sh.makeLink(u.browser.loc, Entry{Name: "contract.pdf", Key: "contract.pdf"})
	if len(f.shares) != 0 || !strings.Contains(sh.message.Text, "Choose who") {
		t.Fatal("shared without choosing a colleague")
	}
	sh.with.SetSelected("Alice")
	sh.expires.SetSelectedIndex(2)
	sh.makeLink(u.browser.loc, Entry{Name: "contract.pdf", Key: "contract.pdf"})
	u.wait()
	if len(f.shares) != 1 || !strings.Contains(f.shares[0], "for=Alice") || !strings.Contains(f.shares[0], "expires=604800") {
		t.Fatalf("shares %v", f.shares)
	}
	if u.app.Clipboard().Content() != f.shares[0] || sh.link.Text != f.shares[0] {
		t.Fatal("link not copied")
	}

	sh.showOpenLink()
	sh.openLink("not a link")
	u.wait()
	if len(f.opened) != 0 {
		t.Fatal("opened something that is not a link")
	}
	sh.openLink("  " + f.shares[0] + "\n")
	u.wait()
	if len(f.opened) != 1 || f.opened[0] != f.shares[0] {
		t.Fatalf("opened %v", f.opened)
	}
}

func TestSettingsPersistAndApply(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	s := u.settings
	s.parallel.SetSelected("5")
	if f.parallel != 5 {
		t.Fatalf("parallel %d", f.parallel)
	}
	if got := s.message.Text; got != "Saved: up to 5 transfers now run at once." {
		t.Fatalf("after choosing 5 the screen says %q", got)
	}
	dir := "/tmp/office/Downloads" // not made: only checked in its parent, which anyone can write
	s.onDownloadDir(dir)
	u.wait()
	p, err := loadPrefs(u.home)
	if err != nil || p.Parallel != 5 || p.DownloadDir != dir {
		t.Fatalf("saved %+v %v", p, err)
	}
	u.do(func() {
		u.tabs.SelectIndex(3)
		test.AssertRendersToMarkup(t, "settings.xml", u.win.Canvas())
	})

	// Back to English before the app closes: look-ups may still be landing.
	t.Cleanup(func() { u.do(func() { setLanguage("en") }) })
	u.do(func() { s.language.SetSelectedIndex(2) }) // 简体中文
	u.wait()
	if u.tabs.Items[0].Text != "文件" {
		t.Fatalf("after choosing Chinese the first tab reads %q", u.tabs.Items[0].Text)
	}
	if p, _ := loadPrefs(u.home); p.Language != "zh" {
		t.Fatalf("language not saved: %+v", p)
	}
	u.do(func() { u.settings.language.SetSelectedIndex(1) })
	u.wait()
	if u.tabs.Items[0].Text != "Files" {
		t.Fatalf("back to English: %q", u.tabs.Items[0].Text)
	}
}

func errIntegrityForTest() error { return errors.Join(errors.New("download"), envelopeErrIntegrity) }
