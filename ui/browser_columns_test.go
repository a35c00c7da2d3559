package ui

import (
	"slices"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// startWithPrefs opens the app on a ready fake with settings p, saved in
// its home as the app would have them.
func startWithPrefs(t *testing.T, p Prefs) *appUI {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(fyne.NewSize(1024, 768))
	home := t.TempDir()
	if err := p.save(home); err != nil {
		t.Fatal(err)
	}
	p, err := loadPrefs(home)
	if err != nil {
		t.Fatal(err)
	}
	u := newAppUI(a, w, readyFake(), home, p)
	t.Cleanup(u.close)
	u.start(false)
	u.wait()
	u.browser.locks.wait()
	u.wait()
	return u
}

// drag moves handle h by the steps, as a pointer would, then lets go.
func drag(u *appUI, h *colHandle, steps ...float32) {
	u.do(func() {
		for _, dx := range steps {
			h.Dragged(&fyne.DragEvent{Dragged: fyne.Delta{DX: dx}})
		}
		h.DragEnd()
	})
}

// columnsAgree checks that the header's titles and the row's cells are
// shown alike, at the same places and widths.
func columnsAgree(t *testing.T, u *appUI, r *fileRow) {
	t.Helper()
	u.do(func() {
		for i, o := range u.browser.header.Objects {
			cell := r.content.Objects[i]
			if o.Visible() != cell.Visible() || (o.Visible() && (o.Position().X != cell.Position().X || o.Size().Width != cell.Size().Width)) {
				t.Errorf("header column %d (shown %v at %v, %v wide) and row column (shown %v at %v, %v wide) disagree",
					i, o.Visible(), o.Position().X, o.Size().Width, cell.Visible(), cell.Position().X, cell.Size().Width)
			}
		}
	})
}

// Dragging a header's handle sets its column's width, and the rows follow;
// the column keeps its title's room and the names theirs; the widths are
// saved when the drag ends, and a double click puts back the defaults.
func TestColumnHandlesResize(t *testing.T) {
	u := startWithPrefs(t, Prefs{})
	u.win.Resize(fyne.NewSize(1400, 800)) // room for wider columns
	b := u.browser
	lock := b.handles[colLock-1]
	if lock.Cursor() == nil || lock.col != colLock {
		t.Fatal("the handle shows no resize pointer")
	}
	r := visibleRow(t, u, "contract.pdf")
	before := r.lock.Size().Width
	drag(u, lock, -30, -20) // to the left: wider
	if got := r.lock.Size().Width; got != before+50 {
		t.Fatalf("after dragging 50 to the left the column is %v wide, was %v", got, before)
	}
	columnsAgree(t, u, r)
	saved, err := loadPrefs(u.home)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{90, 150, 250, 110}; !slices.Equal(saved.ColumnWidths, want) {
		t.Fatalf("saved widths %v, want %v", saved.ColumnWidths, want)
	}

	// Far to the right: no narrower than the title.
	drag(u, lock, 400, 400)
	title := b.headBtns[colLock]
	if got, least := r.lock.Size().Width, b.minWidth(colLock); got != least || least < textWidth(title)+theme.InnerPadding() {
		t.Fatalf("dragged narrow, the column is %v wide (least %v, its title needs %v)", got, least, textWidth(title)+theme.InnerPadding())
	}
	// Far to the left, past where it stops and back a little: the names
	// keep their room, and the edge waits for the pointer to come back.
	drag(u, lock, -2000, 100)
	if got := r.name.Size().Width; got < minNameWidth-50 {
		t.Fatalf("dragged wide, the name column is %v", got)
	}
	columnsAgree(t, u, r)
	wide := r.lock.Size().Width
	drag(u, lock, -2000, 30)
	if r.lock.Size().Width != wide {
		t.Fatalf("coming back 30 from past the stop gave %v, then %v", wide, r.lock.Size().Width)
	}

	u.do(func() { lock.DoubleTapped(nil) })
	if got := r.lock.Size().Width; got != fileColumnWidths[colLock-1] {
		t.Fatalf("after a double click the column is %v wide", got)
	}
	columnsAgree(t, u, r)
	if saved, _ := loadPrefs(u.home); saved.ColumnWidths != nil {
		t.Fatalf("the reset left widths in the settings: %v", saved.ColumnWidths)
	}
}

// textWidth is how wide a header title's text is drawn.
func textWidth(btn *widget.Button) float32 {
	return fyne.MeasureText(btn.Text, theme.TextSize(), fyne.TextStyle{Bold: true}).Width
}

// The widths come back from the settings at the next start, and the rows
// have them; widths that do not fit the columns are ignored.
func TestColumnWidthsRestored(t *testing.T) {
	u := startWithPrefs(t, Prefs{ColumnWidths: []float32{120, 180, 260, 140}})
	u.win.Resize(fyne.NewSize(1400, 800))
	r := visibleRow(t, u, "contract.pdf")
	for _, c := range []struct {
		name string
		got  float32
		want float32
	}{{"size", r.size.Size().Width, 120}, {"modified", r.modified.Size().Width, 180}, {"lock", r.lock.Size().Width, 260}, {"seal", r.seal.Size().Width, 140}} {
		if c.got != c.want {
			t.Errorf("%s column %v wide, want %v", c.name, c.got, c.want)
		}
	}
	columnsAgree(t, u, r)
	for _, bad := range [][]float32{{1, 2}, {-5, 150, 200, 110}} {
		if got := restoredWidths(bad); len(got) != len(fileColumnWidths) || got[0] != fileColumnWidths[0] {
			t.Errorf("saved %v restored as %v", bad, got)
		}
	}
}

// At 800x600, in every language, no header title is cut, with the default
// widths and with every column dragged as narrow as it goes.
func TestColumnTitlesFitAt800(t *testing.T) {
	for _, l := range []string{"en", "zh", "zh-TW", "ja"} {
		t.Run(l, func(t *testing.T) {
			if err := setLanguage(l); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { setLanguage("en") })
			u := startWithPrefs(t, Prefs{})
			u.win.Resize(fyne.NewSize(800, 600))
			check := func(when string) {
				u.do(func() {
					for i, btn := range u.browser.headBtns {
						if btn.Visible() && btn.Size().Width < textWidth(btn)+theme.InnerPadding() {
							t.Errorf("%s: title %d %q is %v wide, its text needs %v", when, i, btn.Text, btn.Size().Width, textWidth(btn)+theme.InnerPadding())
						}
					}
				})
			}
			check("default widths")
			for _, h := range u.browser.handles {
				drag(u, h, 1000)
			}
			check("narrowest")
		})
	}
}
