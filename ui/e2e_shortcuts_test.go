package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jezek/xgb/xproto"
	"github.com/jezek/xgb/xtest"
)

// TestE2EShortcuts drives the file list of a real window with the X
// server's keyboard and mouse: F5 shows a file the command line put while
// the app runs; Tab reaches the list; the arrow keys and Home move the
// selection; Delete asks, Esc keeps the file and Enter deletes it from the
// store; F2 opens Rename and Esc closes it with nothing renamed; Ctrl+A
// chooses every row; a click, Shift-click and Ctrl-clicks choose several
// rows with the mouse; Enter on a folder opens it.
//
// On the build issue 15 was filed against, F5 did nothing, so the files
// never showed and the test fails at its first step; Tab never reached
// the list (the focus stayed off *ui.fileList), the arrow keys, Delete, F2
// and Ctrl+A did nothing (no question, no Rename dialog, no "4 selected"),
// Enter and Esc did not answer the question, and Ctrl- and Shift-click
// chose one row at a time (never "3 selected").
func TestE2EShortcuts(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	_, ready, env := appEnv(t, bin)
	screen, screenEnv := screenTextFile(t)
	env = append(env, "HOME="+t.TempDir(), screenEnv)
	appLog, _ := runApp(t, bin, env, "--local")
	src, err := newXDNDSource(display)
	if err != nil {
		t.Fatal(err)
	}
	defer src.close()
	s := openRealScreen(t, display, screen, src, appLog)
	if err := waitFile(ready, 60*time.Second); err != nil {
		s.fatalf("%v", err)
	}
	s.waitText("This folder is empty", 30*time.Second)

	// The command line stores four files and a folder while the app runs:
	// the window shows them once F5 lists the folder again.
	cli := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, append(args, "--account", localAccountName)...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			s.fatalf("ossvault %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	dir := t.TempDir()
	files := []string{"alpha.txt", "bravo.txt", "charlie.txt", "delta.txt"}
	var paths []string
	for _, n := range append(slices.Clone(files), "q1.txt") {
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, []byte("figures of "+n+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	cli(append(append([]string{"put"}, paths[:4]...), "oss://"+demoBucket+"/")...)
	cli("put", paths[4], "oss://"+demoBucket+"/reports/")
	s.press(xkF5)
	s.waitText("delta.txt", 30*time.Second)
	s.waitText("5 items", 10*time.Second)
	stored := func() []string {
		var names []string
		for _, line := range strings.Split(strings.TrimSpace(cli("ls", "oss://"+demoBucket)), "\n") {
			if f := strings.Split(line, "\t"); len(f) == 4 {
				names = append(names, f[3])
			}
		}
		slices.Sort(names)
		return names
	}

	// Tab, pressed as often as it takes, reaches the list, whose first
	// row (the folder: folders come first) is then chosen.
	s.tabTo("*ui.fileList", 20)
	s.waitText("double-click “reports” to open it", 10*time.Second)

	// Down chooses the first file; Delete asks about it, by name.
	s.press(xkDown)
	s.waitGone("double-click “reports”", 10*time.Second)
	s.press(xkDelete)
	s.waitText("Delete “alpha.txt”?", 10*time.Second)
	s.press(xkEscape)
	s.waitGone("Delete “alpha.txt”?", 10*time.Second)
	if got := stored(); !slices.Contains(got, "alpha.txt") {
		s.fatalf("Esc on the question deleted alpha.txt: the store has %v", got)
	}
	s.press(xkDelete)
	s.waitText("Delete “alpha.txt”?", 10*time.Second)
	s.press(xkReturn)
	s.waitNoItem("alpha.txt", 30*time.Second)
	if got := stored(); slices.Contains(got, "alpha.txt") {
		s.fatalf("Enter on the question left alpha.txt in the store: %v", got)
	}
	before := stored()

	// Home goes back to the folder, Down to bravo.txt; F2 opens Rename,
	// and Esc closes it with the names as they were.
	s.press(xkHome)
	s.waitText("double-click “reports” to open it", 10*time.Second)
	s.press(xkDown)
	s.waitGone("double-click “reports”", 10*time.Second)
	s.press(xkF2)
	s.waitTitle("Rename", 10*time.Second)
	s.press(xkEscape)
	s.waitNoDialog(10 * time.Second)
	if got := stored(); !slices.Equal(got, before) {
		s.fatalf("Esc on Rename changed the store from %v to %v", before, got)
	}

	// Ctrl+A chooses all four rows.
	s.press(xkA, xkCtrlL)
	s.waitText("4 selected", 10*time.Second)

	// The mouse: a click on bravo.txt, Shift-click on delta.txt chooses
	// the three files; Ctrl-click adds the folder and takes charlie.txt
	// away again.
	s.click("text", "bravo.txt")
	s.waitGone("selected", 10*time.Second)
	s.clickHeld("delta.txt", xkShiftL)
	s.waitText("3 selected", 10*time.Second)
	s.clickHeld("reports", xkCtrlL)
	s.waitText("4 selected", 10*time.Second)
	s.clickHeld("charlie.txt", xkCtrlL)
	s.waitText("3 selected", 10*time.Second)

	// Home chooses the folder alone; Enter opens it.
	s.press(xkHome)
	s.waitText("double-click “reports” to open it", 10*time.Second)
	s.press(xkReturn)
	s.waitText("q1.txt", 30*time.Second)
	s.waitNoItem("bravo.txt", 10*time.Second)
}

// xkHome is the Home key's keysym.
const xkHome = 0xff50

// tabTo presses Tab until what has the keyboard is of Go type kind, at
// most n times.
func (s *realScreen) tabTo(kind string, n int) {
	s.t.Helper()
	for range n {
		s.press(xkTab)
		v, _ := s.read()
		if v.Focus != nil && v.Focus.Kind == kind {
			return
		}
		// The description is written every 100 ms: give it one more.
		time.Sleep(screenTextEvery)
		if v, _ = s.read(); v.Focus != nil && v.Focus.Kind == kind {
			return
		}
	}
	s.fatalf("%d presses of Tab never gave the keyboard to a %s", n, kind)
}

// waitTitle waits for a dialog (a layer over the content) whose text
// holds title.
func (s *realScreen) waitTitle(title string, d time.Duration) {
	s.t.Helper()
	s.wait("a dialog saying "+title, d, func(v screenText) bool {
		it, ok := v.find("text", title)
		return ok && it.Layer > 0
	})
}

// waitNoItem waits until no item's text is text.
func (s *realScreen) waitNoItem(text string, d time.Duration) {
	s.t.Helper()
	s.wait("no "+text+" on the screen", d, func(v screenText) bool {
		return !slices.ContainsFunc(v.Items, func(it screenItem) bool { return it.Text == text })
	})
}

// waitNoDialog waits until nothing lies over the window's content.
func (s *realScreen) waitNoDialog(d time.Duration) {
	s.t.Helper()
	s.wait("no dialog", d, func(v screenText) bool { return v.Layers == 0 })
}

// clickHeld clicks the text holding sub with the keys held, as a person
// holds Shift or Ctrl while clicking: the keys go down before the button
// and come up soon after it.
func (s *realScreen) clickHeld(sub string, held ...xproto.Keysym) {
	s.t.Helper()
	it := s.waitText(sub, 30*time.Second)
	key := func(typ byte, sym xproto.Keysym) {
		s.t.Helper()
		if err := xtest.FakeInputChecked(s.keys.conn, typ, byte(s.keys.codes[sym]), xproto.TimeCurrentTime, s.keys.root, 0, 0, 0).Check(); err != nil {
			s.t.Fatal(err)
		}
	}
	for _, h := range held {
		key(xproto.KeyPress, h)
	}
	time.Sleep(50 * time.Millisecond)
	err := s.mouse.click(it.center())
	time.Sleep(50 * time.Millisecond)
	for i := len(held) - 1; i >= 0; i-- {
		key(xproto.KeyRelease, held[i])
	}
	if err != nil {
		s.t.Fatal(err)
	}
}
