package ui

import (
	"bytes"
	"context"
	"slices"
	"testing"

	"fyne.io/fyne/v2/test"
)

// On a new computer, the key step restores the key from the backup made
// on the old one, rather than offer only a new key, which opens none of
// the files locked before. A wrong passphrase is said in the dialog, which
// stays; the right one goes on to the main screen, with the key, and asks
// for no new backup.
func TestFirstRunRestoresFromBackup(t *testing.T) {
	f := newFakeBackend()
	f.keys = []Key{{Name: "Alice", Kind: KeyMine}}
	var backup bytes.Buffer
	if err := f.Keys().Backup(context.Background(), &backup, "a long passphrase"); err != nil {
		t.Fatal(err)
	}
	f.keys = nil // the new computer

	u := newTestUI(t, f)
	u.start(true)
	u.wait()
	if u.firstRun.step != "key" {
		t.Fatalf("first run starts on step %q", u.firstRun.step)
	}
	if !u.firstRun.restoreBtn.Visible() || u.firstRun.restoreBtn.Disabled() {
		t.Fatal("the key step offers no restore from a backup")
	}
	u.do(func() { u.firstRun.restoreFrom(backup.Bytes()) })
	u.wait()

	pass := overlayEntries(u)
	if len(pass) != 1 {
		t.Fatalf("the restore dialog has %d entries", len(pass))
	}
	test.Type(pass[0], "not the passphrase")
	test.Tap(overlayButton(t, u, "Restore"))
	u.wait()
	if u.win.Canvas().Overlays().Top() == nil || !overlayHasLabel(u, u.explain(errBadPassphrase)) {
		t.Fatal("a wrong passphrase did not keep the dialog open with the reason")
	}
	test.Type(pass[0], "a long passphrase")
	test.Tap(overlayButton(t, u, "Restore"))
	u.wait()
	u.wait()
	if u.win.Content() != u.main {
		t.Fatalf("after the restore the window shows step %q, not the main screen", u.firstRun.step)
	}
	if !slices.ContainsFunc(u.keys, func(k Key) bool { return k.Name == "Alice" && k.Kind == KeyMine }) {
		t.Fatalf("the restored key is not among the keys: %+v", u.keys)
	}
	if !u.prefs.KeysBackedUp {
		t.Fatal("a key restored from its backup is taken for one never backed up")
	}
}
