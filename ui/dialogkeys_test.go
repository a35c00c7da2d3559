package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Esc closes a dialog wherever Tab has put the keyboard in it: on each of
// its text fields, buttons, tick boxes and choices in turn. Fyne's own
// entry, button, check and select drop Esc once they have the keyboard,
// so a keyboard user in a form's field, or who had tabbed to Cancel,
// could not close it with Esc.
func TestEscFromEveryControlOfADialog(t *testing.T) {
	root := Location{Account: "This computer", Bucket: "demo"}
	for _, c := range []struct {
		name string
		open func(u *appUI)
	}{
		{"delete a file", func(u *appUI) {
			selectFile(t, u.browser, "old.txt")
			test.Tap(u.browser.deleteBtn)
		}},
		{"name clashes", func(u *appUI) {
			u.do(func() {
				u.browser.askExisting(UploadRequest{Paths: []string{"/home/me/payroll"}, Dest: root},
					&ExistsError{Names: []string{"payroll/march.xlsx", "payroll/april.xlsx"}, Total: 3})
			})
		}},
		{"restore from a backup", func(u *appUI) {
			u.do(func() { u.keysView.askRestore([]byte("backup:Mine"), func() {}) })
		}},
		{"also lock for", func(u *appUI) {
			u.do(func() { u.browser.onAlsoFor() })
		}},
		{"rename", func(u *appUI) {
			selectFile(t, u.browser, "old.txt")
			u.do(func() { u.browser.onRename() })
		}},
		{"new folder", func(u *appUI) { u.do(func() { u.browser.onNewFolder() }) }},
		{"add a colleague's key", func(u *appUI) { u.do(func() { u.keysView.onAddColleague() }) }},
		{"add a company key", func(u *appUI) { u.do(func() { u.keysView.onAddKMS() }) }},
		{"back up my keys", func(u *appUI) { u.do(func() { u.keysView.onBackupDialog() }) }},
		{"open a shared link", func(u *appUI) { u.do(func() { u.sharing.showOpenLink() }) }},
		{"the codes differ", func(u *appUI) { u.do(func() { u.keysView.keysDiffer(Key{Name: "Alice", Kind: KeyColleague}) }) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			seen := 0
			for tabs := 1; tabs < 20; tabs++ {
				u := startMain(t, readyFake())
				c.open(u)
				u.wait()
				var kind string
				var focused fyne.Focusable
				u.do(func() {
					if u.win.Canvas().Overlays().Top() == nil {
						t.Fatal("the dialog did not open")
					}
					for range tabs {
						test.FocusNext(u.win.Canvas())
					}
					focused = u.win.Canvas().Focused()
					kind = controlKind(focused)
				})
				if kind == "" {
					continue // nothing, or a part of the dialog Tab stops at for its own
				}
				typeFocused(t, u, fyne.KeyEscape, 0)
				u.do(func() {
					if u.win.Canvas().Overlays().Top() != nil {
						t.Errorf("Esc on the %s after %d Tabs left the dialog open", kind, tabs)
					}
				})
				seen++
			}
			if seen < 2 {
				t.Fatalf("Tab reached only %d controls of the dialog", seen)
			}
		})
	}
}

// controlKind names the kind of dialog control f is (a button, check or
// select, the app's own or Fyne's), "" for anything else.
func controlKind(f fyne.Focusable) string {
	o, ok := f.(fyne.CanvasObject)
	if !ok {
		return ""
	}
	switch unwrapped(o).(type) {
	case *widget.Button:
		return "button"
	case *widget.Check:
		return "tick box"
	case *widget.Select:
		return "choice"
	case *widget.Entry:
		return "text field"
	}
	return ""
}
