package ui

import (
	"os"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/jezek/xgb/xproto"
)

// TestE2EColumnResize drags the file list's column handles with the mouse
// in a real window. The handles are in the gaps between the titles. The
// name keeps its least width, so Locked with is narrowed first (its handle
// dragged right, the name takes the room), then Size widened (its handle
// dragged left, into the name's room); closed and started again, Size is
// as wide as it was left.
//
// On the build issue 15 was filed against the columns had no handle, so
// the drags left every column as wide as before.
func TestE2EColumnResize(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	_, ready, env := appEnv(t, bin)
	env = append(env, "HOME="+t.TempDir())
	s, src, exited := startLongNames(t, bin, display, env, ready)

	grip := func(left, right screenItem) fyne.Position {
		return fyne.NewPos((left.X+left.W+right.X)/2, right.Y+right.H/2)
	}
	v := s.settled("the column titles", "Locked with", func(screenItem) bool { return true })
	modified, _ := v.find("button", "Modified")
	locked, _ := v.find("button", "Locked with")
	if err := s.mouse.drag(grip(modified, locked), grip(modified, locked).Add(fyne.NewPos(90, 0))); err != nil {
		t.Fatal(err)
	}
	v = s.settled("a narrower Locked with column", "Locked with", func(it screenItem) bool { return it.W <= locked.W-60 })
	name, _ := v.find("button", "Name")
	size, _ := v.find("button", "Size")
	if err := s.mouse.drag(grip(name, size), grip(name, size).Add(fyne.NewPos(-90, 0))); err != nil {
		t.Fatal(err)
	}
	wider := s.settled("a wider Size column", "Size", func(it screenItem) bool { return it.W >= size.W+60 })
	got, _ := wider.find("button", "Size")

	// Closed and started again, the column is as wide as it was left.
	if err := src.closeWindow(s.mouse.win); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		s.fatalf("the app did not close")
	}
	os.Remove(ready)
	s, _, _ = startLongNames(t, bin, display, env, ready)
	again := s.settled("the column titles after a restart", "Size", func(screenItem) bool { return true })
	if it, _ := again.find("button", "Size"); it.W-got.W < -1 || it.W-got.W > 1 {
		s.fatalf("after a restart Size is %.0f wide, was dragged to %.0f", it.W, got.W)
	}
}

// settled waits for the button holding title to meet ok, with the same
// place and size in two descriptions in a row (a drag is over), and gives
// that description.
func (s *realScreen) settled(what, title string, ok func(screenItem) bool) screenText {
	s.t.Helper()
	var last screenItem
	lastSeq := 0
	return s.wait(what, 10*time.Second, func(v screenText) bool {
		it, found := v.find("button", title)
		same := found && v.Seq > lastSeq && it == last
		if v.Seq > lastSeq {
			last, lastSeq = it, v.Seq
		}
		return same && ok(it)
	})
}

// drag presses the first button at from, moves to to in steps, as a hand
// does, and lets go there.
func (m *xMouse) drag(from, to fyne.Position) error {
	if err := m.move(from); err != nil {
		return err
	}
	x0, y0, _ := m.onScreen(from)
	x1, y1, err := m.onScreen(to)
	if err != nil {
		return err
	}
	time.Sleep(50 * time.Millisecond)
	if err := m.fake(xproto.ButtonPress, 1, 0, 0); err != nil {
		return err
	}
	const steps = 12
	for i := 1; i <= steps; i++ {
		x, y := x0+(x1-x0)*int16(i)/steps, y0+(y1-y0)*int16(i)/steps
		if err := m.fake(xproto.MotionNotify, 0, x, y); err != nil {
			return err
		}
		time.Sleep(30 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	return m.fake(xproto.ButtonRelease, 1, 0, 0)
}
