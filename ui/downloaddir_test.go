package ui

import (
	"os"
	"path/filepath"
	"testing"
)

// Choosing a download folder that cannot be written was saved without a
// word, and every download then failed. Settings now tries the folder at
// once, says it cannot be written, naming it, and keeps the folder it had.
// A file at that path was taken for a folder.
func TestSettingsRefusesUnwritableDownloadFolder(t *testing.T) {
	u := startMain(t, readyFake())
	s := u.settings
	before := u.prefs.downloadDir()
	ro := unwritableDir(t)
	file := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A file, and a folder that would be inside it, are no folders.
	for _, dir := range []string{ro, ro + "/Downloads", file, filepath.Join(file, "Downloads")} {
		u.do(func() { s.onDownloadDir(dir) })
		u.wait()
		var msg, entry string
		u.do(func() { msg, entry = s.message.Text, s.downloadDir.Text })
		u.wait()
		want := "The folder “" + dir + "” cannot be written to: the disk is read-only or this computer does not allow it. Choose another download folder in Settings."
		if msg != want {
			t.Fatalf("choosing %s, Settings says %q", dir, msg)
		}
		if got := u.prefs.downloadDir(); got != before || entry != before {
			t.Fatalf("after refusing %s, downloads go to %q (the box shows %q), want %q", dir, got, entry, before)
		}
		if p, _ := loadPrefs(u.home); p.DownloadDir != "" {
			t.Fatalf("saved download folder %q", p.DownloadDir)
		}
	}
	ok := t.TempDir()
	u.do(func() { s.onDownloadDir(ok) })
	u.wait()
	if u.prefs.downloadDir() != ok {
		t.Fatalf("a writable folder was not taken: %q", u.prefs.downloadDir())
	}
}
