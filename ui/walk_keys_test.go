package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

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
