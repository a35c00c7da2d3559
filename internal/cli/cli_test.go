package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/transfer"
)

func runCLI(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["OSSVAULT_HOME"]; !ok {
		env["OSSVAULT_HOME"] = t.TempDir()
	}
	code = Run(context.Background(), args, Stdio{
		In:     strings.NewReader(""),
		Out:    &out,
		Err:    &errb,
		Getenv: func(k string) string { return env[k] },
	}, nil)
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, ExitOK},
		{errors.New("boom"), ExitFailure},
		{usagef("bad flag"), ExitUsage},
		{fmt.Errorf("get: %w", usagef("bad flag")), ExitUsage},
		{&envelope.NoKeyError{MatDesc: `{"a":"b"}`}, ExitNoKey},
		{fmt.Errorf("download: %w", envelope.ErrNoKey), ExitNoKey},
		{fmt.Errorf("download: %w", envelope.ErrIntegrity), ExitIntegrity},
		{fmt.Errorf("download: %w", transfer.ErrPartialChanged), ExitIntegrity},
	}
	for _, c := range cases {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestUnknownCommandIsUsageError(t *testing.T) {
	code, _, stderr := runCLI(t, nil, "frobnicate")
	if code != ExitUsage {
		t.Fatalf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.HasPrefix(stderr, "ossvault: ") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("stderr %q is not one line beginning \"ossvault: \"", stderr)
	}
}

func TestVersionAndHelp(t *testing.T) {
	code, out, _ := runCLI(t, nil, "--version")
	if code != ExitOK || !strings.HasPrefix(out, "ossvault ") {
		t.Fatalf("--version: exit %d, output %q", code, out)
	}
	code, out, _ = runCLI(t, nil, "--help")
	if code != ExitOK || !strings.Contains(out, "serve-local") || !strings.Contains(out, "put") {
		t.Fatalf("--help: exit %d, output lacks commands: %q", code, out)
	}
}

func TestNoAppInThisBuild(t *testing.T) {
	code, _, stderr := runCLI(t, nil)
	if code != ExitFailure || !strings.Contains(stderr, "no desktop app") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestDebugSDKRefused(t *testing.T) {
	for _, v := range []string{"sdk", "tea,sdk", "sdk,signer"} {
		code, _, stderr := runCLI(t, map[string]string{"DEBUG": v}, "key", "list")
		if code != ExitUsage || !strings.Contains(stderr, "DEBUG=sdk") {
			t.Errorf("DEBUG=%s: exit %d, stderr %q", v, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, map[string]string{"DEBUG": "sdkx"}, "--version"); code != ExitOK {
		t.Errorf("DEBUG=sdkx should be allowed: exit %d, %q", code, stderr)
	}
}

// A command without credentials says how to give them, in the command
// line's words (the transfer package only reports that there are none),
// before anything is sent.
func TestNoCredentials(t *testing.T) {
	const want = "ossvault: no OSS credentials: use --account NAME, or set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET\n"
	for _, args := range [][]string{
		{"ls", "oss://bkt"},
		{"mb", "oss://bkt"},
		{"rm", "oss://bkt/k"},
	} {
		code, out, stderr := runCLI(t, map[string]string{"OSS_ENDPOINT": "http://127.0.0.1:1", "OSS_ACCESS_KEY_ID": "LTAIonly"}, args...)
		if code != ExitFailure || out != "" || stderr != want {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 1 and %q", args[0], code, out, stderr, want)
		}
	}
}
