package ui

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"github.com/jezek/xgb/xproto"
)

// transferWindow is the app in a real window on the embedded endpoint,
// with a key of the user's, ready for drops.
type transferWindow struct {
	*realScreen
	bin, home string
	env       []string
	// display and screen are where the app shows its window and describes
	// it, and ready the file it makes once it shows a folder.
	display, screen, ready string
	src                    *xdndSource
	win                    xproto.Window
	exited                 chan error
}

// openTransferWindow starts the app on a new home with a key and prefs
// (the first-run screens done), and waits for its first folder.
func openTransferWindow(t *testing.T, bin string, prefs Prefs) *transferWindow {
	t.Helper()
	display := needDisplay(t)
	home, ready, env := appEnv(t, bin)
	prefs.SetupDone, prefs.KeysBackedUp = true, true
	if err := prefs.save(home); err != nil {
		t.Fatal(err)
	}
	screen, screenEnv := screenTextFile(t)
	env = append(env, "HOME="+t.TempDir(), screenEnv)
	w := &transferWindow{bin: bin, home: home, env: env, display: display, screen: screen, ready: ready}
	w.start(t)
	return w
}

// start runs the app on w's home and waits for its window and first folder.
func (w *transferWindow) start(t *testing.T) {
	t.Helper()
	os.Remove(w.screen)
	os.Remove(w.ready)
	var appLog fmt.Stringer
	appLog, w.exited, w.src, w.win = openLocalWindow(t, w.bin, w.display, w.env, w.ready)
	w.realScreen = openRealScreen(t, w.display, w.screen, w.src, appLog)
}

// drop drops paths on the middle of the window, as a file manager does.
func (w *transferWindow) drop(paths ...string) {
	w.t.Helper()
	v := w.wait("a description", 10*time.Second, func(v screenText) bool { return v.Width > 0 })
	x, y := w.mouse.pixel(fyne.NewPos(v.Width/2, v.Height/2))
	if err := w.src.drop(w.win, x, y, paths); err != nil {
		w.fatalf("drop: %v", err)
	}
}

// tab clicks the tab named name.
func (s *realScreen) tab(name string) {
	s.t.Helper()
	var it screenItem
	s.wait(fmt.Sprintf("the %s tab", name), 30*time.Second, func(v screenText) bool {
		var ok bool
		it, ok = v.tabItem(name)
		return ok
	})
	if err := s.mouse.click(it.center()); err != nil {
		s.t.Fatal(err)
	}
}

// tabItem is the topmost text of the content reading exactly name: a tab.
func (v screenText) tabItem(name string) (screenItem, bool) {
	var best screenItem
	found := false
	for _, it := range v.Items {
		if it.Layer == 0 && it.Kind == "text" && it.Text == name && (!found || it.Y < best.Y) {
			best, found = it, true
		}
	}
	return best, found
}

// summary is what the status bar says about transfers: the right-hand
// text of the bottom line.
func (v screenText) summary() string {
	var best screenItem
	for _, it := range v.Items {
		if it.Layer == 0 && it.Kind == "text" && it.Y+it.H >= v.Height-40 && it.X > best.X {
			best = it
		}
	}
	return best.Text
}

// storedObjects reads the embedded endpoint's store on home: each
// object's key and when it was stored.
func storedObjects(t *testing.T, home string) map[string]time.Time {
	t.Helper()
	out := map[string]time.Time{}
	dir := filepath.Join(home, localDir, "buckets", demoBucket, "objects")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".tmp-") {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		head := make([]byte, 12+1024)
		n, _ := f.Read(head)
		head = head[:n]
		// The key header (osslocal/disk.go): "OSSLOCk1", its length, the key.
		if len(head) < 12 || !bytes.Equal(head[:8], []byte("OSSLOCk1")) {
			return nil
		}
		if l := int(binary.BigEndian.Uint32(head[8:12])); 12+l <= len(head) {
			out[string(head[12:12+l])] = info.ModTime()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// manyFiles is the number of small files in the dropped folder.
const manyFiles = 2000

// TestE2EManyFiles drops a folder of 2,000 small files on the real window
// and watches it while they go. The Files screen keeps being redrawn (the
// description's seq keeps going up) and does not hang on "Loading…"; the
// status bar says all is done soon after the endpoint stored the last
// object; the Transfers screen shows the folder as one row with its totals,
// which opens to show the files.
//
// The build the issue was filed against fell minutes behind: every event
// took its own turn on the UI goroutine, so the descriptions (written on
// that goroutine) stopped for long stretches, Files stayed on "Loading…",
// the summary read "3 transferring, 643 waiting" long after the store held
// every object (the lag bound fails), and Transfers had a row per file (the
// one-row check fails).
func TestE2EManyFiles(t *testing.T) {
	bin := buildApp(t)
	w := openTransferWindow(t, bin, Prefs{})
	dir := filepath.Join(t.TempDir(), "Payroll 2026")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range manyFiles {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("slip-%04d.txt", i)), []byte(fmt.Sprintf("slip %d\n", i)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w.waitText("This folder is empty", 30*time.Second)

	start := time.Now()
	w.drop(dir)
	// Watch every description until the status bar says the folder is in.
	var (
		last                  screenText
		descriptions          int
		longestGap            time.Duration
		loadingSince          int64
		longestLoading        time.Duration
		firstAllDone, doneAt  int64
		doneStatus, doneWords string
	)
	for deadline := time.Now().Add(3 * time.Minute); doneAt == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			w.fatalf("after %v the status bar still says %q", time.Since(start), last.summary())
		}
		v, err := w.read()
		if err != nil || v.Seq == last.Seq {
			continue
		}
		if last.Seq != 0 {
			longestGap = max(longestGap, time.Duration(v.At-last.At))
		}
		descriptions++
		_, loading := v.find("", "Loading…")
		switch {
		case loading && loadingSince == 0:
			loadingSince = v.At
		case loading:
			longestLoading = max(longestLoading, time.Duration(v.At-loadingSince))
		default:
			loadingSince = 0
		}
		sum := v.summary()
		if strings.Contains(sum, "All transfers are done.") && firstAllDone == 0 {
			firstAllDone = v.At
		}
		if st, ok := v.find("text", fmt.Sprintf("Uploaded %d files", manyFiles)); ok && strings.Contains(sum, "All transfers are done.") {
			doneAt, doneStatus, doneWords = v.At, st.Text, sum
		}
		last = v
	}
	objs := storedObjects(t, w.home)
	var lastStored time.Time
	n := 0
	for k, at := range objs {
		if strings.HasPrefix(k, "Payroll 2026/slip-") {
			n++
			lastStored = later(lastStored, at)
		}
	}
	if n != manyFiles {
		w.fatalf("the status bar says %q / %q, and the store holds %d of the %d files", doneStatus, doneWords, n, manyFiles)
	}
	lag := time.Duration(doneAt - lastStored.UnixNano())
	t.Logf("%d files in %v; the status bar said done %v after the last object was stored; %d descriptions, longest gap %v; longest on \"Loading…\" %v",
		manyFiles, time.Since(start).Round(time.Millisecond), lag.Round(time.Millisecond), descriptions, longestGap.Round(time.Millisecond), longestLoading.Round(time.Millisecond))
	// The goal is a second; a loaded two-core machine gets slack.
	if lag > 5*time.Second {
		w.fatalf("the status bar said done %v after the last object was stored", lag)
	}
	if early := time.Duration(lastStored.UnixNano() - firstAllDone); early > 0 {
		w.fatalf("the status bar said %q %v before the last object was stored", "All transfers are done.", early)
	}
	if longestGap > 10*time.Second || longestLoading > 10*time.Second {
		w.fatalf("the window fell behind: no new description for %v, \"Loading…\" for %v", longestGap, longestLoading)
	}
	// Files lists the folder.
	w.waitText("Payroll 2026", 10*time.Second)
	w.waitGone("Loading…", 10*time.Second)

	// Transfers: one row for the folder, with its totals.
	w.tab("Transfers")
	row := w.waitText("Payroll 2026 (2000 files)", 10*time.Second)
	v, _ := w.read()
	if slips := v.all("text", "slip-"); len(slips) > 0 {
		w.fatalf("the folder shows a row per file: %+v", slips[0])
	}
	if _, ok := v.find("text", "2000 of 2000 done"); !ok {
		w.fatalf("the folder's row has no totals")
	}
	if !strings.HasPrefix(row.Text, "▸") {
		w.fatalf("the folder's row %q does not show it opens", row.Text)
	}
	// Opened, it lists its files under it.
	w.click("text", "Payroll 2026 (2000 files)")
	w.waitText("▾ Payroll 2026", 10*time.Second)
	first := w.waitText("slip-0000.txt", 10*time.Second)
	if first.Y <= row.Y {
		w.fatalf("the folder's first file is at %+v, not under its row at %+v", first, row)
	}
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
