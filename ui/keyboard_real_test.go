package ui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Delete then Enter, with keys only, deletes the file from the real
// storage; Delete then Esc leaves it.
func TestRealDeleteWithKeys(t *testing.T) {
	home := t.TempDir()
	b := openTestBackend(t, home)
	realUploads(t, b, 1024, "minutes.txt")
	waitJobs(t, b)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	u := newAppUI(test.NewTempApp(t), w, b, home, Prefs{DownloadDir: filepath.Join(home, "Downloads")})
	t.Cleanup(u.close)
	u.start(false)
	u.wait()
	u.browser.locks.wait()
	u.wait()
	bk := sdkBucket(t, b)
	exists := func() bool {
		ok, err := bk.IsObjectExist("minutes.txt")
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	u.do(func() { selectFile(t, u.browser, "minutes.txt") })
	press(t, u, fyne.KeyDelete)
	press(t, u, fyne.KeyEscape)
	if !exists() {
		t.Fatal("Esc deleted the file")
	}
	press(t, u, fyne.KeyDelete)
	press(t, u, fyne.KeyReturn)
	u.wait()
	if exists() {
		t.Fatal("Delete and Enter left the file in the storage")
	}
}
