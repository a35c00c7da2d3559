package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// longName has no spaces to break at, as exported files often do not.
var longName = "Quarterly_payroll_reconciliation_for_all_branch_offices_including_overtime_and_bonuses_" +
	"final_version_approved_by_finance_department_2026-03-31.xlsx"

func rowOf(t *testing.T, u *appUI, name string) *fileRow {
	t.Helper()
	for _, o := range test.LaidOutObjects(u.win.Content()) {
		if r, ok := o.(*fileRow); ok && r.Visible() && r.name.Text == name {
			return r
		}
	}
	t.Fatalf("no row %q on screen; rows %v", name, rowNames(u.browser))
	return nil
}

// pointerOn is a point on r's name in the window, as a mouse event gives
// it: the row's place in the list, found by walking the list's rows.
func pointerOn(u *appUI, r *fileRow) fyne.Position {
	b := u.browser
	origin := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.tip.layer)
	y := float32(0)
	if b.list.CreateItem != nil {
		y = float32(r.id)*(r.MinSize().Height+theme.SeparatorThicknessSize()) + r.Size().Height/2
	}
	return origin.Add(fyne.NewPos(40, y))
}

// A name the row cuts with "…" shows whole when the pointer rests on it;
// one that fits shows no tip; the tip goes when the pointer leaves, and
// takes no click, so the row under it can still be chosen.
func TestLongNameShowsWholeOnHover(t *testing.T) {
	f := readyFake()
	f.addObject("This computer", "demo", longName, 1, Lock{Kind: LockNotEncrypted})
	u := startMain(t, f)
	b := u.browser
	u.do(func() { u.win.Resize(fyne.NewSize(800, 600)) })

	long := rowOf(t, u, longName)
	hover := func(r *fileRow) {
		u.do(func() {
			pos := pointerOn(u, r)
			r.name.MouseIn(&desktop.MouseEvent{PointEvent: fyne.PointEvent{AbsolutePosition: pos}})
			// What the timer does after the pointer rests for tipDelay.
			b.tip.show(r.name, pos)
		})
	}
	if !long.name.cut() {
		t.Fatalf("a %d-character name fits a %v-wide name column", len(longName), long.name.Size().Width)
	}
	hover(long)
	var tip string
	u.do(func() { tip = b.tip.showing() })
	if tip != longName {
		t.Fatalf("hovering the cut name shows %q", tip)
	}
	u.do(func() {
		lay := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.tip.layer)
		box := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.tip.box)
		if box.X < lay.X || box.X+b.tip.box.Size().Width > lay.X+b.tip.layer.Size().Width+1 {
			t.Errorf("the tip (x %v, width %v) leaves the list (x %v, width %v)", box.X, b.tip.box.Size().Width, lay.X, b.tip.layer.Size().Width)
		}
	})
	u.do(long.name.MouseOut)
	u.do(func() { tip = b.tip.showing() })
	if tip != "" {
		t.Fatalf("the tip stays after the pointer left: %q", tip)
	}

	short := rowOf(t, u, "old.txt")
	hover(short)
	u.do(func() { tip = b.tip.showing() })
	if tip != "" {
		t.Fatalf("a name that fits shows a tip %q", tip)
	}

	// A click where the tip is chooses the row under it.
	hover(long)
	test.Tap(long)
	u.wait()
	if e, ok := b.selected(); !ok || e.Name != longName {
		t.Fatalf("a click on the row with its tip showing chose %+v", e)
	}
	u.do(func() { tip = b.tip.showing() })
	if tip != "" {
		t.Fatal("the tip stays after a click")
	}
}

// The Details dialog wraps a long name and keeps within a small window.
func TestDetailsWrapsLongNames(t *testing.T) {
	f := readyFake()
	f.addObject("This computer", "demo", longName, 1, Lock{Kind: LockNotEncrypted})
	u := startMain(t, f)
	b := u.browser
	for _, size := range []fyne.Size{{Width: 800, Height: 600}, {Width: 1280, Height: 800}} {
		u.do(func() {
			u.win.Resize(size)
			selectFile(t, b, longName)
			b.onDetails()
		})
		u.wait()
		u.do(func() {
			d := u.win.Canvas().Overlays().Top()
			if d == nil || b.details == nil {
				t.Fatal("Details did not open")
			}
			win := u.win.Canvas().Size()
			var nameLabel *widget.Label
			for _, o := range test.LaidOutObjects(d) {
				l, ok := o.(*widget.Label)
				if !ok || !l.Visible() {
					continue
				}
				if l.Text == longName {
					nameLabel = l
				}
				p := fyne.CurrentApp().Driver().AbsolutePositionForObject(l)
				if p.X < 0 || p.Y < 0 || p.X+l.Size().Width > win.Width+0.5 || p.Y+l.Size().Height > win.Height+0.5 {
					t.Errorf("at %v, %q (at %v, %v) runs off the window", size, l.Text, p, l.Size())
				}
			}
			if nameLabel == nil {
				t.Fatal("Details does not show the name")
			}
			if nameLabel.Wrapping == fyne.TextWrapOff || nameLabel.Truncation != fyne.TextTruncateOff {
				t.Errorf("Details cuts the name instead of wrapping it")
			}
			one := fyne.MeasureText("X", 14, fyne.TextStyle{}).Height
			if nameLabel.Size().Height < 2*one {
				t.Errorf("at %v the name takes %v of height: not wrapped onto lines", size, nameLabel.Size().Height)
			}
			if strings.Contains(nameLabel.Text, "…") {
				t.Error("the name is cut")
			}
			b.details.Hide()
		})
	}
}
