package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// tabTo presses Tab until want has the keyboard, as the window's Tab
// does, within the dialog on top if one is open.
func tabTo(t *testing.T, u *appUI, what string, want func(fyne.Focusable) bool) {
	t.Helper()
	for range 80 {
		var on bool
		u.do(func() {
			test.FocusNext(u.win.Canvas())
			f := u.win.Canvas().Focused()
			on = f != nil && want(f)
		})
		if on {
			return
		}
	}
	t.Fatalf("Tab never reaches %s", what)
}

// isButton matches the button whose label is text.
func isButton(text string) func(fyne.Focusable) bool {
	return func(f fyne.Focusable) bool {
		if k, ok := f.(*keyButton); ok {
			f = &k.Button
		}
		b, ok := f.(*widget.Button)
		return ok && b.Text == text
	}
}

// A whole upload, share and download with the keyboard alone, on the real
// keychain and endpoint: Tab to Upload, Space, Enter on "Files…" (the
// desktop's own dialog answers); Tab to the list, arrows, Tab to Share,
// choose the colleague with the arrow, Tab to Copy link, Space; Tab
// to Close; then Tab to the list and Enter downloads. The colleague opens
// the link on her own home.
func TestRealKeysOnlyUploadShareDownload(t *testing.T) {
	home := t.TempDir()
	b := openLocalWithKey(t, home)
	alice := openTestBackend(t, t.TempDir())
	if _, err := alice.Keys().Generate(context.Background(), "Alice's own", 2048); err != nil {
		t.Fatal(err)
	}
	alicePub, err := alice.Keys().ExportPublic(context.Background(), "Alice's own")
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	downloads := filepath.Join(home, "Downloads")
	u := newAppUI(test.NewTempApp(t), w, b, home, Prefs{DownloadDir: downloads})
	t.Cleanup(u.close)
	u.start(false)
	u.wait()
	u.keysView.addColleague("Alice", alicePub)
	u.wait()
	u.do(func() { u.tabs.SelectIndex(0) })
	u.browser.locks.wait()
	u.wait()

	plain := bytes.Repeat([]byte("minutes of the board, keys only. "), 5000)
	src := filepath.Join(t.TempDir(), "minutes.txt")
	if err := os.WriteFile(src, plain, 0o600); err != nil {
		t.Fatal(err)
	}
	u.pick.native = &scriptedDialogs{paths: []string{src}}

	// Upload: Tab to the button, Space opens its menu, Enter takes the
	// first item, "Files…".
	tabTo(t, u, "Upload", func(f fyne.Focusable) bool { return f == u.browser.uploadBtn })
	typeFocused(t, u, fyne.KeySpace, 0)
	typeFocused(t, u, fyne.KeyDown, 0)
	typeFocused(t, u, fyne.KeyReturn, 0)
	u.pick.asking.Wait()
	u.wait()
	waitJobs(t, b)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		var names []string
		u.do(func() { names = rowNames(u.browser) })
		if len(names) == 1 && names[0] == "minutes.txt" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the upload the folder shows %v", names)
		}
	}

	// Share: the list, its first row, then Share.
	tabToFileList(t, u)
	u.wait()
	if got := selectedNames(u.browser); len(got) != 1 || got[0] != "minutes.txt" {
		t.Fatalf("the list took the keyboard with %v chosen", got)
	}
	tabTo(t, u, "Share", func(f fyne.Focusable) bool { return f == u.browser.shareBtn })
	typeFocused(t, u, fyne.KeySpace, 0)
	sh := u.sharing
	tabTo(t, u, "Share with", func(f fyne.Focusable) bool { return f == sh.with })
	typeFocused(t, u, fyne.KeyRight, 0) // the next colleague: the first
	var with string
	u.do(func() { with = sh.with.Selected })
	if with == "" {
		var opts []string
		var f fyne.Focusable
		u.do(func() { opts, f = sh.with.Options, u.win.Canvas().Focused() })
		t.Fatalf("the keys chose no colleague of %v (focused %T)", opts, f)
	}
	tabTo(t, u, "Copy link", isButton(sh.makeBtn.Text))
	typeFocused(t, u, fyne.KeySpace, 0)
	var link string
	for deadline := time.Now().Add(time.Minute); link == ""; time.Sleep(20 * time.Millisecond) {
		u.do(func() { link = sh.link.Text })
		if time.Now().After(deadline) {
			t.Fatal("no link after Copy link")
		}
	}
	tabTo(t, u, "Close", isButton("Close"))
	typeFocused(t, u, fyne.KeySpace, 0)
	u.do(func() {
		if u.win.Canvas().Overlays().Top() != nil {
			t.Fatal("the share dialog is still open after Close")
		}
	})

	// Download: back to the list, Enter.
	tabToFileList(t, u)
	typeFocused(t, u, fyne.KeyReturn, 0)
	u.wait()
	waitJobs(t, b)
	if got, err := os.ReadFile(filepath.Join(downloads, "minutes.txt")); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Enter downloaded %d bytes (%v), want the file", len(got), err)
	}

	// Alice, on her own home, opens the link with her key.
	out := t.TempDir()
	if _, err := alice.Sharing().OpenLink(context.Background(), link, out); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, alice)
	if got, err := os.ReadFile(filepath.Join(out, "minutes.txt")); err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("Alice opened %d bytes (%v), want the file", len(got), err)
	}
}
