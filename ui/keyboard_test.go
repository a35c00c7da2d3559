package ui

import (
	"testing"

	"fyne.io/fyne/v2"
)

// press types key on the window, as a keyboard would with no widget
// focused.
func press(t *testing.T, u *appUI, key fyne.KeyName) {
	t.Helper()
	var typed func(*fyne.KeyEvent)
	u.do(func() { typed = u.win.Canvas().OnTypedKey() })
	if typed == nil {
		t.Fatal("the window answers no key")
	}
	u.do(func() { typed(&fyne.KeyEvent{Name: key}) })
	u.wait()
}

func hasObject(f *fakeBackend, key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.buckets["This computer/demo"].objects[key]
	return ok
}

// Delete on the file list asks first; Esc answers the question with
// Cancel and Enter with Delete. Before, the key did nothing, and no key
// answered a dialog.
func TestDeleteKeyAndDialogKeys(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	u.do(func() { selectFile(t, u.browser, "old.txt") })
	press(t, u, fyne.KeyDelete)
	var asked bool
	u.do(func() { asked = u.win.Canvas().Overlays().Top() != nil })
	if !asked {
		t.Fatal("Delete did not ask")
	}
	press(t, u, fyne.KeyEscape)
	u.do(func() { asked = u.win.Canvas().Overlays().Top() != nil })
	if asked || !hasObject(f, "old.txt") {
		t.Fatalf("after Esc: dialog open %v, file there %v", asked, hasObject(f, "old.txt"))
	}
	press(t, u, fyne.KeyDelete)
	press(t, u, fyne.KeyReturn)
	u.wait()
	if hasObject(f, "old.txt") {
		t.Fatal("Enter did not delete the file")
	}
}

// F5 lists the folder again; Enter opens the selected folder.
func TestFileListShortcuts(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	f.addObject("This computer", "demo", "new.txt", 5, Lock{Kind: LockNotEncrypted})
	press(t, u, fyne.KeyF5)
	u.browser.locks.wait()
	u.wait()
	var names []string
	u.do(func() { names = rowNames(u.browser) })
	found := false
	for _, n := range names {
		found = found || n == "new.txt"
	}
	if !found {
		t.Fatalf("after F5 the list is %v", names)
	}
	u.do(func() { selectFile(t, u.browser, "payroll") })
	press(t, u, fyne.KeyReturn)
	u.browser.locks.wait()
	u.wait()
	var prefix string
	u.do(func() { prefix = u.browser.loc.Prefix })
	if prefix != "payroll/" {
		t.Fatalf("after Enter on a folder the browser is at %q", prefix)
	}
}

// Enter and Esc answer the app's other dialogs: removing a key, an error,
// quitting with transfers under way.
func TestDialogKeys(t *testing.T) {
	f := readyFake()
	u := startClosable(t, f)
	s := u.keysView
	u.do(func() {
		u.tabs.SelectIndex(2)
		for i, r := range s.rows {
			if r.key != nil && r.key.Name == "Alice" {
				s.list.Select(i)
			}
		}
		s.onRemove()
	})
	press(t, u, fyne.KeyEscape)
	u.wait()
	if len(f.keys) != 2 {
		t.Fatalf("Esc removed a key: %v", f.keys)
	}
	u.do(s.onRemove)
	press(t, u, fyne.KeyEnter)
	u.wait()
	u.wait()
	if len(f.keys) != 1 {
		t.Fatalf("Enter did not remove the key: %v", f.keys)
	}

	u.do(func() { u.showError(errNoFolder) })
	press(t, u, fyne.KeyReturn)
	var top fyne.CanvasObject
	u.do(func() { top = u.win.Canvas().Overlays().Top() })
	if top != nil {
		t.Fatal("Enter did not close the error")
	}

	ft := startDownloads(t, u, f, 1)
	ft.set(f.jobs[0].ID, func(j *Job) { j.State = JobRunning })
	u.wait()
	closed := false
	u.win.SetOnClosed(func() { closed = true })
	u.do(u.onCloseRequested)
	press(t, u, fyne.KeyEscape)
	if closed {
		t.Fatal("Esc quit")
	}
	u.do(u.onCloseRequested)
	press(t, u, fyne.KeyReturn)
	if !closed {
		t.Fatal("Enter did not quit")
	}
}
