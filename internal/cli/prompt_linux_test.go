package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// openPTY returns the two ends of a new pseudo-terminal: the test types on
// the first, the command reads its terminal from the second.
func openPTY(t *testing.T) (typist, tty *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Drain what the terminal echoes so it never fills up.
	go io.Copy(io.Discard, m)
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// Without OSSVAULT_PASSPHRASE or OSS_* variables, the commands ask on the
// terminal: the backup passphrase twice, the AccessKey secret hidden.
func TestPromptsOnTheTerminal(t *testing.T) {
	requireKeychain(t)
	home := t.TempDir()
	run := func(typed string, args ...string) (string, string, int) {
		typist, tty := openPTY(t)
		if _, err := typist.WriteString(typed); err != nil {
			t.Fatal(err)
		}
		var out, errb strings.Builder
		code := Run(context.Background(), args, Stdio{
			In: tty, Out: &out, Err: &errb,
			Getenv: func(k string) string {
				if k == "OSSVAULT_HOME" {
					return home
				}
				return ""
			},
		}, nil)
		return out.String(), errb.String(), code
	}
	if _, errs, code := run("LTAI5tPromptId\nPromptSecretValue\n\n", "account", "add", "typed", "--endpoint", "oss-cn-beijing.aliyuncs.com"); code != 0 {
		t.Fatalf("account add: exit %d: %s", code, errs)
	} else if strings.Contains(errs, "PromptSecretValue") || !strings.Contains(errs, "AccessKey secret: ") {
		t.Fatalf("account add prompts: %q", errs)
	}
	s := newSession(t, map[string]string{"OSSVAULT_HOME": home})
	if got := s.must("account", "list"); got != "typed\thttps://oss-cn-beijing.aliyuncs.com\tcn-beijing\tLTAI5tPromptId\taccesskey\n" {
		t.Fatalf("account list: %q", got)
	}
	s.must("key", "gen", "k", "--bits", "2048")

	backup := filepath.Join(t.TempDir(), "b")
	// A passphrase too short is refused at once, before the second prompt.
	if _, errs, code := run("short\nshort\n", "key", "backup", backup); code != ExitFailure || !strings.Contains(errs, "at least 10 characters") || strings.Contains(errs, "again") {
		t.Fatalf("short passphrase: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Fatal("a backup was written with a short passphrase")
	}
	if _, errs, code := run("one passphrase\nanother\n", "key", "backup", backup); code != ExitUsage || !strings.Contains(errs, "differ") {
		t.Fatalf("mismatched passphrases: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(backup); !os.IsNotExist(err) {
		t.Fatal("a backup was written with mismatched passphrases")
	}
	if _, errs, code := run("typed passphrase\ntyped passphrase\n", "key", "backup", backup); code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errs)
	} else if strings.Count(errs, "passphrase") != 2 || strings.Contains(errs, "typed passphrase") {
		t.Fatalf("backup prompts: %q", errs)
	}
	s.vars["OSSVAULT_HOME"] = t.TempDir()
	s.vars["OSSVAULT_PASSPHRASE"] = "typed passphrase"
	if out := s.must("key", "restore", backup); !strings.Contains(out, "restored key k\n") {
		t.Fatalf("restore of the prompted backup: %q", out)
	}
}
