package cli

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
)

// The tests in this file stop a real `ossvault serve-local` (a child
// process) in the middle of an upload and start it again on the same
// folder and port, as a user restarting it or the app's "This computer"
// does.

const (
	serveID     = "restart-test-id"
	serveSecret = "restart-test-secret"
)

// serveLocal is a running serve-local child process.
type serveLocal struct {
	endpoint string
	cmd      *exec.Cmd
	log      *syncBuffer // its stderr: the access log
	exited   chan struct{}
}

// startServeChild runs serve-local on dir and addr with a fixed key.
func startServeChild(t *testing.T, dir, addr string) *serveLocal {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeLocalHelperProcess$")
	cmd.Env = append(os.Environ(), "OSSVAULT_SERVE_LOCAL_CHILD="+dir, "OSSVAULT_SERVE_LOCAL_ADDR="+addr,
		"OSS_ACCESS_KEY_ID="+serveID, "OSS_ACCESS_KEY_SECRET="+serveSecret)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &serveLocal{cmd: cmd, log: &syncBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = s.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.kill)
	r := bufio.NewReader(stdout)
	s.endpoint = readServeHeader(t, r, false).endpoint
	go io.Copy(io.Discard, r)
	return s
}

// kill ends the process at once, as a crash or a forced quit does.
func (s *serveLocal) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

func (s *serveLocal) addr() string { return strings.TrimPrefix(s.endpoint, "http://") }

// entries parses the access log.
func (s *serveLocal) entries(t *testing.T) []osslocal.LogEntry {
	t.Helper()
	var out []osslocal.LogEntry
	for _, line := range strings.Split(s.log.String(), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var e osslocal.LogEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("access log line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

func (s *serveLocal) partsStored(t *testing.T) int {
	n := 0
	for _, e := range s.entries(t) {
		if e.Op == osslocal.OpUploadPart && e.Status == 200 {
			n++
		}
	}
	return n
}

// restartFixture is a harness whose commands talk to a serve-local child
// holding bucket "bkt", and a file to upload in parts.
type restartFixture struct {
	h      *harness
	dir    string
	src    string
	parts  int
	args   []string
	serves []*serveLocal
}

func newRestartFixture(t *testing.T, policy transfer.Policy) *restartFixture {
	h := newHarness(t)
	f := &restartFixture{h: h, dir: t.TempDir()}
	s := startServeChild(t, f.dir, "127.0.0.1:0")
	f.serves = append(f.serves, s)
	client, err := oss.New(s.endpoint, serveID, serveSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	h.vars["OSS_ENDPOINT"], h.vars["OSS_ACCESS_KEY_ID"], h.vars["OSS_ACCESS_KEY_SECRET"] = s.endpoint, serveID, serveSecret
	retryPolicy = &policy
	t.Cleanup(func() { retryPolicy = nil })

	const size, partSize = 48 << 20, 1 << 20
	f.parts = size / partSize
	f.src = filepath.Join(t.TempDir(), "big.bin")
	writeFile(t, f.src, size)
	f.args = []string{"put", f.src, "oss://bkt/big.bin", "--part-size", strconv.Itoa(partSize), "--jobs", "2"}
	return f
}

type runResult struct {
	stderr string
	code   int
}

// putAndKill starts the upload, kills the server once a few parts are
// stored and returns the upload's outcome (on a channel: it may still be
// retrying) and the killed server.
func (f *restartFixture) putAndKill(t *testing.T) (<-chan runResult, *serveLocal) {
	t.Helper()
	done := make(chan runResult, 1)
	go func() {
		_, stderr, code := f.h.run(f.args...)
		done <- runResult{stderr, code}
	}()
	s := f.serves[len(f.serves)-1]
	deadline := time.Now().Add(2 * time.Minute)
	for s.partsStored(t) < 6 {
		select {
		case r := <-done:
			t.Fatalf("the upload ended (exit %d) before the server could be killed: %s", r.code, r.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no parts stored within 2 minutes")
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.kill()
	return done, s
}

// restart starts serve-local again on the killed one's folder and port.
func (f *restartFixture) restart(t *testing.T, killed *serveLocal) {
	t.Helper()
	f.serves = append(f.serves, startServeChild(t, f.dir, killed.addr()))
}

// checkOnce checks that no stored part was sent again across every run of
// the server (beyond the parts in flight at the kill), all from a single
// multipart upload, and that the object reads back as the file.
func (f *restartFixture) checkOnce(t *testing.T) {
	t.Helper()
	perPart := map[int]int{}
	initiated, sent := 0, 0
	for _, s := range f.serves {
		for _, e := range s.entries(t) {
			switch {
			case e.Op == osslocal.OpUploadPart && e.Status == 200:
				perPart[e.Part]++
				sent++
			case e.Op == osslocal.OpInitiateMultipartUpload:
				initiated++
			}
		}
	}
	// A kill can fall between a part being stored and its answer reaching
	// the client (the client sends it again), or between the answer and
	// the log line (the log misses it): at most the parts in flight, one
	// per job, are counted wrong; any more means stored parts were sent
	// again.
	const jobs = 2
	if sent > f.parts+jobs {
		t.Errorf("%d parts stored for %d parts: stored parts were sent again (%v)", sent, f.parts, perPart)
	}
	for n := 1; n <= f.parts; n++ {
		if perPart[n] > 2 {
			t.Errorf("part %d was stored %d times", n, perPart[n])
		}
	}
	if initiated != 1 {
		t.Errorf("InitiateMultipartUpload = %d, want 1: the upload started over", initiated)
	}
	out := filepath.Join(t.TempDir(), "out")
	f.h.must("get", "oss://bkt/big.bin", out)
	if !sameFile(t, f.src, out) {
		t.Fatal("the object differs from the file")
	}
}

// Killed and restarted within the retry window, the store is back before
// the upload gives up: the same command finishes, sending no stored part
// again.
func TestPutRidesOutServeLocalRestart(t *testing.T) {
	f := newRestartFixture(t, transfer.Policy{Window: time.Minute, Base: 50 * time.Millisecond, Max: 500 * time.Millisecond})
	done, killed := f.putAndKill(t)
	stored := killed.partsStored(t)
	time.Sleep(300 * time.Millisecond) // refused connections meanwhile
	f.restart(t, killed)
	r := <-done
	if r.code != ExitOK {
		t.Fatalf("put across the restart: exit %d: %s", r.code, r.stderr)
	}
	t.Logf("%d of %d parts stored before the kill", stored, f.parts)
	f.checkOnce(t)
}

// Restarted only after the upload gave up: put fails (exit 1) saying it can
// be resumed, keeps its journal, and the same command then resumes.
func TestPutAfterRetryWindowKeepsJournal(t *testing.T) {
	f := newRestartFixture(t, transfer.Policy{Window: 300 * time.Millisecond, Base: 20 * time.Millisecond, Max: 100 * time.Millisecond})
	done, killed := f.putAndKill(t)
	r := <-done
	if r.code != ExitFailure {
		t.Fatalf("put with the store gone: exit %d, want %d: %s", r.code, ExitFailure, r.stderr)
	}
	if !strings.Contains(r.stderr, "the transfer can be resumed: run the same command again") {
		t.Errorf("the error does not say how to resume: %s", r.stderr)
	}
	t.Logf("the first run: %s", r.stderr)
	if recs, _ := filepath.Glob(filepath.Join(f.h.home, "journal", "*.json")); len(recs) == 0 {
		t.Fatal("the journal was removed")
	}
	f.restart(t, killed)
	f.h.must(f.args...)
	f.checkOnce(t)
}

// An https endpoint whose certificate this computer does not trust fails at
// once with a sentence that says so, and so does a bucket name OSS does not
// accept.
func TestPermanentFailuresFailAtOnce(t *testing.T) {
	h := newHarness(t)
	cred := osslocal.Credential{AccessKeyID: serveID, AccessKeySecret: serveSecret}
	srv, err := osslocal.New(osslocal.Options{Store: osslocal.NewMemoryStore(), Credentials: []osslocal.Credential{cred}})
	if err != nil {
		t.Fatal(err)
	}
	srv.CreateBucket("bkt")
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	u, _ := url.Parse(ts.URL)

	src := filepath.Join(t.TempDir(), "f.txt")
	writeFile(t, src, 1000)
	for _, tc := range []struct {
		name     string
		endpoint string
		args     []string
		want     string
	}{
		{"ls, untrusted certificate", ts.URL, []string{"ls", "oss://bkt/"}, "certificate is not trusted on this computer"},
		{"put, untrusted certificate", "https://" + u.Host, []string{"put", src, "oss://bkt/f.txt"}, "certificate is not trusted on this computer"},
		{"mb, invalid bucket", h.srv.Endpoint, []string{"mb", "oss://Bad_Bucket"}, `the bucket name "Bad_Bucket" must be`},
		{"put, invalid bucket", h.srv.Endpoint, []string{"put", src, "oss://Bad_Bucket/f.txt"}, `the bucket name "Bad_Bucket" must be`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.vars["OSS_ENDPOINT"] = tc.endpoint
			if tc.endpoint == h.srv.Endpoint {
				h.vars["OSS_ACCESS_KEY_ID"], h.vars["OSS_ACCESS_KEY_SECRET"] = h.srv.AccessKeyID, h.srv.AccessKeySecret
			} else {
				h.vars["OSS_ACCESS_KEY_ID"], h.vars["OSS_ACCESS_KEY_SECRET"] = serveID, serveSecret
			}
			start := time.Now()
			_, stderr, code := h.run(tc.args...)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to fail", d)
			}
			if code != ExitFailure || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, ExitFailure, tc.want)
			}
		})
	}
}

// A file of serve-local's folder damaged while it was stopped does not make
// its object vanish: after the restart ls lists it as damaged, and get
// fails at once saying the stored copy is damaged.
func TestDamagedObjectListedAfterRestart(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	s := startServeChild(t, dir, "127.0.0.1:0")
	client, err := oss.New(s.endpoint, serveID, serveSecret)
	if err != nil {
		t.Fatal(err)
	}
	if err := client.CreateBucket("bkt"); err != nil {
		t.Fatal(err)
	}
	h.vars["OSS_ENDPOINT"], h.vars["OSS_ACCESS_KEY_ID"], h.vars["OSS_ACCESS_KEY_SECRET"] = s.endpoint, serveID, serveSecret
	src := filepath.Join(t.TempDir(), "f.bin")
	writeFile(t, src, 300<<10)
	h.must("put", src, "oss://bkt/hurt.bin")
	h.must("put", src, "oss://bkt/whole.bin")
	s.kill()
	// Cut short, as a failing disk or an interrupted copy of the folder
	// leaves it: the end, where the store keeps its metadata, is lost.
	sum := sha256.Sum256([]byte("hurt.bin"))
	name := hex.EncodeToString(sum[:])
	if err := os.Truncate(filepath.Join(dir, "buckets", "bkt", "objects", name[:2], name), 1000); err != nil {
		t.Fatal(err)
	}
	startServeChild(t, dir, s.addr())

	out := h.must("ls", "oss://bkt/")
	if !strings.Contains(out, "\tdamaged\thurt.bin\n") || !strings.Contains(out, "\tme\twhole.bin\n") {
		t.Errorf("ls after the restart:\n%s\nwant hurt.bin listed as damaged and whole.bin as before", out)
	}
	dest := filepath.Join(t.TempDir(), "out")
	start := time.Now()
	_, stderr, code := h.run("get", "oss://bkt/hurt.bin", dest)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("get of the damaged object took %v to fail", d)
	}
	t.Logf("ls:\n%sget: %s", out, stderr)
	if code != ExitFailure || !strings.Contains(stderr, "the stored copy of the object is damaged") {
		t.Errorf("get of the damaged object: exit %d, %q", code, stderr)
	}
	if _, err := os.Lstat(dest); err == nil {
		t.Error("the failed get left a file")
	}
	h.must("get", "oss://bkt/whole.bin", dest)
}
