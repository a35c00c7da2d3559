package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/url"
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
	if extra := os.Getenv("OSSVAULT_SERVE_LOCAL_ARGS"); extra != "" {
		args = append(args, strings.Split(extra, "\n")...)
	}
	os.Exit(Main(args, Std(), nil))
}

// serveLocalChild starts the real command line in a child process with
// extra arguments.
func serveLocalChild(t *testing.T, extra ...string) (*exec.Cmd, *bufio.Reader, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeLocalHelperProcess$")
	cmd.Env = append(os.Environ(), "OSSVAULT_SERVE_LOCAL_CHILD="+t.TempDir(), "OSS_ACCESS_KEY_ID=", "OSS_ACCESS_KEY_SECRET=",
		"OSSVAULT_SERVE_LOCAL_ARGS="+strings.Join(extra, "\n"))
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
	return cmd, bufio.NewReader(stdout), stderr
}

// nonLoopbackIP returns an address of this computer's that is not
// loopback, or "" if it has none.
func nonLoopbackIP(t *testing.T) string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}

// serve-local speaks plain http: an address beyond loopback (every
// interface, a LAN address) is refused, exit 2 and one sentence naming
// --allow-remote, before anything is served; loopback ones work as they
// always did; with --allow-remote it listens there and warns on stderr.
func TestServeLocalRemoteNeedsAllowRemote(t *testing.T) {
	refused := []string{"0.0.0.0:0", ":0", ":9", "[::]:0", ""}
	if lan := nonLoopbackIP(t); lan != "" {
		refused = append(refused, lan+":0")
	}
	for _, addr := range refused {
		t.Run("refused "+addr, func(t *testing.T) {
			cmd, stdout, stderr := serveLocalChild(t, "--addr", addr)
			// A refused address ends the command; one that is served prints
			// its line and goes on.
			out, _ := stdout.ReadString('\n')
			if out != "" {
				t.Fatalf("--addr %q was served: %q", addr, out)
			}
			cmd.Wait()
			errs := stderr.String()
			if code := cmd.ProcessState.ExitCode(); code != ExitUsage || len(out) != 0 ||
				!strings.HasPrefix(errs, "ossvault: ") || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "--allow-remote") {
				t.Fatalf("--addr %q: exit %d, stdout %q, stderr %q", addr, code, out, errs)
			}
		})
	}
	for _, c := range []struct {
		args []string
		warn bool
	}{
		{[]string{"--addr", "127.0.0.1:0"}, false},
		{[]string{"--addr", "127.0.0.2:0"}, false},
		{[]string{"--addr", "localhost:0"}, false},
		{[]string{"--addr", "[::1]:0"}, false},
		{nil, false}, // the default address
		{[]string{"--addr", "127.0.0.1:0", "--allow-remote"}, false},
		{[]string{"--addr", "0.0.0.0:0", "--allow-remote"}, true},
		{[]string{"--addr", ":0", "--allow-remote"}, true},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			if strings.Contains(strings.Join(c.args, " "), "::1") {
				if ln, err := net.Listen("tcp", "[::1]:0"); err != nil {
					t.Skip("no IPv6 loopback here")
				} else {
					ln.Close()
				}
			}
			cmd, stdout, stderr := serveLocalChild(t, c.args...)
			first, err := stdout.ReadString('\n')
			if err != nil {
				cmd.Wait()
				t.Fatalf("no listening line: exit %d, stderr %q", cmd.ProcessState.ExitCode(), stderr)
			}
			go io.Copy(io.Discard, stdout)
			u, err := url.Parse(strings.TrimSpace(strings.TrimPrefix(first, "listening on ")))
			if err != nil || u.Scheme != "http" || u.Port() == "" {
				t.Fatalf("first line %q", first)
			}
			// The warning is written before the listening line.
			deadline := time.Now().Add(5 * time.Second)
			for c.warn && !strings.Contains(stderr.String(), "\n") && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			errs := stderr.String()
			warned := strings.HasPrefix(errs, "ossvault: warning: ") && strings.Contains(strings.SplitN(errs, "\n", 2)[0], "plain http")
			if warned != c.warn || (!c.warn && errs != "") {
				t.Fatalf("stderr %q, want a warning: %v", errs, c.warn)
			}
			if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsUnspecified() {
				u.Host = net.JoinHostPort("127.0.0.1", u.Port())
			}
			client, err := oss.New(u.String(), "x", "y")
			if err != nil {
				t.Fatal(err)
			}
			// A wrong key is refused by the server, which is enough to know
			// it answers there.
			if _, err := client.ListBuckets(); err == nil || !strings.Contains(err.Error(), "InvalidAccessKeyId") {
				t.Fatalf("the endpoint at %s: %v", u, err)
			}
		})
	}
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
