package ui

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// scriptedDialogs answers as a user at the desktop's dialog would.
type scriptedDialogs struct {
	mu    sync.Mutex
	paths []string
	err   error
	asked []string // "files", "files+", "folder", "save NAME"
}

func (d *scriptedDialogs) note(what string) ([]string, error) {
	d.mu.Lock()
	d.asked = append(d.asked, what)
	paths, err := d.paths, d.err
	d.mu.Unlock()
	return paths, err
}

func (d *scriptedDialogs) openFiles(_ string, multiple bool) ([]string, error) {
	what := "files"
	if multiple {
		what = "files+"
	}
	return d.note(what)
}

func (d *scriptedDialogs) openFolder(string) (string, error) {
	p, err := d.note("folder")
	if len(p) == 0 {
		return "", err
	}
	return p[0], err
}

func (d *scriptedDialogs) saveFile(_, name string) (string, error) {
	p, err := d.note("save " + name)
	if len(p) == 0 {
		return "", err
	}
	return p[0], err
}

// answered waits for the desktop dialog to be answered and for what the
// answer started.
func answered(u *appUI) {
	u.pick.asking.Wait()
	u.wait()
}

// Upload → Files uses the desktop's dialog, which picks several files at
// once; each chosen file is uploaded. Canceling uploads nothing and shows
// no other dialog; a desktop dialog that fails gives way to Fyne's.
func TestPickerUsesTheDesktopDialog(t *testing.T) {
	for _, tc := range []struct {
		name      string
		paths     []string
		err       error
		uploads   int
		fyneShown bool
		stillUsed bool
	}{
		{"chosen", []string{"one.pdf", "two.pdf"}, nil, 2, false, true},
		{"canceled", nil, errCanceled, 0, false, true},
		{"tool broken", nil, errors.New("exec: zenity: Gtk-WARNING: cannot open display"), 0, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for i, name := range tc.paths {
				tc.paths[i] = filepath.Join(dir, name)
				if err := os.WriteFile(tc.paths[i], []byte(name), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			f := readyFake()
			u := startMain(t, f)
			d := &scriptedDialogs{paths: tc.paths, err: tc.err}
			u.pick.native = d
			u.pick.openFiles("Choose files to upload", true, u.browser.uploadPaths)
			answered(u)
			if got := len(f.uploads); tc.uploads == 0 && got != 0 {
				t.Fatalf("%d uploads after %s", got, tc.name)
			}
			if tc.uploads > 0 && (len(f.uploads) != 1 || !slices.Equal(f.uploads[0].Paths, tc.paths)) {
				t.Fatalf("uploads: %+v, want one of %q", f.uploads, tc.paths)
			}
			var shown bool
			u.do(func() { shown = u.win.Canvas().Overlays().Top() != nil })
			if shown != tc.fyneShown {
				t.Errorf("Fyne's dialog shown: %v, want %v", shown, tc.fyneShown)
			}
			if used := u.pick.native != nil; used != tc.stillUsed {
				t.Errorf("desktop dialog still in use: %v, want %v", used, tc.stillUsed)
			}
			if !slices.Equal(d.asked, []string{"files+"}) {
				t.Errorf("asked %q, want one multiple-file question", d.asked)
			}
		})
	}
}

// A backup saved through the desktop's dialog lands where it said, made
// readable by the user only, and the message names the place.
func TestPickerSavesBackupWhereTheDesktopSaid(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are POSIX's")
	}
	f := readyFake()
	u := startMain(t, f)
	dest := filepath.Join(t.TempDir(), "keys.age")
	d := &scriptedDialogs{paths: []string{dest}}
	u.pick.native = d
	u.firstRun.pass1.SetText("correct horse battery")
	u.firstRun.pass2.SetText("correct horse battery")
	u.firstRun.onBackupDialog()
	answered(u)
	fi, err := os.Stat(dest)
	if err != nil {
		t.Fatalf("no backup at the chosen place: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600", fi.Mode().Perm())
	}
	if data, _ := os.ReadFile(dest); len(data) == 0 {
		t.Error("the backup is empty")
	}
	if u.firstRun.backupPath != dest {
		t.Errorf("the app says the backup went to %q, want %q", u.firstRun.backupPath, dest)
	}
	if !slices.Equal(d.asked, []string{"save " + backupFileName}) {
		t.Errorf("asked %q", d.asked)
	}
}

// Without the desktop's dialogs, Fyne's open as before.
func TestPickerFallsBackToFyne(t *testing.T) {
	u := startMain(t, readyFake())
	u.pick.native = nil
	u.do(func() { u.pick.openFolder("Choose the download folder", func(string) {}) })
	var top fyne.CanvasObject
	u.do(func() { top = u.win.Canvas().Overlays().Top() })
	if top == nil {
		t.Fatal("no dialog opened without the desktop's dialogs")
	}
	found := false
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Open" {
			found = true
		}
	}
	if !found {
		t.Error("the dialog shown is not Fyne's folder dialog")
	}
}

// The zenity library really runs the desktop's tool and reads its answer:
// here a stand-in for zenity on PATH that answers as zenity does (paths
// separated by the separator asked for; exit 1 on cancel).
func TestZenityDialogsTalkToTheTool(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "darwin" {
		t.Skip("zenity's command-line tool is the Linux path")
	}
	dir := t.TempDir()
	answer := filepath.Join(dir, "answer")
	script := `#!/bin/sh
echo "$@" >> "` + filepath.Join(dir, "args") + `"
sep=
while [ $# -gt 0 ]; do [ "$1" = --separator ] && sep=$2; shift; done
[ -s "` + answer + `" ] || exit 1
first=1
while IFS= read -r line; do
  if [ -n "$first" ]; then printf '%s' "$line"; first=; else printf '%s%s' "$sep" "$line"; fi
done < "` + answer + `"
echo
`
	for _, tool := range []string{"zenity", "qarma", "matedialog"} {
		if err := os.WriteFile(filepath.Join(dir, tool), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	os.WriteFile(answer, []byte("/srv/a b.pdf\n/srv/c.pdf\n"), 0o600)

	var z zenityDialogs
	got, err := z.openFiles("Choose files to upload", true)
	if err != nil || !slices.Equal(got, []string{"/srv/a b.pdf", "/srv/c.pdf"}) {
		t.Fatalf("openFiles: %q, %v", got, err)
	}
	os.WriteFile(answer, []byte("/srv/keys.age\n"), 0o600)
	if p, err := z.saveFile("Back up my keys", backupFileName); err != nil || p != "/srv/keys.age" {
		t.Fatalf("saveFile: %q, %v", p, err)
	}
	os.WriteFile(answer, nil, 0o600)
	if _, err := z.openFolder("Choose the download folder"); !errors.Is(err, errCanceled) {
		t.Fatalf("a canceled dialog: %v, want errCanceled", err)
	}
	args, _ := os.ReadFile(filepath.Join(dir, "args"))
	for _, want := range []string{"--multiple", "--save", "--filename " + backupFileName, "--confirm-overwrite", "--directory"} {
		if !strings.Contains(string(args), want) {
			t.Errorf("the tool was never asked with %q; it got:\n%s", want, args)
		}
	}
}
