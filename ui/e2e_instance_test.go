//go:build !windows

package ui

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb/xproto"

	"github.com/ossvault/ossvault/vault"
)

// appEnv makes a home with a key made by the command line, so the app opens
// on its main screen, and returns the environment to run the app in and
// the ready file it creates once it shows a folder.
func appEnv(t *testing.T, bin string) (home, ready string, env []string) {
	t.Helper()
	home = t.TempDir()
	ready = filepath.Join(t.TempDir(), "ready")
	env = append(os.Environ(), "OSSVAULT_HOME="+home, "LANGUAGE=en", readyFileEnv+"="+ready)
	gen := exec.Command(bin, "key", "gen", "Mine", "--bits", "2048")
	gen.Env = env
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("key gen: %v\n%s", err, out)
	}
	return home, ready, env
}

// localEndpointOf reads the address of the local store the app saved.
func localEndpointOf(t *testing.T, home string) string {
	t.Helper()
	v, err := vault.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	a, err := v.Account(localAccountName)
	if err != nil {
		t.Fatal(err)
	}
	return a.Endpoint
}

// answers reports whether something serves HTTP at endpoint.
func answers(endpoint string) error {
	c := http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(endpoint + "/")
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

// TestE2ESecondStartShowsFirst starts the app twice on one home: the second
// start exits 0 at once, saying nothing, after the first brought its window
// back on screen and took the focus; the first keeps running with its local
// store on the same port.
func TestE2ESecondStartShowsFirst(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	home, ready, env := appEnv(t, bin)
	appLog, exited := runApp(t, bin, env, "--local")
	x, err := newXDNDSource(display)
	if err != nil {
		t.Fatal(err)
	}
	defer x.close()
	win, err := x.findWindow(windowTitle, 60*time.Second)
	if err != nil {
		t.Fatalf("%v\napp output:\n%s", err, appLog)
	}
	if err := waitFile(ready, 60*time.Second); err != nil {
		t.Fatalf("%v\napp output:\n%s", err, appLog)
	}
	endpoint := localEndpointOf(t, home)
	if err := answers(endpoint); err != nil {
		t.Fatalf("the local store at %s does not answer: %v", endpoint, err)
	}

	// Take the window off the screen and the focus away from it, as
	// another program's window over it would.
	if err := xproto.UnmapWindowChecked(x.conn, win).Check(); err != nil {
		t.Fatal(err)
	}
	if err := xproto.SetInputFocusChecked(x.conn, xproto.InputFocusPointerRoot, x.root, xproto.TimeCurrentTime).Check(); err != nil {
		t.Fatal(err)
	}
	if err := waitMapState(x, win, xproto.MapStateUnmapped, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	for i := range 2 {
		second := exec.Command(bin, "--local")
		second.Env = env
		var stdout, stderr bytes.Buffer
		second.Stdout, second.Stderr = &stdout, &stderr
		if err := second.Start(); err != nil {
			t.Fatal(err)
		}
		waited := make(chan error, 1)
		go func() { waited <- second.Wait() }()
		select {
		case err := <-waited:
			if err != nil {
				t.Fatalf("second start %d: %v\nstderr:\n%s", i, err, &stderr)
			}
		case <-time.After(60 * time.Second):
			second.Process.Kill()
			t.Fatalf("second start %d still runs after a minute\nstderr:\n%s\nfirst app:\n%s", i, &stderr, appLog)
		}
		if stdout.Len() != 0 || stderr.Len() != 0 {
			t.Errorf("second start %d printed:\nstdout: %q\nstderr: %q", i, &stdout, &stderr)
		}
	}

	// The command line does not take the app's lock: it runs meanwhile,
	// and reaches the store the open app keeps.
	ls := exec.Command(bin, "ls", "oss://"+demoBucket, "--account", localAccountName)
	ls.Env = env
	if out, err := ls.CombinedOutput(); err != nil {
		t.Errorf("the command line while the app is open: %v\n%s", err, out)
	}

	if err := waitMapState(x, win, xproto.MapStateViewable, 10*time.Second); err != nil {
		t.Errorf("the first app's window did not come back: %v", err)
	}
	if err := waitFocus(x, win, 10*time.Second); err != nil {
		t.Errorf("the first app's window did not take the focus: %v", err)
	}
	select {
	case err := <-exited:
		t.Fatalf("the first app exited (%v)\n%s", err, appLog)
	default:
	}
	if got := localEndpointOf(t, home); got != endpoint {
		t.Errorf("the local store moved from %s to %s", endpoint, got)
	}
	if err := answers(endpoint); err != nil {
		t.Errorf("the first app's local store at %s stopped answering: %v", endpoint, err)
	}

	if err := closeApp(x, win, exited, 60*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, appLog)
	}
	if _, err := os.Stat(filepath.Join(home, instanceFileName)); !os.IsNotExist(err) {
		t.Errorf("the app left %s behind after closing: %v", instanceFileName, err)
	}
}

// TestE2EStartAfterCrash kills the app as a crash would, leaving its
// address file behind: the next start must open its window as usual.
func TestE2EStartAfterCrash(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	home, ready, env := appEnv(t, bin)
	appLog, exited, proc := runAppProcess(t, bin, env, "--local")
	if err := waitFile(ready, 60*time.Second); err != nil {
		t.Fatalf("%v\napp output:\n%s", err, appLog)
	}
	if err := proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err == nil {
		t.Fatal("the killed app exited 0")
	}
	if _, err := os.Stat(filepath.Join(home, instanceFileName)); err != nil {
		t.Fatalf("the crash left no address file to test with: %v", err)
	}

	ready2 := filepath.Join(t.TempDir(), "ready")
	env2 := append(env[:len(env):len(env)], readyFileEnv+"="+ready2)
	appLog2, exited2 := runApp(t, bin, env2, "--local")
	if err := waitFile(ready2, 60*time.Second); err != nil {
		t.Fatalf("after a crash the app does not start: %v\napp output:\n%s", err, appLog2)
	}
	x, err := newXDNDSource(display)
	if err != nil {
		t.Fatal(err)
	}
	defer x.close()
	win, err := x.findWindow(windowTitle, 60*time.Second)
	if err != nil {
		t.Fatalf("%v\napp output:\n%s", err, appLog2)
	}
	if err := answers(localEndpointOf(t, home)); err != nil {
		t.Errorf("the local store does not answer after the restart: %v", err)
	}
	if err := closeApp(x, win, exited2, 60*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, appLog2)
	}
}

func waitMapState(x *xdndSource, w xproto.Window, want byte, d time.Duration) error {
	var got byte
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		a, err := xproto.GetWindowAttributes(x.conn, w).Reply()
		if err != nil {
			return err
		}
		if got = a.MapState; got == want {
			return nil
		}
	}
	return fmt.Errorf("map state %d after %v, want %d", got, d, want)
}

// waitFocus waits until the focus is on w or a window inside it.
func waitFocus(x *xdndSource, w xproto.Window, d time.Duration) error {
	var got xproto.Window
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		f, err := xproto.GetInputFocus(x.conn).Reply()
		if err != nil {
			return err
		}
		got = f.Focus
		for c := got; c != 0 && c != x.root; {
			if c == w {
				return nil
			}
			t, err := xproto.QueryTree(x.conn, c).Reply()
			if err != nil {
				break
			}
			c = t.Parent
		}
	}
	return fmt.Errorf("focus on window 0x%x after %v, want 0x%x", uint32(got), d, uint32(w))
}
