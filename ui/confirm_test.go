package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// overlayHasLabel reports whether the open dialog shows a label reading text.
func overlayHasLabel(u *appUI, text string) bool {
	top := u.win.Canvas().Overlays().Top()
	if top == nil {
		return false
	}
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok && l.Text == text {
			return true
		}
	}
	return false
}

// Every question before something that cannot be undone reads the same
// way: its title and what will be lost, a red button that says what it
// does beside Cancel, Esc for Cancel and Enter for the red button.
func TestDestructiveConfirmations(t *testing.T) {
	cases := []struct {
		name           string
		ask            func(u *appUI)
		title, message string
		action         string
		// gone reports whether the thing asked about is gone.
		gone func(f *fakeBackend) bool
	}{
		{
			name: "file",
			ask: func(u *appUI) {
				u.do(func() {
					selectFile(t, u.browser, "old.txt")
					u.browser.onDelete()
				})
			},
			title:   "Delete file",
			message: "Delete “old.txt”? It is removed from the storage for everyone, and cannot be brought back.",
			action:  "Delete",
			gone:    func(f *fakeBackend) bool { return !hasObject(f, "old.txt") },
		},
		{
			name: "folder",
			ask: func(u *appUI) {
				u.do(func() {
					selectFile(t, u.browser, "payroll")
					u.browser.onDelete()
				})
				u.wait() // counting the files
			},
			title:   "Delete folder",
			message: "Delete the folder “payroll” and the 1 file in it (4.0 KB)? It is removed from the storage for everyone, and cannot be brought back.",
			action:  "Delete",
			gone:    func(f *fakeBackend) bool { return !hasObject(f, "payroll/march.xlsx") },
		},
		{
			name: "key",
			ask: func(u *appUI) {
				u.do(func() {
					s := u.keysView
					u.tabs.SelectIndex(2)
					for i, r := range s.rows {
						if r.key != nil && r.key.Name == "Alice" {
							s.list.Select(i)
						}
					}
					s.onRemove()
				})
			},
			title:   "Remove key",
			message: "Remove the key “Alice” from this computer?",
			action:  "Remove",
			gone: func(f *fakeBackend) bool {
				f.mu.Lock()
				defer f.mu.Unlock()
				for _, k := range f.keys {
					if k.Name == "Alice" {
						return false
					}
				}
				return true
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := readyFake()
			u := startMain(t, f)
			tc.ask(u)
			u.do(func() {
				for _, text := range []string{tc.title, tc.message} {
					if !overlayHasLabel(u, text) {
						t.Errorf("the dialog does not say %q", text)
					}
				}
				if b := overlayButton(t, u, tc.action); b.Importance != widget.DangerImportance {
					t.Errorf("%s has importance %v, want danger", tc.action, b.Importance)
				}
				overlayButton(t, u, "Cancel")
				for _, unwanted := range []string{"Yes", "No"} {
					if top := u.win.Canvas().Overlays().Top(); top != nil {
						for _, o := range test.LaidOutObjects(top) {
							if b, ok := unwrapped(o).(*widget.Button); ok && strings.EqualFold(b.Text, unwanted) {
								t.Errorf("the dialog has a %q button", b.Text)
							}
						}
					}
				}
			})
			press(t, u, fyne.KeyEscape)
			if tc.gone(f) {
				t.Fatal("Esc did it")
			}
			var open bool
			u.do(func() { open = u.win.Canvas().Overlays().Top() != nil })
			if open {
				t.Fatal("Esc left the dialog open")
			}
			tc.ask(u)
			press(t, u, fyne.KeyReturn)
			u.wait()
			if !tc.gone(f) {
				t.Fatal("Enter did not do it")
			}
		})
	}
}
