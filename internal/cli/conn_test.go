package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
	"github.com/spf13/pflag"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
	"github.com/ossvault/ossvault/vault"
)

// harness runs commands against a local OSS endpoint with a fresh home
// whose default key "me" lives in the test session's keychain.
type harness struct {
	t    *testing.T
	srv  *osstest.Server
	home string
	vars map[string]string
}

func newHarness(t *testing.T, opts ...osstest.Option) *harness {
	t.Helper()
	srv := osstest.Start(t, append([]osstest.Option{osstest.WithBuckets("bkt")}, opts...)...)
	h := &harness{t: t, srv: srv, home: t.TempDir()}
	h.vars = map[string]string{
		"OSSVAULT_HOME":         h.home,
		"OSS_ENDPOINT":          srv.Endpoint,
		"OSS_ACCESS_KEY_ID":     srv.AccessKeyID,
		"OSS_ACCESS_KEY_SECRET": srv.AccessKeySecret,
	}
	v, err := vault.Open(h.home)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.GenerateRSA(context.Background(), "me", 2048, envelope.MatDesc{"desc": "me"}); err != nil {
		if errors.Is(err, vault.ErrKeychainUnavailable) {
			t.Skipf("no keychain (run under internal/testenv/with-services.sh): %v", err)
		}
		t.Fatal(err)
	}
	if err := v.SetDefault("me"); err != nil {
		t.Fatal(err)
	}
	return h
}

// run runs a command in-process and returns stdout, stderr and the exit
// status.
func (h *harness) run(args ...string) (string, string, int) {
	h.t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, Stdio{
		In: strings.NewReader(""), Out: &out, Err: &errb,
		Getenv: func(k string) string { return h.vars[k] },
	}, nil)
	return out.String(), errb.String(), code
}

// must runs a command that must succeed and returns its stdout.
func (h *harness) must(args ...string) string {
	h.t.Helper()
	out, errs, code := h.run(args...)
	if code != 0 {
		h.t.Fatalf("ossvault %s: exit %d: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// bucket is the SDK's own view of the bucket, for planting and tampering.
func (h *harness) bucket() *oss.Bucket {
	h.t.Helper()
	c, err := oss.New(h.srv.Endpoint, h.srv.AccessKeyID, h.srv.AccessKeySecret)
	if err != nil {
		h.t.Fatal(err)
	}
	b, err := c.Bucket("bkt")
	if err != nil {
		h.t.Fatal(err)
	}
	return b
}

// environ is the child-process environment.
func (h *harness) environ() []string {
	env := os.Environ()
	for k, v := range h.vars {
		env = append(env, k+"="+v)
	}
	return env
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds testdata/ossvault once per test run.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ossvault-cli-test-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "ossvault")
		out, err := exec.Command("go", "build", "-o", binPath, "./testdata/ossvault").CombinedOutput()
		if err != nil {
			binErr = errors.New(string(out))
		}
	})
	if binErr != nil {
		t.Fatalf("failed to build the test binary: %v", binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

func writeFile(t *testing.T, p string, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>9)
	}
	// Not compressible, not constant: mix in a hash stream.
	seed := sha256.Sum256([]byte(p))
	for i := 0; i < n; i += 32 {
		seed = sha256.Sum256(seed[:])
		copy(b[i:], seed[:])
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(x) == sha256.Sum256(y)
}

func TestParseOSSURL(t *testing.T) {
	for _, tc := range []struct {
		in          string
		bucket, key string
		ok          bool
	}{
		{"oss://b/k", "b", "k", true},
		{"oss://b/a/b c/", "b", "a/b c/", true},
		{"oss://b", "b", "", true},
		{"oss:///k", "", "", false},
		{"s3://b/k", "", "", false},
		{"/tmp/x", "", "", false},
	} {
		u, err := parseOSSURL(tc.in)
		if (err == nil) != tc.ok || u.Bucket != tc.bucket || u.Key != tc.key {
			t.Errorf("parseOSSURL(%q) = %+v, %v", tc.in, u, err)
		}
	}
}

// flagsFor returns command name's parsed (empty) flag set.
func flagsFor(t *testing.T, name string) *pflag.FlagSet {
	t.Helper()
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	commands[name].flags(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	return fs
}
