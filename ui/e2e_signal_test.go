//go:build !windows

package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2ESignalClosesApp sends SIGTERM and SIGINT to the app with its window
// open: it must close as if the window were closed (Run returns, running
// transfers pause into the journal) and exit 0. Run quits Fyne's loop on
// them, as Fyne's desktop driver also does while its loop runs;
// e2e_startsignal_test.go covers signals that come before the window.
func TestE2ESignalClosesApp(t *testing.T) {
	display := needDisplay(t)
	bin := buildApp(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			home := t.TempDir()
			ready := filepath.Join(t.TempDir(), "ready")
			env := append(os.Environ(), "OSSVAULT_HOME="+home, "LANGUAGE=en", readyFileEnv+"="+ready)
			gen := exec.Command(bin, "key", "gen", "Mine", "--bits", "2048")
			gen.Env = env
			if out, err := gen.CombinedOutput(); err != nil {
				t.Fatalf("key gen: %v\n%s", err, out)
			}
			appLog, exited, proc := runAppProcess(t, bin, env, "--local")
			src, err := newXDNDSource(display)
			if err != nil {
				t.Fatal(err)
			}
			defer src.close()
			if _, err := src.findWindow(windowTitle, 60*time.Second); err != nil {
				t.Fatalf("%v\napp output:\n%s", err, appLog)
			}
			if err := waitFile(ready, 60*time.Second); err != nil {
				t.Fatalf("%v\napp output:\n%s", err, appLog)
			}
			if err := proc.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("after %v the app exited with %v\n%s", sig, err, appLog)
				}
			case <-time.After(60 * time.Second):
				t.Fatalf("the app still runs a minute after %v\n%s", sig, appLog)
			}
			if s := appLog.String(); strings.Contains(s, "panic") {
				t.Errorf("app output:\n%s", s)
			}
		})
	}
}
