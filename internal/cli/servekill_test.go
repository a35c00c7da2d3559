package cli

import (
	"crypto/sha256"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/transfer"
)

// serveKills is how often TestTenServeLocalKills kills the endpoint during
// each transfer.
const serveKills = 10

// serveKillShape is the file of TestTenServeLocalKills: 1 GiB in 8 MiB
// parts with OSSVAULT_LONG=1, as the issue asks (too slow for CI on two
// cores), else 192 MiB in 768 KiB parts: as many parts as 1 GiB has twice
// over, and 24 ranges for the download, enough for ten kills to land
// mid-transfer.
func serveKillShape() (size, partSize int) {
	if os.Getenv("OSSVAULT_LONG") == "1" {
		return 1 << 30, 8 << 20
	}
	return 192 << 20, 768 << 10
}

func fileSum(t *testing.T, p string) [32]byte {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return [32]byte(h.Sum(nil))
}

// count counts the requests for op across every run of the endpoint, as
// their access logs have them (a request cut off by a kill has no line).
func (f *restartFixture) count(t *testing.T, op string) int {
	n := 0
	for _, s := range f.serves {
		for _, e := range s.entries(t) {
			if e.Op == op {
				n++
			}
		}
	}
	return n
}

// killDuring runs args in this process and SIGKILLs the endpoint, then
// starts it again on the same folder and port, each time count(op) reaches
// the next of kills points spread over want requests. It reruns the
// command if it gave up (the journal resumes it) and returns how many
// kills landed and how many runs it took.
func (f *restartFixture) killDuring(t *testing.T, op string, want, kills int, args ...string) (killed, runs int) {
	t.Helper()
	for runs < 4 {
		runs++
		done := make(chan runResult, 1)
		go func() {
			_, stderr, code := f.h.run(args...)
			done <- runResult{stderr, code}
		}()
		for {
			next := (killed + 1) * want / (kills + 2)
			select {
			case r := <-done:
				if r.code == ExitOK {
					return killed, runs
				}
				t.Logf("run %d: exit %d: %s", runs, r.code, r.stderr)
				goto rerun
			default:
			}
			if killed < kills && f.count(t, op) >= next {
				s := f.serves[len(f.serves)-1]
				s.kill()
				killed++
				f.restart(t, s)
				continue
			}
			time.Sleep(2 * time.Millisecond)
		}
	rerun:
	}
	t.Fatalf("%s did not finish in %d runs", args[0], runs)
	return
}

// Ten SIGKILLs of a separate serve-local process during one put, and ten
// during one get, each followed by a restart on the same folder and port:
// each transfer rides them out (or resumes on a rerun), sends at most one
// request per kill and one per job more than it has parts or ranges, and
// leaves no unfinished upload; the copy is the file.
func TestTenServeLocalKills(t *testing.T) {
	f := newRestartFixture(t, transfer.Policy{Window: time.Minute, Base: 50 * time.Millisecond, Max: 500 * time.Millisecond})
	size, partSize := serveKillShape()
	const jobs = 4
	parts := (size + partSize - 1) / partSize
	f.src = filepath.Join(t.TempDir(), "big.bin")
	writeFile(t, f.src, size)
	want := fileSum(t, f.src)

	start := time.Now()
	killed, runs := f.killDuring(t, osslocal.OpUploadPart, parts, serveKills,
		"put", f.src, "oss://bkt/big.bin", "--part-size", strconv.Itoa(partSize), "--jobs", strconv.Itoa(jobs))
	sent := f.count(t, osslocal.OpUploadPart)
	t.Logf("put of %d MiB in %d parts: %d kills, %d run(s), %d part requests logged, %d initiated, %v",
		size>>20, parts, killed, runs, sent, f.count(t, osslocal.OpInitiateMultipartUpload), time.Since(start).Round(time.Millisecond))
	if killed != serveKills {
		t.Errorf("only %d of %d kills landed during the put", killed, serveKills)
	}
	if sent > parts+serveKills+jobs {
		t.Errorf("%d part requests for %d parts, want at most %d", sent, parts, parts+serveKills+jobs)
	}
	if out := f.h.must("uploads", "oss://bkt"); out != "" {
		t.Errorf("uploads after the put lists %q", out)
	}

	const rangeSize = 8 << 20 // the downloader's default
	ranges := (size + rangeSize - 1) / rangeSize
	before := f.count(t, osslocal.OpGetObject)
	dest := filepath.Join(t.TempDir(), "copy.bin")
	start = time.Now()
	killed, runs = f.killDuring(t, osslocal.OpGetObject, before+ranges, serveKills, "get", "oss://bkt/big.bin", dest, "--jobs", strconv.Itoa(jobs))
	gets := f.count(t, osslocal.OpGetObject) - before
	t.Logf("get of %d ranges: %d kills, %d run(s), %d range requests logged, %v", ranges, killed, runs, gets, time.Since(start).Round(time.Millisecond))
	if killed != serveKills {
		t.Errorf("only %d of %d kills landed during the get", killed, serveKills)
	}
	if gets > ranges+serveKills+jobs {
		t.Errorf("%d range requests for %d ranges, want at most %d", gets, ranges, ranges+serveKills+jobs)
	}
	if fileSum(t, dest) != want {
		t.Fatal("SHA-256 of the download differs from the file")
	}
	if out := f.h.must("uploads", "oss://bkt"); out != "" {
		t.Errorf("uploads after the get lists %q", out)
	}
	client, err := oss.New(f.serves[len(f.serves)-1].endpoint, serveID, serveSecret)
	if err != nil {
		t.Fatal(err)
	}
	b, err := client.Bucket("bkt")
	if err != nil {
		t.Fatal(err)
	}
	if res, err := b.ListMultipartUploads(); err != nil || len(res.Uploads) != 0 {
		t.Errorf("the bucket holds unfinished uploads %v (%v)", res.Uploads, err)
	}
}
