package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The real binary, run as scripts run it: under the C.UTF-8 locale of
// Debian-based systems, containers and cron, its stderr must stay empty on
// success (the command line promises one line there, and only on failure).
func TestBinaryQuietUnderCLocale(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the whole app")
	}
	bin := filepath.Join(t.TempDir(), "ossvault")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, locale := range []string{"C.UTF-8", "POSIX.UTF-8", "C", "en_US.UTF-8"} {
		for _, args := range [][]string{{"--version"}, {"help"}} {
			var stdout, stderr bytes.Buffer
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "LC_ALL=", "LC_MESSAGES=", "LANG="+locale, "OSSVAULT_HOME="+t.TempDir())
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("LANG=%s ossvault %v: %v\n%s", locale, args, err, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("LANG=%s ossvault %v wrote to stderr: %q", locale, args, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), "ossvault") {
				t.Errorf("LANG=%s ossvault %v: stdout %q", locale, args, stdout.String())
			}
		}
	}
}
