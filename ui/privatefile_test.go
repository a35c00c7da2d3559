package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// saveDialogWriter opens path the way Fyne's save dialog does, which
// creates the file readable by everyone (with the usual umask 022).
func saveDialogWriter(t *testing.T, path string) fyne.URIWriteCloser {
	t.Helper()
	w, err := storage.Writer(storage.NewFileURI(path))
	if err != nil {
		t.Fatal(err)
	}
	// Whatever this machine's umask, start as a usual desktop's does.
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// The backup of my keys, saved from the Keys screen through the dialog's
// file, is readable by me only, and restores my key into another vault.
func TestRealBackupFileIsPrivate(t *testing.T) {
	home := t.TempDir()
	b := openTestBackend(t, home)
	a := test.NewTempApp(t)
	win := test.NewTempWindow(t, widget.NewLabel(""))
	u := newAppUI(a, win, b, home, Prefs{})
	t.Cleanup(u.close)
	ctx := context.Background()
	mine, err := b.Keys().Generate(ctx, "Backed up", 2048)
	if err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "ossvault-keys-backup.age")
	u.keysView.backup(saveDialogWriter(t, path), "a long passphrase")
	u.wait()
	if u.keysView.message.Text != "The backup is saved. Keep it somewhere safe, away from this computer." {
		t.Fatalf("after the backup the Keys screen says %q", u.keysView.message.Text)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("the backup file has mode %v, want 0600", fi.Mode().Perm())
	}
	if fi.Size() == 0 {
		t.Fatal("the backup file is empty")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	b2 := openTestBackend(t, t.TempDir())
	if err := b2.Keys().Restore(ctx, bytes.NewReader(data), "a long passphrase"); err != nil {
		t.Fatalf("the saved backup does not restore: %v", err)
	}
	keys, err := b2.Keys().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, k := range keys {
		found = found || (k.Name == mine.Name && k.Fingerprint == mine.Fingerprint && k.Kind == KeyMine)
	}
	if !found {
		t.Fatalf("the restored vault holds %+v, not %q", keys, mine.Name)
	}
}

// The first-run backup goes through the same path.
func TestFirstRunBackupFileIsPrivate(t *testing.T) {
	u := newTestUI(t, newFakeBackend())
	u.start(true)
	u.wait()
	test.Tap(u.firstRun.createBtn)
	u.wait()
	u.firstRun.pass1.SetText("correct horse battery")
	u.firstRun.pass2.SetText("correct horse battery")
	path := filepath.Join(t.TempDir(), "backup.age")
	u.firstRun.onBackup(saveDialogWriter(t, path))
	u.wait()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Size() == 0 {
		t.Fatalf("the first-run backup: %v, %v", fi, err)
	}
}

// A backup that fails leaves no empty file where the user expects one.
func TestFailedBackupLeavesNoFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "backup.age")
	err := writePrivate(saveDialogWriter(t, path), func(io.Writer) error { return errors.New("keychain locked") })
	if err == nil {
		t.Fatal("the failure was lost")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the failed backup left a file behind: %v", err)
	}
}
