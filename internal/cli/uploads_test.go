package cli

import (
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// sdkUploads is the bucket's list of unfinished uploads as the official SDK
// reads it: object key to upload id.
func sdkUploads(t *testing.T, h *harness) map[string]string {
	t.Helper()
	res, err := h.bucket().ListMultipartUploads()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, u := range res.Uploads {
		out[u.Key] = u.UploadID
	}
	return out
}

// killedPut leaves an interrupted multipart put of a new file as `ossvault
// put` killed with SIGKILL leaves it, and returns the file and the put's
// arguments. Each part takes a while, so that the kill lands mid-upload.
func killedPut(t *testing.T, h *harness, faults *osslocal.Faults, key string) (string, []string) {
	t.Helper()
	const partSize = 1 << 20
	src := filepath.Join(t.TempDir(), "big.bin")
	writeFile(t, src, 24*partSize)
	faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Action: osslocal.Latency(40 * time.Millisecond)})
	args := []string{"put", src, "oss://bkt/" + key, "--part-size", strconv.Itoa(partSize), "--jobs", "2"}
	stored := func() int {
		return h.srv.Log.CountFunc(func(e osslocal.LogEntry) bool { return e.Op == osslocal.OpUploadPart && e.Status == 200 })
	}
	if !killWhen(t, h, func() bool { return stored() >= 3 }, args...) {
		t.Fatal("the put finished before it could be killed")
	}
	settle(t, h, osslocal.OpUploadPart)
	return src, args
}

func TestUploadsListsAndAbortsOwn(t *testing.T) {
	faults := osslocal.NewFaults(1)
	h := newHarness(t, osstest.WithFaults(faults))
	killedPut(t, h, faults, "team/big.bin")
	// Another client's unfinished upload: not ossvault's to list or abort.
	imur, err := h.bucket().InitiateMultipartUpload("foreign.bin")
	if err != nil {
		t.Fatal(err)
	}
	server := sdkUploads(t, h)
	if len(server) != 2 {
		t.Fatalf("the bucket holds %v, want the killed put's and the foreign upload", server)
	}

	out := h.must("uploads", "oss://bkt")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 1 {
		t.Fatalf("uploads printed %q, want one line", out)
	}
	f := strings.Split(lines[0], "\t")
	if len(f) != 3 {
		t.Fatalf("line %q: want 3 tab-separated fields", lines[0])
	}
	when, err := time.Parse(time.RFC3339, f[0])
	if err != nil || time.Since(when) > time.Hour || time.Until(when) > time.Minute {
		t.Errorf("initiated %q: %v", f[0], err)
	}
	if f[1] != server["team/big.bin"] || f[2] != "team/big.bin" {
		t.Errorf("line %q, want the upload id %s of team/big.bin", lines[0], server["team/big.bin"])
	}

	out, errs, code := h.run("uploads", "oss://bkt", "--abort")
	if code != ExitOK || !strings.Contains(errs, "aborted 1 unfinished upload\n") || out != lines[0]+"\n" {
		t.Fatalf("uploads --abort: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if left := sdkUploads(t, h); len(left) != 1 || left["foreign.bin"] != imur.UploadID {
		t.Fatalf("after --abort the bucket holds %v, want only the foreign upload", left)
	}
	if files, _ := filepath.Glob(filepath.Join(h.home, "journal", "*.json")); len(files) != 0 {
		b, _ := os.ReadFile(files[0])
		t.Errorf("--abort left journal records %v: %s", files, b)
	}
	if out := h.must("uploads", "oss://bkt"); out != "" {
		t.Errorf("uploads after --abort printed %q", out)
	}
}

func TestUploadsUsage(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{{"uploads"}, {"uploads", "oss://bkt/key"}, {"uploads", "oss://bkt", "oss://bkt"}} {
		if _, errs, code := h.run(args...); code != ExitUsage {
			t.Errorf("%v: exit %d (%s), want %d", args, code, errs, ExitUsage)
		}
	}
}

// The same resumed put run twice at once: one resumes, the other fails at
// once with one plain sentence, and the object is right.
func TestConcurrentResumesOneRuns(t *testing.T) {
	faults := osslocal.NewFaults(1)
	h := newHarness(t, osstest.WithFaults(faults))
	src, args := killedPut(t, h, faults, "big.bin")

	type result struct {
		err    error
		stderr string
	}
	done := make(chan result, 2)
	for range 2 {
		cmd := exec.Command(binary(t), args...)
		cmd.Env = h.environ()
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { err := cmd.Wait(); done <- result{err, stderr.String()} }()
	}
	var ok, refused int
	for range 2 {
		r := <-done
		switch {
		case r.err == nil:
			ok++
		case strings.Contains(r.stderr, "this transfer is already running in another ossvault process"):
			refused++
			if n := strings.Count(r.stderr, "\n"); n != 1 || !strings.HasPrefix(r.stderr, "ossvault: ") {
				t.Errorf("the refused put wrote %q, want one line", r.stderr)
			}
			if ee, isExit := r.err.(*exec.ExitError); !isExit || ee.ExitCode() != ExitFailure {
				t.Errorf("the refused put ended with %v, want exit %d", r.err, ExitFailure)
			}
		default:
			t.Errorf("a put failed otherwise: %v: %s", r.err, r.stderr)
		}
	}
	if ok != 1 || refused != 1 {
		t.Fatalf("%d puts succeeded and %d were refused, want one each", ok, refused)
	}
	if n := h.srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 1 {
		t.Errorf("InitiateMultipartUpload = %d, want 1: the refused put must not start over", n)
	}
	if left := sdkUploads(t, h); len(left) != 0 {
		t.Errorf("unfinished uploads left: %v", left)
	}
	out := filepath.Join(t.TempDir(), "out")
	h.must("get", "oss://bkt/big.bin", out)
	if !sameFile(t, src, out) {
		t.Fatal("the object differs from the file")
	}
}

// A `put -` killed with SIGKILL mid-stream leaves its multipart upload on
// the server with no journal record to resume from; the note it wrote
// before its first part makes `uploads` list it and `--abort` remove it.
// While the stream still runs, the upload is listed and left alone.
func TestKilledStreamIsListedAndAborted(t *testing.T) {
	h := newHarness(t)
	const partSize = 1 << 20
	cmd := exec.Command(binary(t), "put", "-", "oss://bkt/dump.sql", "--part-size", strconv.Itoa(partSize), "--jobs", "2")
	cmd.Env = h.environ()
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGKILL) })
	// Three parts and a bit, then the pipe stays open: the stream is
	// mid-way, as a dump between two tables is.
	go func() {
		buf := make([]byte, 3*partSize+100)
		rand.Read(buf)
		stdin.Write(buf)
	}()
	stored := func() int {
		return h.srv.Log.CountFunc(func(e osslocal.LogEntry) bool { return e.Op == osslocal.OpUploadPart && e.Status == 200 })
	}
	deadline := time.Now().Add(time.Minute)
	for stored() < 3 {
		select {
		case err := <-exited:
			t.Fatalf("put - ended before it could be killed: %v: %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no parts stored within a minute: %s", stderr.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	server := sdkUploads(t, h)
	if len(server) != 1 || server["dump.sql"] == "" {
		t.Fatalf("the bucket holds %v, want the stream's upload", server)
	}
	want := server["dump.sql"]

	// Running: listed, and --abort leaves it alone.
	if out := h.must("uploads", "oss://bkt"); !strings.Contains(out, "\t"+want+"\tdump.sql\n") {
		t.Fatalf("uploads while the stream runs printed %q, want its upload %s", out, want)
	}
	out, errs, code := h.run("uploads", "oss://bkt", "--abort")
	if code != ExitOK || out != "" || !strings.Contains(errs, "aborted 0 unfinished uploads\n") || !strings.Contains(errs, "left 1 upload alone") {
		t.Fatalf("uploads --abort while the stream runs: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if got := sdkUploads(t, h); got["dump.sql"] != want {
		t.Fatalf("--abort touched the running stream's upload: %v", got)
	}

	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	settle(t, h, osslocal.OpUploadPart)
	out = h.must("uploads", "oss://bkt")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 1 || !strings.HasSuffix(lines[0], "\t"+want+"\tdump.sql") {
		t.Fatalf("uploads after the kill printed %q, want one line for upload %s", out, want)
	}
	out, errs, code = h.run("uploads", "oss://bkt", "--abort")
	if code != ExitOK || !strings.Contains(errs, "aborted 1 unfinished upload\n") || out != lines[0]+"\n" {
		t.Fatalf("uploads --abort after the kill: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if left := sdkUploads(t, h); len(left) != 0 {
		t.Fatalf("after --abort the bucket holds %v", left)
	}
	if files, _ := filepath.Glob(filepath.Join(h.home, "journal", "*")); len(files) != 0 {
		t.Errorf("--abort left journal files %v", files)
	}
}
