package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// A real window hands a left click to the topmost object under the pointer
// that takes any kind of click, so a row that takes right clicks must pass
// left clicks on to the list, or no file can be chosen, and double clicks
// too, or no folder opened.
func TestClickingRowsSelectsAndDoubleClickOpensFolders(t *testing.T) {
	u := startMain(t, readyFake())
	b := u.browser
	row := func(name string) fyne.Tappable {
		t.Helper()
		for _, o := range test.LaidOutObjects(u.win.Content()) {
			r, ok := o.(*fileRow)
			if !ok || !r.Visible() || r.name.Text != name {
				continue
			}
			tr, ok := o.(fyne.Tappable)
			if !ok {
				t.Fatalf("the row of %q takes right clicks but not left clicks", name)
			}
			return tr
		}
		t.Fatalf("no row %q on screen; rows %v", name, rowNames(b))
		return nil
	}

	test.Tap(row("contract.pdf"))
	u.wait()
	if e, ok := b.selected(); !ok || e.Name != "contract.pdf" {
		t.Fatalf("a click on contract.pdf selected %+v (%v)", e, ok)
	}
	if b.getBtn.Disabled() {
		t.Fatal("Download stays disabled after a click on a file")
	}

	// A click on a folder chooses it, for Download; a double click opens it.
	test.Tap(row("payroll"))
	u.wait()
	if e, ok := b.selected(); !ok || e.Name != "payroll" || b.loc.Prefix != "" {
		t.Fatalf("a click on the payroll folder selected %+v (%v) in %q", e, ok, b.loc.Prefix)
	}
	if b.getBtn.Disabled() || !b.shareBtn.Disabled() || b.deleteBtn.Disabled() {
		t.Fatal("with a folder chosen, Download and Delete must be on and Share off")
	}
	if !strings.Contains(b.info.Text, "double-click “payroll” to open it") {
		t.Fatalf("nothing says how to open the folder: %q", b.info.Text)
	}
	dt, ok := row("payroll").(fyne.DoubleTappable)
	if !ok {
		t.Fatal("a folder's row does not take double clicks")
	}
	test.DoubleTap(dt)
	u.wait()
	if b.loc.Prefix != "payroll/" {
		t.Fatalf("a double click on the payroll folder left the browser in %q", b.loc.Prefix)
	}
}
