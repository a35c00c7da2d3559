package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// A put -r killed part-way is finished by resume: every object decrypts,
// and no part stored before the kill is sent again.
func TestResumeFinishesKilledPut(t *testing.T) {
	faults := osslocal.NewFaults(3)
	h := newHarness(t, osstest.WithFaults(faults))
	// Slow parts, so that the kill lands mid-folder whatever the disk.
	faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Action: osslocal.Latency(20 * time.Millisecond)})
	const partSize, parts, files = 102400, 8, 4
	dir := filepath.Join(t.TempDir(), "photos")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for i := range files {
		writeFile(t, filepath.Join(dir, fmt.Sprintf("f%d.bin", i)), (parts-1)*partSize+100+i)
	}
	stored := func() int {
		return h.srv.Log.CountFunc(func(e osslocal.LogEntry) bool { return e.Op == osslocal.OpUploadPart && e.Status == 200 })
	}
	args := []string{"put", "-r", dir, "oss://bkt/team/", "--part-size", strconv.Itoa(partSize), "--jobs", "1"}
	if !killWhen(t, h, func() bool { return stored() >= parts+parts/2 }, args...) {
		t.Skip("the put finished before it could be killed")
	}
	settle(t, h, osslocal.OpUploadPart)
	before := stored()

	_, errs, code := h.run("resume")
	if code != ExitOK || errs != "" {
		t.Fatalf("resume: exit %d, stderr %q", code, errs)
	}
	perPart := map[string]int{}
	for _, e := range h.srv.Log.Entries() {
		if e.Op == osslocal.OpUploadPart && e.Status == 200 {
			perPart[e.Key+"#"+strconv.Itoa(e.Part)]++
		}
	}
	for k, n := range perPart {
		if n != 1 {
			t.Errorf("part %s was stored %d times, want once", k, n)
		}
	}
	if len(perPart) != files*parts {
		t.Errorf("%d parts stored, want %d", len(perPart), files*parts)
	}
	if n := h.srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != files {
		t.Errorf("InitiateMultipartUpload = %d, want %d: resume started an upload over", n, files)
	}
	t.Logf("%d of %d parts stored before the kill; resume sent %d", before, files*parts, stored()-before)
	for i := range files {
		name := fmt.Sprintf("f%d.bin", i)
		out := filepath.Join(t.TempDir(), name)
		h.must("get", "oss://bkt/team/photos/"+name, out)
		if !sameFile(t, filepath.Join(dir, name), out) {
			t.Errorf("%s differs after resume", name)
		}
	}
	if _, errs, code := h.run("resume"); code != ExitOK || errs != "nothing to resume\n" {
		t.Errorf("a second resume: exit %d, stderr %q", code, errs)
	}
}

// A get of a folder interrupted (Ctrl-C) is finished by resume, and an
// interrupted run leaves nothing paused: resume runs it all.
func TestResumeFinishesInterruptedGet(t *testing.T) {
	faults := osslocal.NewFaults(5)
	h := newHarness(t, osstest.WithFaults(faults))
	src := t.TempDir()
	const files = 5
	for i := range files {
		writeFile(t, filepath.Join(src, fmt.Sprintf("d%d.bin", i)), 200_000+i)
	}
	h.must("put", "-r", src, "oss://bkt/in/")
	faults.Add(osslocal.Fault{Op: osslocal.OpGetObject, Action: osslocal.Latency(50 * time.Millisecond)})
	gets := func() int { return h.srv.Log.Count(osslocal.OpGetObject) }
	dest := filepath.Join(t.TempDir(), "out")
	errs, code := h.runUntil(func() bool { return gets() >= 2 }, "get", "oss://bkt/in/"+filepath.Base(src)+"/", dest, "--jobs", "1")
	if code == ExitOK {
		t.Skip("the get finished before it could be interrupted")
	}
	if !strings.Contains(errs, "interrupted") {
		t.Fatalf("exit %d, %q; want an interruption", code, errs)
	}
	if _, errs, code := h.run("resume", "--jobs", "2"); code != ExitOK || errs != "" {
		t.Fatalf("resume: exit %d, stderr %q", code, errs)
	}
	for i := range files {
		name := fmt.Sprintf("d%d.bin", i)
		if !sameFile(t, filepath.Join(src, name), filepath.Join(dest, name)) {
			t.Errorf("%s differs after resume", name)
		}
	}
	if left := journalRecords(t, h, "queued-download"); len(left) != 0 {
		t.Errorf("queued downloads left after resume: %q", left)
	}
}

// A get of a range that is interrupted is finished by resume, which writes
// the same bytes the get would have: only the range.
func TestResumeFinishesInterruptedRangedGet(t *testing.T) {
	faults := osslocal.NewFaults(5)
	h := newHarness(t, osstest.WithFaults(faults))
	src := filepath.Join(t.TempDir(), "ledger.bin")
	data := writeFile(t, src, 3_000_000)
	h.must("put", src, "oss://bkt/ledger.bin")
	faults.Add(osslocal.Fault{Op: osslocal.OpGetObject, Action: osslocal.Latency(300 * time.Millisecond)})
	gets := func() int { return h.srv.Log.Count(osslocal.OpGetObject) }
	dest := filepath.Join(t.TempDir(), "part.bin")
	errs, code := h.runUntil(func() bool { return gets() >= 1 }, "get", "oss://bkt/ledger.bin", dest, "--range", "1000-2499999")
	if code == ExitOK {
		t.Skip("the get finished before it could be interrupted")
	}
	if !strings.Contains(errs, "interrupted") {
		t.Fatalf("exit %d, %q; want an interruption", code, errs)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Fatal("the interrupted get left its file")
	}
	if _, errs, code := h.run("resume"); code != ExitOK || errs != "" {
		t.Fatalf("resume: exit %d, stderr %q", code, errs)
	}
	got, err := os.ReadFile(dest)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data[1000:2500000]) {
		t.Errorf("resume wrote %d bytes, not the range's %d", len(got), 2500000-1000)
	}
	if left := journalRecords(t, h, "queued-download"); len(left) != 0 {
		t.Errorf("queued downloads left after resume: %q", left)
	}
}

func TestResumeNothing(t *testing.T) {
	h := newHarness(t)
	out, errs, code := h.run("resume")
	if code != ExitOK || out != "" || errs != "nothing to resume\n" {
		t.Fatalf("resume on a fresh home: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// A finished put leaves nothing either.
	src := filepath.Join(t.TempDir(), "a.txt")
	writeFile(t, src, 10)
	h.must("put", src, "oss://bkt/a.txt")
	if _, errs, code := h.run("resume"); code != ExitOK || errs != "nothing to resume\n" {
		t.Fatalf("resume after a finished put: exit %d, stderr %q", code, errs)
	}
	if _, _, code := h.run("resume", "extra"); code != ExitUsage {
		t.Fatalf("resume with an argument: exit %d, want %d", code, ExitUsage)
	}
}

// A put made with the OSS_* environment resumes through the environment
// resume itself is given: without it, resume says so (exit 2) and keeps
// the transfer; with it, resume finishes it.
func TestResumeUsesItsOwnEnvironment(t *testing.T) {
	faults := osslocal.NewFaults(9)
	h := newHarness(t, osstest.WithFaults(faults))
	faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Action: osslocal.Latency(20 * time.Millisecond)})
	src := filepath.Join(t.TempDir(), "big.bin")
	writeFile(t, src, 10*102400)
	parts := func() int { return h.srv.Log.Count(osslocal.OpUploadPart) }
	errs, code := h.runUntil(func() bool { return parts() >= 2 }, "put", src, "oss://bkt/big.bin", "--part-size", "102400", "--jobs", "1")
	if code == ExitOK {
		t.Skip("the put finished before it could be interrupted")
	}
	if !strings.Contains(errs, "interrupted") {
		t.Fatalf("exit %d, %q; want an interruption", code, errs)
	}
	endpoint := h.vars["OSS_ENDPOINT"]
	delete(h.vars, "OSS_ENDPOINT")
	if _, errs, code := h.run("resume"); code != ExitUsage || !strings.Contains(errs, "no OSS endpoint") {
		t.Fatalf("resume without an endpoint: exit %d, stderr %q", code, errs)
	}
	if left := journalRecords(t, h, "queued-upload"); len(left) != 1 {
		t.Fatalf("queued uploads after a resume that could not connect: %q", left)
	}
	h.vars["OSS_ENDPOINT"] = endpoint
	if _, errs, code := h.run("resume"); code != ExitOK || errs != "" {
		t.Fatalf("resume: exit %d, stderr %q", code, errs)
	}
	out := filepath.Join(t.TempDir(), "out")
	h.must("get", "oss://bkt/big.bin", out)
	if !sameFile(t, src, out) {
		t.Fatal("the resumed upload differs")
	}
}

// A put made with --account resumes through that saved account, whatever
// the environment of resume says.
func TestResumeUsesTheSavedAccount(t *testing.T) {
	faults := osslocal.NewFaults(11)
	h := newHarness(t, osstest.WithFaults(faults))
	h.must("account", "add", "here", "--endpoint", h.srv.Endpoint)
	faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Action: osslocal.Latency(20 * time.Millisecond)})
	src := filepath.Join(t.TempDir(), "big.bin")
	writeFile(t, src, 10*102400)
	parts := func() int { return h.srv.Log.Count(osslocal.OpUploadPart) }
	_, code := h.runUntil(func() bool { return parts() >= 2 }, "put", src, "oss://bkt/big.bin", "--part-size", "102400", "--jobs", "1", "--account", "here")
	if code == ExitOK {
		t.Skip("the put finished before it could be interrupted")
	}
	for _, k := range []string{"OSS_ENDPOINT", "OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET"} {
		delete(h.vars, k)
	}
	if _, errs, code := h.run("resume"); code != ExitOK || errs != "" {
		t.Fatalf("resume: exit %d, stderr %q", code, errs)
	}
	out := filepath.Join(t.TempDir(), "out")
	h.must("get", "oss://bkt/big.bin", out, "--account", "here")
	if !sameFile(t, src, out) {
		t.Fatal("the resumed upload differs")
	}
}
