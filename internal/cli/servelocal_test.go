package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveHeader is what serve-local prints first.
type serveHeader struct {
	endpoint, id, secret string
}

func readServeHeader(t *testing.T, r *bufio.Reader, generated bool) serveHeader {
	t.Helper()
	line := func() string {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading serve-local output: %v", err)
		}
		return strings.TrimSuffix(l, "\n")
	}
	var h serveHeader
	first := line()
	ep, ok := strings.CutPrefix(first, "listening on http://127.0.0.1:")
	if !ok || ep == "" {
		t.Fatalf("first line %q", first)
	}
	h.endpoint = strings.TrimPrefix(first, "listening on ")
	if generated {
		if h.id, ok = strings.CutPrefix(line(), "access-key-id: "); !ok || h.id == "" {
			t.Fatal("no access-key-id line")
		}
		if h.secret, ok = strings.CutPrefix(line(), "access-key-secret: "); !ok || len(h.secret) < 20 {
			t.Fatal("no access-key-secret line")
		}
	}
	return h
}

// startServeLocal runs the command in-process until the returned stop is
// called; stop returns the exit status.
func startServeLocal(t *testing.T, dir string, env map[string]string) (serveHeader, *syncBuffer, func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	stderr := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		code := Run(ctx, []string{"serve-local", "--dir", dir}, Stdio{
			Out: pw, Err: stderr, Getenv: func(k string) string { return env[k] },
		}, nil)
		pw.Close()
		done <- code
	}()
	h := readServeHeader(t, bufio.NewReader(pr), env["OSS_ACCESS_KEY_ID"] == "")
	go io.Copy(io.Discard, pr)
	if h.id == "" {
		h.id, h.secret = env["OSS_ACCESS_KEY_ID"], env["OSS_ACCESS_KEY_SECRET"]
	}
	stopped := false
	stop := func() int {
		if stopped {
			return -1
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(15 * time.Second):
			t.Fatal("serve-local did not stop")
			return -1
		}
	}
	t.Cleanup(func() { stop() })
	return h, stderr, stop
}

func TestServeLocalInProcess(t *testing.T) {
	dir := t.TempDir()
	h, stderr, stop := startServeLocal(t, dir, nil)
	client, err := oss.New(h.endpoint, h.id, h.secret)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.CreateBucket("team"); err != nil {
		t.Fatal(err)
	}
	b, _ := client.Bucket("team")
	data := bytes.Repeat([]byte("report "), 50000)
	if err := b.PutObject("reports/q1.txt", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if code := stop(); code != ExitOK {
		t.Fatalf("exit status %d, stderr:\n%s", code, stderr)
	}
	// One JSON line per request, as the contract shows.
	var sawPut bool
	for _, line := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("access log line %q: %v", line, err)
		}
		if e["op"] == "PutObject" {
			sawPut = true
			if e["bucket"] != "team" || e["key"] != "reports/q1.txt" || e["status"] != float64(200) || e["in"] != float64(len(data)) || e["out"] != float64(0) {
				t.Fatalf("PutObject log line %s", line)
			}
			if _, ok := e["part"]; ok {
				t.Fatalf("part field on a non-part operation: %s", line)
			}
		}
	}
	if !sawPut {
		t.Fatalf("no PutObject line in:\n%s", stderr)
	}

	// Restarted on the same folder with fixed credentials: the data is there.
	env := map[string]string{"OSS_ACCESS_KEY_ID": "fixed-id", "OSS_ACCESS_KEY_SECRET": "fixed-secret"}
	h2, _, stop2 := startServeLocal(t, dir, env)
	client2, _ := oss.New(h2.endpoint, "fixed-id", "fixed-secret")
	b2, _ := client2.Bucket("team")
	res, err := b2.ListObjects()
	if err != nil || len(res.Objects) != 1 || res.Objects[0].Key != "reports/q1.txt" {
		t.Fatalf("after restart: %+v, %v", res, err)
	}
	rc, err := b2.GetObject("reports/q1.txt")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("content changed across restart")
	}
	// The old generated key is no longer accepted.
	old, _ := oss.New(h2.endpoint, h.id, h.secret)
	ob, _ := old.Bucket("team")
	if _, err := ob.GetObject("reports/q1.txt"); err == nil {
		t.Fatal("the previous run's key still works")
	}
	if code := stop2(); code != ExitOK {
		t.Fatalf("exit status %d", code)
	}
}

func TestServeLocalUsage(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"serve-local"}, Stdio{Out: &out, Err: &errb}, nil)
	if code != ExitUsage || !strings.HasPrefix(errb.String(), "ossvault: ") {
		t.Fatalf("without --dir: %d %q", code, errb.String())
	}
	errb.Reset()
	code = Run(context.Background(), []string{"serve-local", "--dir", t.TempDir()}, Stdio{Out: &out, Err: &errb,
		Getenv: func(k string) string {
			if k == "OSS_ACCESS_KEY_ID" {
				return "only-the-id"
			}
			return ""
		}}, nil)
	if code != ExitUsage {
		t.Fatalf("half the credentials: %d %q", code, errb.String())
	}
	errb.Reset()
	code = Run(context.Background(), []string{"serve-local", "--dir", t.TempDir(), "--addr", "256.0.0.1:99999"}, Stdio{Out: &out, Err: &errb}, nil)
	if code != ExitFailure || !strings.HasPrefix(errb.String(), "ossvault: ") {
		t.Fatalf("bad address: %d %q", code, errb.String())
	}
}

// TestServeLocalHelperProcess is not a test: it is the child process that
// TestServeLocalSubprocess starts, running the real command line.
func TestServeLocalHelperProcess(t *testing.T) {
	dir := os.Getenv("OSSVAULT_SERVE_LOCAL_CHILD")
	if dir == "" {
		t.Skip("only runs as a child process")
	}
	args := []string{"serve-local", "--dir", dir}
	if addr := os.Getenv("OSSVAULT_SERVE_LOCAL_ADDR"); addr != "" {
		args = append(args, "--addr", addr)
	}
	os.Exit(Main(args, Std(), nil))
}

func TestServeLocalSubprocess(t *testing.T) {
	dir := t.TempDir()
	run := func() (serveHeader, *exec.Cmd, *syncBuffer) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestServeLocalHelperProcess$")
		cmd.Env = append(os.Environ(), "OSSVAULT_SERVE_LOCAL_CHILD="+dir, "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET=")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		stderr := &syncBuffer{}
		cmd.Stderr = stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		r := bufio.NewReader(stdout)
		h := readServeHeader(t, r, true)
		go io.Copy(io.Discard, r)
		return h, cmd, stderr
	}
	h, cmd, stderr := run()
	client, _ := oss.New(h.endpoint, h.id, h.secret)
	if err := client.CreateBucket("sub"); err != nil {
		t.Fatal(err)
	}
	b, _ := client.Bucket("sub")
	for _, k := range []string{"a", "b/c", "d e"} {
		if err := b.PutObject(k, strings.NewReader("content of "+k)); err != nil {
			t.Fatal(err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve-local after SIGTERM: %v; stderr:\n%s", err, stderr)
	}
	if n := strings.Count(stderr.String(), `"op":"PutObject"`); n != 3 {
		t.Fatalf("%d PutObject log lines:\n%s", n, stderr)
	}

	h, cmd, _ = run()
	client, _ = oss.New(h.endpoint, h.id, h.secret)
	b, _ = client.Bucket("sub")
	res, err := b.ListObjects()
	if err != nil || len(res.Objects) != 3 {
		t.Fatalf("after restart: %+v %v", res, err)
	}
	for _, k := range []string{"a", "b/c", "d e"} {
		rc, err := b.GetObject(k)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != "content of "+k {
			t.Fatalf("%s: %q", k, got)
		}
	}
	cmd.Process.Signal(os.Interrupt)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve-local after SIGINT: %v", err)
	}
}
