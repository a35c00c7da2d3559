//go:build (linux && !android) || freebsd || openbsd || netbsd || dragonfly

package ui

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestCheckDisplay(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		wantErr bool
	}{
		{"none", nil, true},
		{"empty values", map[string]string{"DISPLAY": "", "WAYLAND_DISPLAY": ""}, true},
		{"X11", map[string]string{"DISPLAY": ":0"}, false},
		{"Wayland", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, false},
		{"both", map[string]string{"DISPLAY": ":1", "WAYLAND_DISPLAY": "wayland-1"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkDisplay(func(k string) string { return tc.env[k] })
			if got := errors.Is(err, errNoDisplay); got != tc.wantErr {
				t.Fatalf("checkDisplay = %v, want no-display error %v", err, tc.wantErr)
			}
		})
	}
}

// TestE2ENoDisplay runs the built app without a display: it must say so in
// one line and exit 1, not crash inside GLFW.
func TestE2ENoDisplay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the app")
	}
	bin := buildApp(t)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "DISPLAY=") && !strings.HasPrefix(kv, "WAYLAND_DISPLAY=") {
			env = append(env, kv)
		}
	}
	env = append(env, "OSSVAULT_HOME="+t.TempDir())
	cmd := exec.Command(bin)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\nstderr:\n%s", err, &stderr)
	}
	lines := strings.Split(strings.TrimRight(stderr.String(), "\n"), "\n")
	want := "ossvault: " + errNoDisplay.Error()
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("stderr:\n%s\nwant the one line\n%s", &stderr, want)
	}
	if s := stderr.String(); strings.Contains(s, "panic") || strings.Contains(s, "GLFW") {
		t.Errorf("stderr shows a crash:\n%s", s)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout: %q", &stdout)
	}
}
