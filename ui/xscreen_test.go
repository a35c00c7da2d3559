package ui

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/jezek/xgb/xproto"
)

// realScreen reads what the app under test shows in its real window, from
// the description its e2e build keeps (screentext.go), and clicks and types
// on it through the X server, as a person's mouse and keyboard would.
type realScreen struct {
	t     *testing.T
	path  string
	mouse *xMouse
	keys  *xKeyboard
	// log is the app's output, shown when a step fails.
	log fmt.Stringer
	// fails names the screenshot taken when a step fails.
	fails string
}

// screenTextFile is where an app started with env describes its screen.
func screenTextFile(t *testing.T) (path, env string) {
	p := filepath.Join(t.TempDir(), "screen.json")
	return p, screenTextEnv + "=" + p
}

// openRealScreen waits for the app's first description, then for its
// window, and gets a mouse and a keyboard for it.
func openRealScreen(t *testing.T, display, path string, src *xdndSource, log fmt.Stringer) *realScreen {
	t.Helper()
	s := &realScreen{t: t, path: path, log: log, fails: t.Name() + "-failed.png"}
	first := s.wait("a first description of the screen", 60*time.Second, func(v screenText) bool { return v.Width > 0 })
	win, err := src.findWindow(windowTitle, 30*time.Second)
	if err != nil {
		s.fatalf("%v", err)
	}
	if s.mouse, err = newXMouse(display, win, first.Width); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.mouse.close)
	if s.keys, err = newXKeyboard(display); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.keys.close)
	if err := s.keys.focus(win); err != nil {
		t.Fatal(err)
	}
	return s
}

// read is the last description the app wrote.
func (s *realScreen) read() (screenText, error) {
	var v screenText
	b, err := os.ReadFile(s.path)
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(b, &v)
}

// fatalf ends the test with a screenshot, what the screen said last, and
// the app's output.
func (s *realScreen) fatalf(format string, args ...any) {
	s.t.Helper()
	if s.mouse != nil {
		s.mouse.shot(s.t, s.fails)
	}
	v, _ := s.read()
	s.t.Fatalf(format+"\nthe screen said: %s\napp output:\n%s", append(args, v.texts(), s.log)...)
}

// wait is the first description for which ok holds, within d.
func (s *realScreen) wait(what string, d time.Duration, ok func(screenText) bool) screenText {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		v, err := s.read()
		if err == nil && ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			s.fatalf("after %v, still no %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitText waits for an item whose text holds sub, on the topmost layer
// or any if anyLayer, and returns it.
func (s *realScreen) waitText(sub string, d time.Duration) screenItem {
	s.t.Helper()
	var it screenItem
	s.wait(fmt.Sprintf("%q on the screen", sub), d, func(v screenText) bool {
		var ok bool
		it, ok = v.find("", sub)
		return ok
	})
	return it
}

// waitGone waits until no item holds sub.
func (s *realScreen) waitGone(sub string, d time.Duration) {
	s.t.Helper()
	s.wait(fmt.Sprintf("end of %q on the screen", sub), d, func(v screenText) bool {
		_, ok := v.find("", sub)
		return !ok
	})
}

// click clicks the middle of the topmost item of kind (any if "") whose
// text holds sub, once it is on show and, for a control, enabled.
func (s *realScreen) click(kind, sub string) screenItem {
	s.t.Helper()
	var it screenItem
	s.wait(fmt.Sprintf("%s %q to click", kind, sub), 30*time.Second, func(v screenText) bool {
		var ok bool
		it, ok = v.find(kind, sub)
		return ok && !it.Off
	})
	if err := s.mouse.click(it.center()); err != nil {
		s.t.Fatal(err)
	}
	return it
}

// clickExact clicks the topmost item of kind (any if "") whose whole text
// is text, once it is on show and enabled.
func (s *realScreen) clickExact(kind, text string) screenItem {
	s.t.Helper()
	var it screenItem
	s.wait(fmt.Sprintf("%s %q to click", kind, text), 30*time.Second, func(v screenText) bool {
		for i := len(v.Items) - 1; i >= 0; i-- {
			if x := v.Items[i]; (kind == "" || x.Kind == kind) && x.Text == text && !x.Off {
				it = x
				return true
			}
		}
		return false
	})
	if err := s.mouse.click(it.center()); err != nil {
		s.t.Fatal(err)
	}
	return it
}

// press sends one key, with the keys held.
func (s *realScreen) press(key xproto.Keysym, held ...xproto.Keysym) {
	s.t.Helper()
	if err := s.keys.press(key, held...); err != nil {
		s.t.Fatal(err)
	}
}

// typeText types text as key presses, one character at a time.
func (s *realScreen) typeText(text string) {
	s.t.Helper()
	if err := s.keys.typeText(text); err != nil {
		s.t.Fatal(err)
	}
}

// find is the topmost item of kind (any if "") whose text holds sub.
// Items on a lower layer than the topmost one holding anything are under a
// dialog, and are found only when nothing above matches.
func (v screenText) find(kind, sub string) (screenItem, bool) {
	for i := len(v.Items) - 1; i >= 0; i-- {
		it := v.Items[i]
		if (kind == "" || it.Kind == kind) && strings.Contains(it.Text, sub) {
			return it, true
		}
	}
	return screenItem{}, false
}

// all is every item of kind (any if "") whose text holds sub.
func (v screenText) all(kind, sub string) []screenItem {
	var out []screenItem
	for _, it := range v.Items {
		if (kind == "" || it.Kind == kind) && strings.Contains(it.Text, sub) {
			out = append(out, it)
		}
	}
	return out
}

// texts is what the screen says, one item a line, for a failure's message.
func (v screenText) texts() string {
	var b strings.Builder
	for _, it := range v.Items {
		fmt.Fprintf(&b, "\n  [%d] %s %q at %.0f,%.0f %.0fx%.0f", it.Layer, it.Kind, it.Text, it.X, it.Y, it.W, it.H)
		if it.Off {
			b.WriteString(" (off)")
		}
	}
	if v.Focus != nil {
		fmt.Fprintf(&b, "\n  focus: %s at %.0f,%.0f", v.Focus.Kind, v.Focus.X, v.Focus.Y)
	}
	return b.String()
}

func (it screenItem) center() fyne.Position {
	return fyne.NewPos(it.X+it.W/2, it.Y+it.H/2)
}
