package ui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
	"github.com/ossvault/ossvault/vault"
)

// needDisplay skips a test that needs a real X display and the test
// keychain, except in CI, where make test provides both and their absence is
// a failure.
func needDisplay(t *testing.T) string {
	t.Helper()
	d := os.Getenv("DISPLAY")
	ci := os.Getenv("CI") == "true"
	switch {
	case d == "" && ci:
		t.Fatal("DISPLAY is not set in CI: run the tests through internal/testenv/with-services.sh (make test)")
	case d == "":
		t.Skip("no X display: run through internal/testenv/with-services.sh")
	case os.Getenv("OSSVAULT_IN_SERVICES") != "1" && !ci:
		t.Skip("needs the throw-away keychain of internal/testenv/with-services.sh")
	}
	return d
}

// buildApp builds the ossvault binary from the repository's main package.
func buildApp(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "ossvault")
	// The e2e build describes its screen for the test (screentext.go).
	cmd := exec.Command("go", "build", "-tags", "e2e", "-o", bin, "github.com/ossvault/ossvault")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// runApp starts the app and stops it when the test ends.
func runApp(t testing.TB, bin string, env []string, args ...string) (log *bytes.Buffer, exited chan error) {
	t.Helper()
	log, exited, _ = runAppProcess(t, bin, env, args...)
	return log, exited
}

// runAppProcess is runApp that also hands out the process, to signal it.
func runAppProcess(t testing.TB, bin string, env []string, args ...string) (log *bytes.Buffer, exited chan error, proc *os.Process) {
	t.Helper()
	app := exec.Command(bin, args...)
	app.Env = env
	log = &bytes.Buffer{}
	app.Stdout, app.Stderr = log, log
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan error, 1)
	done := make(chan struct{})
	go func() { exited <- app.Wait(); close(done) }()
	t.Cleanup(func() {
		app.Process.Kill()
		<-done
	})
	return log, exited, app.Process
}

// openLocalWindow starts the built app with --local and waits for its
// window and for its ready file: the window maps, and takes part in XDND,
// before the first folder is listed, and a drop or a key counts only once
// a folder is on screen. The XDND source is closed with the test.
func openLocalWindow(t *testing.T, bin, display string, env []string, ready string) (appLog *bytes.Buffer, exited chan error, src *xdndSource, win xproto.Window) {
	t.Helper()
	appLog, exited = runApp(t, bin, env, "--local")
	src, err := newXDNDSource(display)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(src.close)
	win, err = src.findWindow(windowTitle, 60*time.Second)
	if err != nil {
		t.Fatalf("%v\napp output:\n%s", err, appLog)
	}
	if err := waitFile(ready, 60*time.Second); err != nil {
		t.Fatalf("%v\napp output:\n%s", err, appLog)
	}
	return appLog, exited, src, win
}

// TestE2EDropOnRealWindow runs the app in a real window on the embedded
// endpoint, drops two files on it through the X11 drag-and-drop protocol,
// and checks with the plain SDK that they were stored encrypted and decrypt
// to the same bytes.
func TestE2EDropOnRealWindow(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	home := t.TempDir()
	ready := filepath.Join(t.TempDir(), "ready")
	env := append(os.Environ(), "OSSVAULT_HOME="+home, "LANGUAGE=en", readyFileEnv+"="+ready)

	// A key made with the command line, so the app opens on its main screen.
	gen := exec.Command(bin, "key", "gen", "Mine", "--bits", "2048")
	gen.Env = env
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("key gen: %v\n%s", err, out)
	}

	dir := t.TempDir()
	files := map[string][]byte{
		"annual report.pdf": bytes.Repeat([]byte("confidential figures\n"), 50000),
		"工资单 三月.xlsx":       []byte("姓名,工资\n张三,10000\n"),
	}
	var paths []string
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}

	appLog, exited, src, win := openLocalWindow(t, bin, display, env, ready)
	// The window manager and the task bar show the app's own icon.
	if w, h, err := src.iconSize(win); err != nil || w != 256 || h != 256 {
		t.Errorf("window icon %dx%d (%v), want the 256x256 app icon", w, h, err)
	}
	if err := src.drop(win, 500, 400, paths); err != nil {
		t.Fatalf("drop: %v\napp output:\n%s", err, appLog)
	}
	if err := waitPendingEmpty(home, 2*time.Minute); err != nil {
		t.Fatalf("%v\napp output:\n%s", err, appLog)
	}
	time.Sleep(time.Second) // the folder refreshes after the uploads
	shot := filepath.Join("testdata", "output", "e2e-window.png")
	os.MkdirAll(filepath.Dir(shot), 0o755)
	if out, err := exec.Command("import", "-window", fmt.Sprintf("0x%x", uint32(win)), shot).CombinedOutput(); err != nil {
		t.Logf("no screenshot (imagemagick's import): %v %s", err, out)
	}
	if err := closeApp(src, win, exited, 30*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, appLog)
	}

	// Read what the app stored through our own endpoint on the same folder
	// and the plain SDK.
	store, err := osslocal.NewDiskStore(filepath.Join(home, localDir))
	if err != nil {
		t.Fatal(err)
	}
	cred := osslocal.Credential{AccessKeyID: "LTAIe2etest", AccessKeySecret: "e2e-secret"}
	srv, err := osslocal.New(osslocal.Options{Store: store, Credentials: []osslocal.Credential{cred}})
	if err != nil {
		t.Fatal(err)
	}
	endpoint, err := srv.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c, err := oss.New(endpoint, cred.AccessKeyID, cred.AccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := c.Bucket(demoBucket)
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range files {
		checkEncrypted(t, bk, v, name, data)
	}
}

// iconSize reads the size of the first image in the window's _NET_WM_ICON
// property, which is where the window system takes its icon from.
func (s *xdndSource) iconSize(w xproto.Window) (width, height uint32, err error) {
	a, err := xproto.InternAtom(s.conn, false, uint16(len("_NET_WM_ICON")), "_NET_WM_ICON").Reply()
	if err != nil {
		return 0, 0, err
	}
	r, err := xproto.GetProperty(s.conn, false, w, a.Atom, xproto.AtomCardinal, 0, 2).Reply()
	if err != nil {
		return 0, 0, err
	}
	if r.Format != 32 || len(r.Value) < 8 {
		return 0, 0, errors.New("the window has no _NET_WM_ICON")
	}
	return xgb.Get32(r.Value), xgb.Get32(r.Value[4:]), nil
}

// closeApp closes win as its close button does and waits up to d for
// the app to exit, saying how it did not exit cleanly.
func closeApp(src *xdndSource, win xproto.Window, exited chan error, d time.Duration) error {
	if err := src.closeWindow(win); err != nil {
		return err
	}
	return waitExit(exited, d)
}

// waitExit waits up to d for the app to exit, saying how it did not exit
// cleanly.
func waitExit(exited chan error, d time.Duration) error {
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("the app exited with %v", err)
		}
		return nil
	case <-time.After(d):
		return fmt.Errorf("the app did not close within %v", d)
	}
}

// waitFile waits for the app to create p.
func waitFile(p string, d time.Duration) error {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	return fmt.Errorf("the app did not show a folder within %v (no %s)", d, filepath.Base(p))
}

// waitPendingEmpty waits until the transfer journal has held queued jobs
// (the drop was queued) and has held none for a second.
func waitPendingEmpty(home string, d time.Duration) error {
	j, err := transfer.OpenJournal(home)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(d)
	var emptySince time.Time
	queued := false
	for time.Now().Before(deadline) {
		recs, err := j.List()
		n := 0
		for _, r := range recs {
			if r.Kind == transfer.KindQueuedUpload || r.Kind == transfer.KindQueuedDownload {
				n++
			}
		}
		switch {
		case err != nil:
		case n > 0:
			queued, emptySince = true, time.Time{}
		case !queued:
		case emptySince.IsZero():
			emptySince = time.Now()
		case time.Since(emptySince) > time.Second:
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !queued {
		return errors.New("the app never queued the dropped files")
	}
	return errors.New("the uploads did not finish in time")
}
