package cli

import (
	"encoding/json"
	"math/rand/v2"
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

// killSize is the file size of the SIGKILL tests: 1 GiB, as the issue
// asks, or OSSVAULT_KILL_MB (e.g. 256 for a quicker run: on two cores the
// two tests took 40-50 s less at 256 MiB).
func killSize(t *testing.T) int {
	if s := os.Getenv("OSSVAULT_KILL_MB"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 16 {
			t.Fatalf("OSSVAULT_KILL_MB=%q: want a number of MiB >= 16", s)
		}
		return n << 20
	}
	return 1024 << 20
}

const kills = 5

// killWhen starts the command and SIGKILLs it once ready() is true (or
// lets it finish). It reports whether the kill happened.
func killWhen(t *testing.T, h *harness, ready func() bool, args ...string) bool {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = h.environ()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("ossvault %s failed before it could be killed: %v: %s", strings.Join(args, " "), err, stderr.String())
			}
			return false
		case <-tick.C:
			if ready() {
				cmd.Process.Signal(syscall.SIGKILL)
				<-exited
				return true
			}
		}
	}
}

// settle waits until every request for op that reached the server has
// finished and been logged: a killed client's last request may still be
// storing its body, and a rerun racing it would see a part not yet listed.
func settle(t *testing.T, h *harness, op string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for h.srv.Log.Count(op) < h.srv.Requests(op) {
		if time.Now().After(deadline) {
			t.Fatalf("%s requests never finished: %d logged of %d", op, h.srv.Log.Count(op), h.srv.Requests(op))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// journalDone returns how many ranges the journaled downloads finished.
func journalDone(h *harness) int {
	files, _ := filepath.Glob(filepath.Join(h.home, "journal", "*.json"))
	n := 0
	for _, f := range files {
		var rec struct {
			Done []json.RawMessage `json:"done"`
		}
		if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &rec) == nil {
			n += len(rec.Done)
		}
	}
	return n
}

func TestKilledUploadResumes(t *testing.T) {
	h := newHarness(t)
	size := killSize(t)
	const partSize = 4 << 20
	parts := (size + partSize - 1) / partSize
	src := filepath.Join(t.TempDir(), "big.bin")
	writeFile(t, src, size)
	stored := func() int {
		return h.srv.Log.CountFunc(func(e osslocal.LogEntry) bool { return e.Op == osslocal.OpUploadPart && e.Status == 200 })
	}
	args := []string{"put", src, "oss://bkt/big.bin", "--part-size", strconv.Itoa(partSize), "--jobs", "4"}
	killed := 0
	for i := range kills {
		// Kill somewhere in the next stretch of parts, at a random point.
		at := (i+1)*parts/(kills+2) + rand.IntN(max(parts/(kills+2), 1))
		if killWhen(t, h, func() bool { return stored() >= at }, args...) {
			killed++
		}
		settle(t, h, osslocal.OpUploadPart)
	}
	t.Logf("killed the upload %d times; %d of %d parts stored before the last run", killed, stored(), parts)
	h.must(args...)
	perPart := map[int]int{}
	for _, e := range h.srv.Log.Entries() {
		if e.Op == osslocal.OpUploadPart && e.Status == 200 {
			perPart[e.Part]++
		}
	}
	for n := 1; n <= parts; n++ {
		if perPart[n] != 1 {
			t.Errorf("part %d was stored %d times, want once", n, perPart[n])
		}
	}
	if n := h.srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 1 {
		t.Errorf("InitiateMultipartUpload = %d, want 1: a rerun started over", n)
	}
	if killed < kills-1 {
		t.Errorf("only %d of %d kills landed mid-upload", killed, kills)
	}
	out := filepath.Join(t.TempDir(), "out")
	h.must("get", "oss://bkt/big.bin", out)
	if !sameFile(t, src, out) {
		t.Fatal("SHA-256 differs after the killed uploads")
	}
}

func TestKilledDownloadResumes(t *testing.T) {
	// Each GET waits a little, so that a run lasts long enough to be
	// killed at several points whatever the disk's speed.
	faults := osslocal.NewFaults(7)
	h := newHarness(t, osstest.WithFaults(faults))
	size := killSize(t)
	src := filepath.Join(t.TempDir(), "big.bin")
	writeFile(t, src, size)
	h.must("put", src, "oss://bkt/big.bin", "--part-size", strconv.Itoa(16<<20))
	faults.Add(osslocal.Fault{Op: osslocal.OpGetObject, Action: osslocal.Latency(150 * time.Millisecond)})
	const chunk = 8 << 20 // the downloader's default range size
	chunks := (size + chunk - 1) / chunk
	gets := func() int { return h.srv.Log.Count(osslocal.OpGetObject) }
	destDir := t.TempDir()
	dest := filepath.Join(destDir, "copy.bin")
	args := []string{"get", "oss://bkt/big.bin", dest, "--jobs", "4"}
	killed := 0
	for range kills {
		// Kill once the journal records one to four more finished
		// ranges, a random moment later, so kills land mid-range too.
		at := journalDone(h) + 1 + rand.IntN(4)
		wait := time.Duration(rand.IntN(100)) * time.Millisecond
		var since time.Time
		ready := func() bool {
			if since.IsZero() && journalDone(h) >= at {
				since = time.Now()
			}
			return !since.IsZero() && time.Since(since) >= wait
		}
		if !killWhen(t, h, ready, args...) {
			break // the download finished first
		}
		killed++
		settle(t, h, osslocal.OpGetObject)
		if _, err := os.Stat(dest); err == nil {
			t.Fatal("a killed download left a file under the final name")
		}
		ents, _ := os.ReadDir(destDir)
		for _, e := range ents {
			fi, _ := e.Info()
			if !strings.HasPrefix(e.Name(), ".ossvault-") || fi.Mode().Perm() != 0o600 {
				t.Fatalf("after a kill the destination holds %s (%v)", e.Name(), fi.Mode())
			}
		}
	}
	done := journalDone(h)
	before := gets()
	h.must(args...)
	last := gets() - before
	t.Logf("killed the download %d times; %d of %d ranges journaled before the last run, which made %d GETs", killed, done, chunks, last)
	if !sameFile(t, src, dest) {
		t.Fatal("SHA-256 differs after the killed downloads")
	}
	// The last run fetches exactly the ranges the journal did not record.
	if done == 0 {
		t.Error("no range was journaled across five killed runs")
	}
	if last != chunks-done {
		t.Errorf("the last run made %d GETs, want %d (%d ranges, %d already done)", last, chunks-done, chunks, done)
	}
	if killed < kills-1 {
		t.Errorf("only %d of %d kills landed mid-download", killed, kills)
	}
	if ents, _ := os.ReadDir(destDir); len(ents) != 1 {
		t.Errorf("the destination holds %d files after the final run, want 1", len(ents))
	}
}
