package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/jezek/xgb/xproto"
)

// TestE2EKeyboardDownloadsSeveral runs the app in a real window and, with
// the keyboard only (keys sent through the X server, as a keyboard sends
// them), chooses three files with Down and Shift+Down and downloads them
// with Enter; the files saved must be the three, whole and decrypted.
// Before, the arrow keys moved nothing and Enter downloaded nothing.
func TestE2EKeyboardDownloadsSeveral(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	home := t.TempDir()

	// Three encrypted files in the demo bucket, uploaded by the app's own
	// backend, which then lets go of the store for the app.
	b := openTestBackend(t, home)
	names := []string{"april.xlsx", "may.xlsx", "june.xlsx"}
	_, data := realUploads(t, b, 70_000, names...)
	waitJobs(t, b)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}

	user := t.TempDir()
	ready := filepath.Join(t.TempDir(), "ready")
	env := append(os.Environ(), "OSSVAULT_HOME="+home, "HOME="+user, "LANGUAGE=en", readyFileEnv+"="+ready)
	appLog, _, _, win := openLocalWindow(t, bin, display, env, ready)
	kb, err := newXKeyboard(display)
	if err != nil {
		t.Fatal(err)
	}
	defer kb.close()
	if err := kb.focus(win); err != nil {
		t.Fatal(err)
	}
	// The rows are in name order: april, june, may.
	for _, k := range []struct {
		key  xproto.Keysym
		held []xproto.Keysym
	}{
		{xkDown, nil},
		{xkDown, []xproto.Keysym{xkShiftL}},
		{xkDown, []xproto.Keysym{xkShiftL}},
		{xkReturn, nil},
	} {
		if err := kb.press(k.key, k.held...); err != nil {
			t.Fatal(err)
		}
	}

	dir := filepath.Join(user, "Downloads")
	want := slices.Sorted(slices.Values(names))
	var got []string
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		got = nil
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			got = append(got, e.Name())
		}
		if slices.Equal(got, want) && filesWhole(dir, data) {
			return
		}
	}
	t.Fatalf("in %s after the keys: %v, want %v whole\napp output:\n%s", dir, got, want, appLog)
}

// filesWhole says whether every file of data is in dir with its bytes.
func filesWhole(dir string, data map[string][]byte) bool {
	for name, want := range data {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, want) {
			return false
		}
	}
	return true
}
