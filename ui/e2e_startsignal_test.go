//go:build !windows

package ui

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2ESignalBeforeWindow sends SIGTERM or SIGINT as early as the app can
// take it: it must end with status 0 and say nothing, not open its window
// anyway.
func TestE2ESignalBeforeWindow(t *testing.T) {
	needDisplay(t)
	bin := buildApp(t)
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			home, ready, env := appEnv(t, bin)
			appLog, exited, proc := runAppProcess(t, bin, env, "--local")
			// The address file is written right after the app starts
			// listening for signals, long before its window can show.
			if err := waitFileEvery(filepath.Join(home, instanceFileName), 60*time.Second, time.Millisecond); err != nil {
				t.Fatalf("%v\napp output:\n%s", err, appLog)
			}
			if err := proc.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("after an early %v the app exited with %v\n%s", sig, err, appLog)
				}
			case <-time.After(60 * time.Second):
				t.Fatalf("the app still runs a minute after an early %v\n%s", sig, appLog)
			}
			if appLog.Len() != 0 {
				t.Errorf("app output:\n%s", appLog)
			}
			if _, err := os.Stat(ready); err == nil {
				t.Logf("the signal came after the window showed a folder")
			}
			if _, err := os.Stat(filepath.Join(home, instanceFileName)); !os.IsNotExist(err) {
				t.Errorf("the app left %s behind: %v", instanceFileName, err)
			}
		})
	}
}

// TestE2ESignalRightAfterExec signals the process the moment it exists,
// while the runtime may not even be listening yet: the app must end either
// way (status 0, or killed by the signal before it could listen), never
// carry on and open its window.
func TestE2ESignalRightAfterExec(t *testing.T) {
	needDisplay(t)
	bin := buildApp(t)
	_, ready, env := appEnv(t, bin)
	for _, delay := range []time.Duration{0, time.Millisecond, 5 * time.Millisecond, 10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond} {
		t.Run(delay.String(), func(t *testing.T) {
			cmd := exec.Command(bin, "--local")
			cmd.Env = env
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(delay)
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			select {
			case err := <-waited:
				var exit *exec.ExitError
				switch {
				case err == nil:
				case errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signal() == syscall.SIGTERM:
					t.Logf("killed by SIGTERM before it listened")
				default:
					t.Fatalf("the app exited with %v\n%s", err, &out)
				}
			case <-time.After(60 * time.Second):
				cmd.Process.Kill()
				<-waited
				t.Fatalf("the app still runs a minute after SIGTERM\n%s", &out)
			}
			if _, err := os.Stat(ready); err == nil {
				t.Errorf("the app showed a folder after SIGTERM")
			}
			if s := out.String(); strings.Contains(s, "panic") {
				t.Errorf("app output:\n%s", s)
			}
		})
	}
}

func waitFileEvery(p string, d, every time.Duration) error {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(every) {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	return fmt.Errorf("no %s after %v", filepath.Base(p), d)
}
