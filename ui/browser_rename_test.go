package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// typeInFocus types key on the widget that has the keyboard, as the
// driver does when one has it.
func typeInFocus(t *testing.T, u *appUI, key fyne.KeyName) {
	t.Helper()
	u.do(func() {
		f := u.win.Canvas().Focused()
		if f == nil {
			t.Fatal("nothing has the keyboard")
		}
		f.TypedKey(&fyne.KeyEvent{Name: key})
	})
	u.wait()
	u.browser.locks.wait()
	u.wait()
}

// openRename presses F2 on the file named name and returns the dialog,
// checking that it opened with the whole name selected in a field that
// has the keyboard.
func openRename(t *testing.T, u *appUI, name string) *renameDialog {
	t.Helper()
	u.do(func() {
		u.browser.renaming = nil
		selectFile(t, u.browser, name)
	})
	press(t, u, fyne.KeyF2)
	var r *renameDialog
	var focused fyne.Focusable
	var top fyne.CanvasObject
	u.do(func() {
		r, focused, top = u.browser.renaming, u.win.Canvas().Focused(), u.win.Canvas().Overlays().Top()
	})
	if r == nil || top == nil {
		t.Fatalf("F2 on %s opened no dialog", name)
	}
	if focused != r.name {
		t.Fatalf("the name field does not have the keyboard (%T does)", focused)
	}
	if r.name.Text != name || r.name.SelectedText() != name {
		t.Fatalf("the field says %q with %q selected, want %q all selected", r.name.Text, r.name.SelectedText(), name)
	}
	return r
}

// F2 opens the rename dialog; typing replaces the selected name and Enter
// renames, after which the list shows the file under its new name, still
// selected. Esc, even from the name field, cancels; a name taken is
// refused in words.
func TestRenameWithF2(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	b := u.browser

	openRename(t, u, "contract.pdf")
	u.do(func() { test.Type(u.win.Canvas().Focused(), "contract 2026.pdf") })
	typeInFocus(t, u, fyne.KeyReturn)
	if hasObject(f, "contract.pdf") || !hasObject(f, "contract 2026.pdf") {
		t.Fatalf("after Enter: old there %v, new there %v", hasObject(f, "contract.pdf"), hasObject(f, "contract 2026.pdf"))
	}
	var sel []Entry
	var open bool
	var names []string
	u.do(func() {
		sel, open, names = b.selectedEntries(), u.win.Canvas().Overlays().Top() != nil, rowNames(b)
	})
	if open {
		t.Fatal("the dialog is still open")
	}
	if len(sel) != 1 || sel[0].Name != "contract 2026.pdf" {
		t.Fatalf("selected %v in %v, want the renamed file", sel, names)
	}

	r := openRename(t, u, "contract 2026.pdf")
	u.do(func() { test.Type(r.name, "x") })
	typeInFocus(t, u, fyne.KeyEscape)
	u.do(func() { open = u.win.Canvas().Overlays().Top() != nil })
	if open || !hasObject(f, "contract 2026.pdf") || hasObject(f, "x") {
		t.Fatalf("after Esc: dialog open %v, file renamed %v", open, !hasObject(f, "contract 2026.pdf"))
	}

	// Esc on the window, the field not having the keyboard, cancels too.
	openRename(t, u, "contract 2026.pdf")
	u.do(func() { u.win.Canvas().Unfocus() })
	press(t, u, fyne.KeyEscape)
	u.do(func() { open = u.win.Canvas().Overlays().Top() != nil })
	if open {
		t.Fatal("Esc on the window left the dialog open")
	}

	r = openRename(t, u, "contract 2026.pdf")
	u.do(func() { r.name.SetText("old.txt") })
	typeInFocus(t, u, fyne.KeyReturn)
	if said := overlayText(t, u); !strings.Contains(said, "already there") {
		t.Fatalf("a name taken: %q", said)
	}
	if !hasObject(f, "contract 2026.pdf") || !hasObject(f, "old.txt") {
		t.Fatal("a refused rename changed the files")
	}
}

// F2 on a folder renames it, every file in it, after a dialog saying
// so; the folder then shows under its new name, selected. A file someone
// else signed warns that it will read as mine.
func TestRenameFolderAndSigner(t *testing.T) {
	f := readyFake()
	f.addObject("This computer", "demo", "from-alice.pdf", 10, Lock{Kind: LockMine, KeyName: "My key", Seal: SealPresent,
		Writer: Writer{Signed: true, Name: "Alice"}})
	u := startMain(t, f)
	folder := openRename(t, u, "payroll")
	if folder.note == nil || !strings.Contains(folder.note.Text, "Every file in the folder") {
		t.Fatalf("the folder's dialog does not say what renaming it does: %+v", folder.note)
	}
	u.do(func() { folder.name.SetText("payroll 2025") })
	typeInFocus(t, u, fyne.KeyReturn)
	u.wait()
	if !hasObject(f, "payroll 2025/march.xlsx") || hasObject(f, "payroll/march.xlsx") {
		t.Fatal("the folder's file was not moved under the new name")
	}
	var status string
	var sel Entry
	var ok bool
	u.do(func() { status = u.status.Text; sel, ok = u.browser.selected() })
	if !strings.Contains(status, "Renamed payroll to payroll 2025.") || !ok || sel.Key != "payroll 2025/" {
		t.Fatalf("after renaming the folder: status %q, selected %+v (%v)", status, sel, ok)
	}
	r := openRename(t, u, "from-alice.pdf")
	if r.note == nil || !strings.Contains(r.note.Text, "Alice") || !strings.Contains(r.note.Text, "It will read as from you.") {
		t.Fatalf("the dialog does not say the file will read as mine: %+v", r.note)
	}
	press(t, u, fyne.KeyEscape)
	r = openRename(t, u, "old.txt")
	if r.note != nil {
		t.Fatalf("an unsigned file warns: %q", r.note.Text)
	}
}
