package ui

import (
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
)

// typeFocused presses key on what has the keyboard, with mods held.
func typeFocused(t *testing.T, u *appUI, key fyne.KeyName, mods fyne.KeyModifier) {
	t.Helper()
	u.do(func() {
		f := u.win.Canvas().Focused()
		if f == nil {
			t.Fatal("nothing has the keyboard")
		}
		u.browser.mods = func() fyne.KeyModifier { return mods }
		f.TypedKey(&fyne.KeyEvent{Name: key})
		u.browser.mods = func() fyne.KeyModifier { return 0 }
	})
	u.wait()
}

// tabToFileList presses Tab until the file list has the keyboard.
func tabToFileList(t *testing.T, u *appUI) {
	t.Helper()
	for range 40 {
		var on bool
		u.do(func() {
			test.FocusNext(u.win.Canvas())
			on = u.win.Canvas().Focused() == u.browser.list
		})
		if on {
			return
		}
	}
	t.Fatal("Tab never reaches the file list")
}

func selectedNames(b *browser) []string {
	var out []string
	for _, e := range b.selectedEntries() {
		out = append(out, e.Name)
	}
	return out
}

func downloadedKeys(f *fakeBackend) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, j := range f.jobs {
		if j.Kind == Download {
			out = append(out, j.Key)
		}
	}
	slices.Sort(out)
	return out
}

// With keys only: Tab to the list, arrows and Shift+arrows choose three
// files, the line under the list says so, and Enter downloads all three.
func TestKeyboardSelectsSeveralAndDownloads(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	b := u.browser
	tabToFileList(t, u)
	u.wait()
	if got := selectedNames(b); !slices.Equal(got, []string{"payroll"}) {
		t.Fatalf("the list took the keyboard with %v chosen, want its first row", got)
	}
	typeFocused(t, u, fyne.KeyDown, 0)
	typeFocused(t, u, fyne.KeyDown, fyne.KeyModifierShift)
	typeFocused(t, u, fyne.KeyDown, fyne.KeyModifierShift)
	want := []string{"contract.pdf", "from-bob.docx", "old.txt"}
	if got := selectedNames(b); !slices.Equal(got, want) {
		t.Fatalf("Down, Shift+Down twice chose %v, want %v", got, want)
	}
	u.do(func() {
		if !strings.Contains(b.info.Text, "3 selected") {
			t.Errorf("the line under the list says %q, not how many are selected", b.info.Text)
		}
		if b.getBtn.Disabled() || b.deleteBtn.Disabled() || !b.shareBtn.Disabled() || !b.detailsBtn.Disabled() {
			t.Error("with three files chosen, Download and Delete must be on, Share and Details off")
		}
	})
	typeFocused(t, u, fyne.KeyReturn, 0)
	u.wait()
	if got := downloadedKeys(f); !slices.Equal(got, want) {
		t.Fatalf("Enter downloaded %v, want %v", got, want)
	}

	// Ctrl+A chooses every row; Up then chooses one again.
	u.do(func() { b.list.TypedShortcut(&fyne.ShortcutSelectAll{}) })
	if n := len(selectedNames(b)); n != 4 {
		t.Fatalf("Ctrl+A chose %d rows, want 4", n)
	}
	typeFocused(t, u, fyne.KeyUp, 0)
	if got := selectedNames(b); len(got) != 1 {
		t.Fatalf("Up after Ctrl+A left %v chosen", got)
	}
}

// Ctrl-click adds files, Shift-click a range; the selection stays on the
// same files when the list is sorted again.
func TestClicksWithModifiersSelect(t *testing.T) {
	u := startMain(t, readyFake())
	b := u.browser
	click := func(name string, mods fyne.KeyModifier) {
		t.Helper()
		for _, o := range test.LaidOutObjects(u.win.Content()) {
			if r, ok := o.(*fileRow); ok && r.Visible() && r.name.Text == name {
				u.do(func() {
					b.mods = func() fyne.KeyModifier { return mods }
					r.Tapped(&fyne.PointEvent{})
					b.mods = func() fyne.KeyModifier { return 0 }
				})
				return
			}
		}
		t.Fatalf("no row %q", name)
	}
	click("contract.pdf", 0)
	click("old.txt", fyne.KeyModifierShift)
	if got := selectedNames(b); !slices.Equal(got, []string{"contract.pdf", "from-bob.docx", "old.txt"}) {
		t.Fatalf("click, Shift-click chose %v", got)
	}
	var focused fyne.Focusable
	u.do(func() { focused = u.win.Canvas().Focused() })
	if focused != b.list {
		t.Fatal("a click on a row does not give the list the keyboard")
	}
	click("from-bob.docx", toggleMod())
	click("payroll", toggleMod())
	if got := selectedNames(b); !slices.Equal(got, []string{"payroll", "contract.pdf", "old.txt"}) {
		t.Fatalf("Ctrl-click on from-bob.docx and payroll left %v", got)
	}
	u.do(func() { b.sortBy(colSize) }) // folders first, then the smallest
	if got := selectedNames(b); !slices.Equal(got, []string{"payroll", "old.txt", "contract.pdf"}) {
		t.Fatalf("after sorting, %v is chosen", got)
	}
}

// Delete on several files asks one question for all of them, and Enter
// deletes them all.
func TestDeleteSeveralAsksOnce(t *testing.T) {
	f := readyFake()
	u := startMain(t, f)
	b := u.browser
	u.do(func() {
		selectFile(t, b, "contract.pdf")
		b.mods = func() fyne.KeyModifier { return toggleMod() }
	})
	u.do(func() { selectFileWith(t, b, "old.txt") })
	press(t, u, fyne.KeyDelete)
	var overlays int
	u.do(func() { overlays = len(u.win.Canvas().Overlays().List()) })
	if overlays != 1 {
		t.Fatalf("Delete on two files opened %d dialogs", overlays)
	}
	press(t, u, fyne.KeyReturn)
	u.wait()
	u.wait()
	if hasObject(f, "contract.pdf") || hasObject(f, "old.txt") || !hasObject(f, "from-bob.docx") {
		t.Fatalf("after Delete and Enter: contract.pdf %v, old.txt %v, from-bob.docx %v",
			hasObject(f, "contract.pdf"), hasObject(f, "old.txt"), hasObject(f, "from-bob.docx"))
	}
	if !strings.Contains(u.status.Text, "Deleted 2 items.") {
		t.Fatalf("the status line says %q", u.status.Text)
	}
}

// selectFileWith clicks a file's row with the modifiers b.mods gives.
func selectFileWith(t *testing.T, b *browser, name string) {
	t.Helper()
	for i, idx := range b.view {
		if b.all[idx].Name == name {
			b.choose(i, b.mods())
			return
		}
	}
	t.Fatalf("no row %q in %v", name, rowNames(b))
}
