package ui

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
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

func TestFirstRunTryLocally(t *testing.T) {
	f := newFakeBackend()
	u := newTestUI(t, f)
	u.start(false)
	u.wait()
	if u.firstRun.step != "welcome" {
		t.Fatalf("a new user sees step %q, want welcome", u.firstRun.step)
	}
	test.AssertRendersToMarkup(t, "firstrun_welcome.xml", u.win.Canvas())

	u.firstRun.onTryLocal()
	u.wait()
	if u.firstRun.step != "key" {
		t.Fatalf("after trying locally the step is %q, want key", u.firstRun.step)
	}
	if len(f.accounts) != 1 || !f.accounts[0].Local {
		t.Fatalf("accounts after trying locally: %+v", f.accounts)
	}

	f.genDelay = 50 * time.Millisecond
	u.firstRun.keyName.SetText("")
	test.Type(u.firstRun.keyName, "Carol")
	var busy bool
	u.do(func() {
		test.Tap(u.firstRun.createBtn)
		busy = u.firstRun.createBtn.Disabled() && u.firstRun.keyBusyMsg.Text != ""
	})
	if !busy {
		t.Error("while the key is being made, the buttons are not disabled or no message shows")
	}
	u.wait()
	if u.firstRun.step != "backup" {
		t.Fatalf("after creating a key the step is %q (%s), want backup", u.firstRun.step, u.firstRun.keyBusyMsg.Text)
	}
	if len(f.keys) != 1 || f.keys[0].Name != "Carol" || f.keys[0].Kind != KeyMine {
		t.Fatalf("keys after create: %+v", f.keys)
	}
	test.AssertRendersToMarkup(t, "firstrun_backup.xml", u.win.Canvas())

	// Mismatched passphrases are refused in words, and nothing is written.
	test.Type(u.firstRun.pass1, "correct horse battery")
	test.Type(u.firstRun.pass2, "correct horse battery!")
	var buf closeBuffer
	u.firstRun.onBackup(&buf)
	u.wait()
	if buf.Len() != 0 || !strings.Contains(u.firstRun.keyBusyMsg.Text, "not the same") {
		t.Fatalf("mismatched passphrases: wrote %d bytes, message %q", buf.Len(), u.firstRun.keyBusyMsg.Text)
	}
	u.firstRun.pass2.SetText("correct horse battery")
	u.firstRun.onBackup(&buf)
	u.wait()
	if !buf.closed || !strings.Contains(buf.String(), "Carol") || f.lastBackup != "correct horse battery" {
		t.Fatalf("backup: closed=%v content=%q passphrase=%q", buf.closed, buf.String(), f.lastBackup)
	}
	if u.win.Content() != u.main {
		t.Fatal("after the backup the main screen is not shown")
	}
	p, err := loadPrefs(u.home)
	if err != nil || !p.SetupDone {
		t.Fatalf("setup not recorded in the settings: %+v, %v", p, err)
	}
}

type closeBuffer struct {
	bytes.Buffer
	closed bool
}

func (b *closeBuffer) Close() error { b.closed = true; return nil }

func TestFirstRunConnect(t *testing.T) {
	f := newFakeBackend()
	u := newTestUI(t, f)
	u.start(false)
	u.wait()
	fr := u.firstRun
	fr.showConnect()
	if fr.step != "connect" {
		t.Fatalf("step %q", fr.step)
	}
	if len(fr.region.Options) != len(ossRegions) || len(ossRegions) < 24 {
		t.Fatalf("region picker has %d choices", len(fr.region.Options))
	}

	// Missing secret: a sentence, no call.
	test.Type(fr.keyID, "LTAI-test")
	test.Tap(fr.connectBtn)
	u.wait()
	if len(f.accounts) != 0 || !strings.Contains(fr.connectErr.Text, "AccessKey secret") {
		t.Fatalf("missing secret: accounts %v, message %q", f.accounts, fr.connectErr.Text)
	}

	// Wrong credentials as the transfer engine reports them.
	f.addErr = errAccessDeniedForTest()
	test.Type(fr.keySecret, "s3cret-value")
	fr.region.SetSelected(ossRegions[1].label())
	test.Tap(fr.connectBtn)
	u.wait()
	if !strings.Contains(fr.connectErr.Text, "sign-in details") || strings.Contains(fr.connectErr.Text, "s3cret") {
		t.Fatalf("wrong credentials message: %q", fr.connectErr.Text)
	}

	f.addErr = nil
	test.Tap(fr.connectBtn)
	u.wait()
	if len(f.accounts) != 1 {
		t.Fatalf("accounts: %+v", f.accounts)
	}
	a := f.accounts[0]
	if a.Region != "cn-shanghai" || a.Endpoint != "https://oss-cn-shanghai.aliyuncs.com" {
		t.Errorf("account %+v, want cn-shanghai and its public endpoint", a)
	}
	if c := f.secrets[a.Name]; c.AccessKeyID != "LTAI-test" || c.AccessKeySecret != "s3cret-value" {
		t.Errorf("credentials saved: %+v", c)
	}
	if fr.step != "key" {
		t.Errorf("after connecting the step is %q, want key", fr.step)
	}
}

func TestAddStorageFromMainScreen(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	test.Tap(u.browser.addAccount)
	fr := u.firstRun
	if u.win.Content() != fr.content || fr.step != "connect" {
		t.Fatalf("add storage shows step %q", fr.step)
	}
	fr.accountName.SetText("Head office")
	fr.keyID.SetText("LTAI-office")
	fr.keySecret.SetText("office-secret")
	test.Tap(fr.connectBtn)
	u.wait()
	if u.win.Content() != u.main || len(f.accounts) != 2 || f.accounts[1].Name != "Head office" {
		t.Fatalf("after adding: main shown %v, accounts %+v", u.win.Content() == u.main, f.accounts)
	}
	if len(u.browser.accounts) != 2 {
		t.Fatalf("sidebar accounts %+v", u.browser.accounts)
	}
}

func TestFirstRunLocalFlagSkipsToKey(t *testing.T) {
	f := newFakeBackend()
	u := newTestUI(t, f)
	u.start(true)
	u.wait()
	if u.firstRun.step != "key" || len(f.accounts) != 1 || !f.accounts[0].Local {
		t.Fatalf("--local: step %q, accounts %+v", u.firstRun.step, f.accounts)
	}
	f.keys = []Key{{Name: "Mine", Kind: KeyMine}}
	u2 := newTestUI(t, f)
	u2.start(true)
	u2.wait()
	if u2.win.Content() != u2.main {
		t.Fatal("--local with a key did not go straight to the main screen")
	}
}

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

// startMain2 shows the main screen even without keys.
func startMain2(t *testing.T, f *fakeBackend) *appUI {
	u := newTestUI(t, f)
	u.do(u.showMain)
	u.wait()
	return u
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
