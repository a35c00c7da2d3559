package transfer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// The tests in this file prove the stall timeout against the real SDK over
// HTTP: a request the local endpoint holds open without answering
// (osslocal.Hang) ends the transfer with ErrStalled, and a slow link whose
// bytes keep arriving does not.

// stallTimeout is short so that the tests wait little, and long enough
// that no part's answer on a busy machine (the endpoint syncs each part to
// disk) is taken for a stall before the hung request; guard bounds the
// whole transfer, so that a stall the timer misses fails the test instead
// of hanging it.
const (
	stallTimeout = 2 * time.Second
	guard        = time.Minute
)

func guarded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	t.Cleanup(cancel)
	return ctx
}

func TestOSSStalledUploadKeepsJournalAndResumes(t *testing.T) {
	faults := osslocal.NewFaults(1)
	srv, st := startOSS(t, osstest.WithFaults(faults))
	up, _ := newEngines(t, st)
	up.Parts, up.StallTimeout = 1, stallTimeout
	src, _ := writeRandom(t, t.TempDir(), "src", 8*MinPartSize+5)
	job := UploadJob{Source: src, Bucket: "b", Key: "stalled", Wrapper: testWrapper(t)}
	faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Part: 4, Times: 1, Action: osslocal.Hang()})

	err := up.Upload(guarded(t), job, nil)
	if !errors.Is(err, ErrStalled) {
		t.Fatalf("upload with a hung part: %v, want ErrStalled", err)
	}
	recs, _ := up.Journal.List()
	if len(recs) != 1 || recs[0].Kind != "upload" {
		t.Fatalf("journal after the stall: %+v, want the upload's record", recs)
	}
	if n := srv.Log.Count(osslocal.OpAbortMultipartUpload); n != 0 {
		t.Fatalf("the stalled upload was aborted (%d AbortMultipartUpload)", n)
	}
	before := srv.Log.PartsStored("bkt", "stalled")
	if len(before) != 3 {
		t.Fatalf("parts stored before the stall: %v, want 1 to 3", before)
	}

	// A later run (a new process: nothing in memory but the journal)
	// sends only what the stalled one had not stored. It has the default
	// stall timeout: on a busy machine a part's answer (the endpoint syncs
	// each part to disk) can take longer than the short one.
	up2 := &Uploader{Store: st, Journal: up.Journal, Keys: testKeys(t), PartSize: MinPartSize, Parts: 2, Policy: &fastPolicy}
	if err := up2.Upload(guarded(t), job, nil); err != nil {
		t.Fatal(err)
	}
	for n, c := range srv.Log.PartsStored("bkt", "stalled") {
		if c != 1 {
			t.Errorf("part %d stored %d times, want once", n, c)
		}
	}
	if n := srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 1 {
		t.Errorf("%d uploads initiated, want 1 (the resume continues the first)", n)
	}
	assertSameDownload(t, st, "stalled", src)
	if recs, _ := up.Journal.List(); len(recs) != 0 {
		t.Errorf("journal records left after the resumed upload: %+v", recs)
	}
}

// A stalled download, like a stalled upload, keeps its journal and hidden
// partial file (the network may come back); the next run fetches only the
// ranges the stalled one had not finished and leaves nothing behind.
func TestOSSStalledDownloadKeepsJournalAndResumes(t *testing.T) {
	faults := osslocal.NewFaults(1)
	srv, st := startOSS(t, osstest.WithFaults(faults))
	up, down := newEngines(t, st)
	up.PartSize = 1 << 20 // whole 1 MiB integrity chunks: the ranges counted below
	down.Parts, down.StallTimeout = 1, stallTimeout
	src, _ := writeRandom(t, t.TempDir(), "src", 4<<20+9)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	// The second ranged GET never answers.
	faults.Add(osslocal.Fault{Op: osslocal.OpGetObject, Nth: 2, Times: 1, Action: osslocal.Hang()})
	dir := t.TempDir()
	dest := filepath.Join(dir, "out")
	job := DownloadJob{Source: st, SourceID: "oss://b/k", Key: "k", Dest: dest}
	_, err := down.Download(guarded(t), job, nil)
	if !errors.Is(err, ErrStalled) || !errors.Is(err, ErrResumable) {
		t.Fatalf("download with a hung GET: %v, want ErrStalled and ErrResumable", err)
	}
	if _, err := os.Lstat(dest); err == nil {
		t.Fatal("the stalled download left a file at the destination")
	}
	if recs, _ := down.Journal.List(); len(recs) != 1 || recs[0].Kind != "download" {
		t.Fatalf("journal after the stall: %+v, want the download's record", recs)
	}
	gets := srv.Log.Count(osslocal.OpGetObject)

	down2 := &Downloader{Journal: down.Journal, Keys: testKeys(t), ChunkSize: 1 << 20, Parts: 1, Policy: &fastPolicy}
	if _, err := down2.Download(guarded(t), job, nil); err != nil {
		t.Fatal(err)
	}
	// 5 ranges of 1 MiB; the first was done before the stall.
	if n := srv.Log.Count(osslocal.OpGetObject) - gets; n != 4 {
		t.Errorf("the resumed download made %d GETs, want 4", n)
	}
	if fileSum(t, dest) != fileSum(t, src) {
		t.Fatal("the resumed download differs from the file")
	}
	assertNoLeftovers(t, dir, down.Journal)
}

// A link slow enough that the whole transfer takes many stall timeouts,
// and one piece of a range (a whole integrity chunk, 1 MiB) two, but over which bytes keep
// arriving, is not a stall. An upload's progress is what the connection has
// taken: a part the socket buffer swallowed whole shows no movement until
// the server answers, so a part (100 KiB, 0.2 s at this rate) stays under
// the timeout here.
func TestOSSSlowTransferIsNotStalled(t *testing.T) {
	const slowStall = time.Second
	faults := osslocal.NewFaults(1)
	faults.Throttle(512 << 10)
	st := startThrottledOSS(t, faults)
	up, down := newEngines(t, st)
	up.Parts, up.StallTimeout = 1, slowStall
	down.Parts, down.StallTimeout, down.ChunkSize = 1, slowStall, 2<<20
	src, _ := writeRandom(t, t.TempDir(), "src", 1<<20+7)
	start := time.Now()
	if err := up.Upload(guarded(t), UploadJob{Source: src, Bucket: "b", Key: "slow", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatalf("slow upload: %v", err)
	}
	t.Logf("upload took %v with a stall timeout of %v", time.Since(start), slowStall)
	start = time.Now()
	dest := filepath.Join(t.TempDir(), "out")
	if _, err := down.Download(guarded(t), DownloadJob{Source: st, SourceID: "oss://b/slow", Key: "slow", Dest: dest}, nil); err != nil {
		t.Fatalf("slow download: %v", err)
	}
	t.Logf("download took %v with a stall timeout of %v", time.Since(start), slowStall)
	if fileSum(t, dest) != fileSum(t, src) {
		t.Fatal("SHA-256 differs after the slow transfer")
	}
}

// A job that stalls fails with ErrStalled and stays in the journal, so a
// retry (or the next start) resumes it without sending its parts again.
func TestQueueStalledJobFailsAndRetryResumes(t *testing.T) {
	faults := osslocal.NewFaults(1)
	srv, st := startOSS(t, osstest.WithFaults(faults))
	up, down := newEngines(t, st)
	up.Parts, up.StallTimeout = 1, stallTimeout
	j := up.Journal
	q := NewQueue(up, down, 1)
	q.KeepInJournal(j)
	var log eventLog
	defer q.Subscribe(log.add)()
	src, _ := writeRandom(t, t.TempDir(), "src", 6*MinPartSize)
	faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Part: 3, Times: 1, Action: osslocal.Hang()})

	id := q.Add(Spec{Upload: &UploadJob{Source: src, Bucket: "b", Key: "q", Wrapper: testWrapper(t)}, Note: JobNote{KeyName: "Mine"}})
	log.waitFor(t, id, Failed)
	e := q.Jobs()[0]
	if !errors.Is(e.Err, ErrStalled) {
		t.Fatalf("the stalled job failed with %v, want ErrStalled", e.Err)
	}
	recs, _ := j.List()
	kinds := map[string]int{}
	for _, r := range recs {
		kinds[r.Kind]++
	}
	if kinds["upload"] != 1 || kinds[KindQueuedUpload] != 1 {
		t.Fatalf("journal after the stall: %v, want the upload's progress and the queued job", kinds)
	}

	// The retry must finish however busy the machine: the default stall
	// timeout (the job has ended, so nothing reads the field meanwhile;
	// Retry's lock orders this write before the next run reads it).
	up.StallTimeout = 0
	if err := q.Retry(id); err != nil {
		t.Fatal(err)
	}
	log.waitFor(t, id, Done)
	for n, c := range srv.Log.PartsStored("bkt", "q") {
		if c != 1 {
			t.Errorf("part %d stored %d times, want once", n, c)
		}
	}
	if got, want := log.states(id), []State{Queued, Running, Failed, Queued, Running, Done}; !slices.Equal(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
	if left, _ := j.List(); len(left) != 0 {
		t.Errorf("journal records left after the retried job: %+v", left)
	}
	assertSameDownload(t, st, "q", src)
}

func assertSameDownload(t *testing.T, st Bucket, key, src string) {
	t.Helper()
	_, down := newEngines(t, st)
	dest := filepath.Join(t.TempDir(), "check")
	if _, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://b/" + key, Key: key, Dest: dest}, nil); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, dest) != fileSum(t, src) {
		t.Fatalf("%s does not hold the uploaded file", key)
	}
}

// startThrottledOSS serves a local endpoint through faults.Listener, so that
// faults.Throttle paces every connection.
func startThrottledOSS(t *testing.T, faults *osslocal.Faults) Bucket {
	t.Helper()
	srv := osstest.Start(t, osstest.WithBuckets("bkt"), osstest.WithThrottledFaults(faults))
	st := openBucket(t, Conn{Endpoint: srv.Endpoint, AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret}, "bkt")
	return st
}
