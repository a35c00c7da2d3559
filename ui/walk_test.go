package ui

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// slowSharing holds Share until release is closed, as a large file being
// locked again for a colleague does.
type slowSharing struct {
	Sharing
	release chan struct{}
}

func (s slowSharing) Share(ctx context.Context, loc Location, key, forKey string, expires time.Duration, progress func(done, total int64)) (Shared, error) {
	<-s.release
	return s.Sharing.Share(ctx, loc, key, forKey, expires, progress)
}

type slowShareBackend struct {
	*fakeBackend
	release chan struct{}
}

func (b slowShareBackend) Sharing() Sharing {
	return slowSharing{b.fakeBackend.Sharing(), b.release}
}

// While the link is being prepared, Copy link cannot be pressed again to
// start the same work twice, and a spinner and a sentence say that a copy
// is being locked for the colleague, which takes a while for a large file
// (it read "Preparing the link…" for half a minute on a 1 GB file).
func TestCopyLinkWaitsForTheLink(t *testing.T) {
	f := readyFake()
	be := slowShareBackend{f, make(chan struct{})}
	u := startMain(t, be)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.shareBtn)
	sh := u.sharing
	sh.with.SetSelected("Alice")
	test.Tap(sh.makeBtn)
	if !sh.makeBtn.Disabled() || !sh.busy.Visible() || sh.message.Text != "Locking a copy for Alice… a large file takes a while." {
		t.Fatalf("while the link is made: button disabled %v, spinner %v, message %q", sh.makeBtn.Disabled(), sh.busy.Visible(), sh.message.Text)
	}
	close(be.release)
	u.wait()
	if sh.makeBtn.Disabled() || sh.busy.Visible() || len(f.shares) != 1 {
		t.Fatalf("after the link: button disabled %v, spinner %v, %d links made", sh.makeBtn.Disabled(), sh.busy.Visible(), len(f.shares))
	}
}

// "Please choose a passphrase of at least 10 characters." stayed on the
// backup page after a long enough one was typed, beside the save dialog.
func TestBackupPageDropsAnOldComplaint(t *testing.T) {
	f := newFakeBackend()
	u := newTestUI(t, f)
	u.start(true)
	u.wait()
	test.Tap(u.firstRun.createBtn)
	u.wait()
	fr := u.firstRun
	fr.pass1.SetText("short")
	fr.pass2.SetText("short")
	test.Tap(fr.backupBtn)
	if fr.keyBusyMsg.Text == "" {
		t.Fatal("a short passphrase is not refused")
	}
	fr.pass1.SetText("correct horse battery")
	fr.pass2.SetText("correct horse battery")
	test.Tap(fr.backupBtn)
	if fr.keyBusyMsg.Text != "" {
		t.Fatalf("with a good passphrase the page still says %q", fr.keyBusyMsg.Text)
	}
}

// overlayButton returns the button labelled text in the dialog on top.
func overlayButton(t *testing.T, u *appUI, text string) *widget.Button {
	t.Helper()
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog is open")
	}
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no %q button in the dialog", text)
	return nil
}

// overlayEntries returns the dialog's text entries, top to bottom.
func overlayEntries(u *appUI) []*widget.Entry {
	var out []*widget.Entry
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*widget.Entry); ok {
			out = append(out, e)
		}
	}
	return out
}

// Pressing Add with the name forgotten closed the dialog, threw away the
// pasted key and said "Please give it a name." under the list. Add now
// waits until there is a name and something that looks like a key.
func TestAddColleagueWaitsForNameAndKey(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	u.tabs.SelectIndex(2)
	test.Tap(u.keysView.addBtn)
	add := overlayButton(t, u, "Add")
	if !add.Disabled() {
		t.Fatal("Add is on with nothing filled in")
	}
	es := overlayEntries(u)
	if len(es) != 2 {
		t.Fatalf("%d entries in the dialog", len(es))
	}
	name, key := es[0], es[1]
	key.SetText("-----BEGIN PUBLIC KEY-----\nbob\n-----END PUBLIC KEY-----\n")
	if !add.Disabled() {
		t.Fatal("Add is on without a name")
	}
	name.SetText("Bob")
	if add.Disabled() {
		t.Fatal("Add is off with a name and a key")
	}
	key.SetText("hello Bob")
	if !add.Disabled() {
		t.Fatal("Add is on with text that is no key")
	}
	if got := key.Validate(); got == nil || got.Error() != "That is not a key ossvault can read. Ask for the file that begins with “-----BEGIN”." {
		t.Fatalf("the key box says %v", got)
	}
}

// The keys backup dialog closed on a short or mistyped passphrase and left
// the complaint under the list; it now stays open, says what is wrong, and
// offers to save only once both passphrases agree and are long enough.
func TestKeysBackupDialogChecksPassphrasesInPlace(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	u.tabs.SelectIndex(2)
	test.Tap(u.keysView.backupBtn)
	save := overlayButton(t, u, "Choose where to save")
	es := overlayEntries(u)
	if len(es) != 2 {
		t.Fatalf("%d entries in the dialog", len(es))
	}
	p1, p2 := es[0], es[1]
	for _, tc := range []struct {
		a, b string
		ok   bool
	}{
		{"", "", false},
		{"short", "short", false},
		// The vault's rule (vault.CheckPassphrase), in characters.
		{"123456789", "123456789", false},
		{"1234567890", "1234567890", true},
		{"密码密码密码密码密", "密码密码密码密码密", false},
		{"密码密码密码密码密码", "密码密码密码密码密码", true},
		{"correct horse battery", "correct horse batter", false},
		{"correct horse battery", "correct horse battery", true},
		{"correct horse battery!", "correct horse battery", false},
	} {
		p1.SetText(tc.a)
		p2.SetText(tc.b)
		if save.Disabled() == tc.ok {
			t.Errorf("passphrases %q and %q: save enabled %v, want %v", tc.a, tc.b, !save.Disabled(), tc.ok)
		}
	}
	if got := p2.Validate(); got == nil || got.Error() != "The two passphrases are not the same." {
		t.Fatalf("the second box says %v", got)
	}
	p1.SetText("123456789")
	if got := p1.Validate(); got == nil || got.Error() != "Please choose a passphrase of at least 10 characters." {
		t.Fatalf("the first box says %v for 9 characters", got)
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

// Download in "Open a shared link" on text that is no link closed the
// dialog and lost what was pasted; it now waits for a link.
func TestOpenLinkWaitsForALink(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	test.Tap(u.browser.openLink)
	dl := overlayButton(t, u, "Download")
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{"", false},
		{"see you at 5", false},
		{"  https://demo.oss-cn-hangzhou.aliyuncs.com/a.txt?Expires=1  ", true},
		{"http://127.0.0.1:40113/demo/a.txt?Expires=1", true},
	} {
		u.sharing.pasted.SetText(tc.text)
		if dl.Disabled() == tc.ok {
			t.Errorf("pasted %q: Download enabled %v, want %v", tc.text, !dl.Disabled(), tc.ok)
		}
	}
	test.Tap(dl)
	u.wait()
	if len(f.opened) != 1 {
		t.Fatalf("%d links opened", len(f.opened))
	}
}

// Whoever chose "Not now" for the backup on the first day was never told
// again, and loses every file locked for them when the computer breaks.
// The main screen reminds them each time it opens, until a backup is
// saved; a new key of theirs needs a new backup.
func TestBackupReminder(t *testing.T) {
	const reminder = "Your key has no backup: if this computer breaks, your files are lost. Back it up on Keys."

	// First run, "Not now".
	u := newTestUI(t, newFakeBackend())
	u.start(true)
	u.wait()
	test.Tap(u.firstRun.createBtn)
	u.wait()
	u.do(func() { test.Tap(u.firstRun.laterBtn) })
	u.wait()
	if u.status.Text != reminder {
		t.Fatalf("after skipping the backup the status line says %q", u.status.Text)
	}
	// A backup from Keys clears it, and is remembered.
	var buf closeBuffer
	u.do(func() { u.keysView.backup(&buf, "correct horse battery") })
	u.wait()
	if u.status.Text == reminder {
		t.Fatal("the reminder stays after the backup")
	}
	if p, err := loadPrefs(u.home); err != nil || !p.KeysBackedUp {
		t.Fatalf("the backup is not remembered: %+v, %v", p, err)
	}
	u.do(u.showMain)
	u.wait()
	if u.status.Text == reminder {
		t.Fatal("reminded again after a backup")
	}
	// A new key is not in that backup.
	u.do(func() { u.keysView.createKey("Second key") })
	u.wait()
	u.do(u.showMain)
	u.wait()
	if u.status.Text != reminder {
		t.Fatalf("after a new key the status line says %q", u.status.Text)
	}

	// First run with a backup: no reminder.
	u = newTestUI(t, newFakeBackend())
	u.start(true)
	u.wait()
	test.Tap(u.firstRun.createBtn)
	u.wait()
	u.firstRun.pass1.SetText("correct horse battery")
	u.firstRun.pass2.SetText("correct horse battery")
	u.do(func() { u.firstRun.onBackup(&closeBuffer{}) })
	u.wait()
	if u.status.Text == reminder {
		t.Fatal("reminded right after the first-run backup")
	}

	// Only a company key: nothing on this computer to lose.
	f := newFakeBackend()
	f.accounts = []Account{{Name: "This computer", Local: true}}
	f.keys = []Key{{Name: "Company", Kind: KeyKMS, Default: true}}
	u = startMain(t, f)
	if u.status.Text == reminder {
		t.Fatal("reminded to back up a company key")
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

// Deleting asked "Yes / No" with Yes in the inviting blue of every safe
// action; the buttons say Delete and Cancel, and Delete is marked as
// destructive. Cancel deletes nothing.
func TestDeleteConfirmationSaysWhatItDoes(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	selectFile(t, u.browser, "old.txt")
	test.Tap(u.browser.deleteBtn)
	del := overlayButton(t, u, "Delete")
	if del.Importance != widget.DangerImportance {
		t.Fatalf("Delete has importance %v", del.Importance)
	}
	test.Tap(overlayButton(t, u, "Cancel"))
	u.wait()
	if _, ok := f.buckets["This computer/demo"].objects["old.txt"]; !ok {
		t.Fatal("Cancel deleted the file")
	}
	test.Tap(u.browser.deleteBtn)
	test.Tap(overlayButton(t, u, "Delete"))
	u.wait()
	if _, ok := f.buckets["This computer/demo"].objects["old.txt"]; ok {
		t.Fatal("Delete did not delete the file")
	}
}

// Removing my only key with no backup saved loses every file locked with
// it for good; the confirmation must say that, not "unless you restore a
// backup" the user never made.
func TestRemovingMyKeyWithoutBackupWarns(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	s := u.keysView
	u.tabs.SelectIndex(2)
	for i, r := range s.rows {
		if r.key != nil && r.key.Name == "My key" {
			s.list.Select(i)
		}
	}
	test.Tap(s.removeBtn)
	found := false
	for _, o := range test.LaidOutObjects(u.win.Canvas().Overlays().Top()) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, "You have not saved a backup of your keys: files locked with it can never be opened again.") {
			found = true
		}
	}
	if !found {
		t.Fatal("removing my key without a backup does not warn that its files are lost")
	}
	rm := overlayButton(t, u, "Remove")
	if rm.Importance != widget.DangerImportance {
		t.Fatalf("Remove has importance %v", rm.Importance)
	}
	test.Tap(overlayButton(t, u, "Cancel"))
	u.wait()
	if len(f.keys) != 2 {
		t.Fatalf("Cancel removed a key: %v", f.keys)
	}
}

// Sharing a file locked for me writes a copy locked for the colleague,
// which then appears in the folder; the dialog says so, and by name,
// rather than leave the user to wonder where a new file came from.
func TestShareSaysItMadeACopy(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.shareBtn)
	sh := u.sharing
	sh.with.SetSelected("Alice")
	f.shareCopy = "contract (for Alice).pdf"
	test.Tap(sh.makeBtn)
	u.wait()
	const copied = "Alice gets “contract (for Alice).pdf”, a copy locked for them, saved next to the original."
	if !strings.HasSuffix(sh.message.Text, "\n"+copied) {
		t.Fatalf("after sharing with a copy the dialog says %q", sh.message.Text)
	}
	// Closed meanwhile, the dialog would say nothing: the status line does.
	if want := "The link to “contract (for Alice).pdf” for Alice is copied."; u.status.Text != want {
		t.Fatalf("status %q, want %q", u.status.Text, want)
	}
	f.shareCopy = ""
	test.Tap(sh.makeBtn)
	u.wait()
	if strings.Contains(sh.message.Text, "a copy locked for them") {
		t.Fatalf("the dialog speaks of a copy that was not made: %q", sh.message.Text)
	}
}

// Choosing a colleague in "Encrypt for" locks what is dropped next for
// them alone: the uploader cannot open it afterwards. Say so when they are
// chosen, and take it back when the user goes back to their own key.
func TestEncryptForAColleagueWarns(t *testing.T) {
	u := startMain(t, readyFake())
	const warning = "Files you upload now can be opened only by Alice, not by you."
	u.browser.encryptFor.SetSelected("Alice")
	if u.status.Text != warning {
		t.Fatalf("with Alice chosen the status line says %q", u.status.Text)
	}
	u.browser.encryptFor.SetSelected("Me (My key)")
	if u.status.Text == warning {
		t.Fatal("the warning stays after going back to my own key")
	}
}

// What a download found out ("✓ intact") was forgotten when the language
// changed, and the column went back to "protected".
func TestLanguageChangeKeepsTamperChecks(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	l, _ := f.Storage().Lock(u.ctx, u.browser.loc, "contract.pdf")
	selectFile(t, u.browser, "contract.pdf")
	test.Tap(u.browser.getBtn)
	u.wait()
	f.Transfers().(*fakeTransfers).set(f.jobs[0].ID, func(j *Job) {
		j.State, j.Done, j.Seal, j.ETag = JobDone, j.Total, SealVerified, l.ETag
	})
	u.wait()
	if got := sealOnScreen(t, u.browser, "contract.pdf"); got != "✓ intact" {
		t.Fatalf("after the download the column says %q", got)
	}
	// Back to English before the app closes: look-ups may still be landing.
	t.Cleanup(func() { u.do(func() { setLanguage("en") }) })
	u.do(func() { u.settings.onLanguage("zh") })
	u.wait()
	u.do(func() { sealOnScreen(t, u.browser, "contract.pdf") }) // asks for the lock again
	u.browser.locks.wait()
	u.wait()
	var got string
	u.do(func() { got = sealOnScreen(t, u.browser, "contract.pdf") })
	if got != "✓ 完好" {
		t.Fatalf("after switching to Chinese the column says %q", got)
	}
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
