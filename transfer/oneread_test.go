package transfer

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// countingSource counts the bytes an upload reads from its file.
type countingSource struct {
	*os.File
	n *atomic.Int64
}

func (c countingSource) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.File.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

func (c countingSource) Read(p []byte) (int, error) {
	n, err := c.File.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// put reads each byte of its file once, single PUT or multipart, and the
// object verifies; a multipart object's MAC is a tag, written once, and
// the object fails closed when the tag is removed.
func TestOSSUploadReadsEachByteOnce(t *testing.T) {
	srv, st := startOSS(t)
	up, down := newEngines(t, st)
	var read atomic.Int64
	up.openSource = func(name string) (source, error) {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		return countingSource{File: f, n: &read}, nil
	}
	cases := []struct {
		name      string
		size      int
		partSize  int64
		multipart bool
	}{
		{"single PUT", 3<<20 + 7, 8 << 20, false},
		{"parts smaller than a chunk", 3<<20 + 7, MinPartSize, true},
		{"parts of whole chunks", 4<<20 + 11, 1 << 20, true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, _ := writeRandom(t, t.TempDir(), "src", c.size)
			key := "once-" + string(rune('a'+i))
			up.PartSize = c.partSize
			read.Store(0)
			srv.Log.Reset()
			if err := up.Upload(guarded(t), UploadJob{Source: src, Bucket: "b", Key: key, Wrapper: testWrapper(t)}, nil); err != nil {
				t.Fatal(err)
			}
			if got := read.Load(); got != int64(c.size) {
				t.Errorf("read %d bytes of a %d-byte file, want each byte once", got, c.size)
			}
			tags := 0
			if c.multipart {
				tags = 1
			}
			if n := srv.Log.Count(osslocal.OpPutObjectTagging); n != tags {
				t.Errorf("%d PutObjectTagging, want %d", n, tags)
			}
			assertSameDownload(t, st, key, src)
			if !c.multipart {
				return
			}
			if err := sdkBucket(t, srvConn(srv), "bkt").DeleteObjectTagging(key); err != nil {
				t.Fatal(err)
			}
			_, err := down.Download(guarded(t), DownloadJob{Source: st, SourceID: "oss://b/" + key, Key: key, Dest: filepath.Join(t.TempDir(), "x")}, nil)
			if !errors.Is(err, envelope.ErrStripped) {
				t.Errorf("download without the MAC tag: %v, want ErrStripped", err)
			}
		})
	}
}

// A file edited in place while it uploads, its size and modification time
// restored after every write, never yields a successful upload of an
// object that does not open: what is sent is what was authenticated.
func TestOSSEditInPlaceNeverLeavesAnUnopenableObject(t *testing.T) {
	_, st := startOSS(t)
	up, down := newEngines(t, st)
	up.Parts = 2
	const size = 2<<20 + 3
	ok := 0
	for i := range 20 {
		src, _ := writeRandom(t, t.TempDir(), "src", size)
		fi, err := os.Stat(src)
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.OpenFile(src, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 1))
			b := make([]byte, 64)
			for {
				select {
				case <-stop:
					return
				default:
				}
				for j := range b {
					b[j] = byte(r.Uint32())
				}
				_, _ = f.WriteAt(b, r.Int64N(size-int64(len(b))))
				_ = os.Chtimes(src, fi.ModTime(), fi.ModTime())
				time.Sleep(200 * time.Microsecond)
			}
		})
		key := "edited"
		err = up.Upload(guarded(t), UploadJob{Source: src, Bucket: "b", Key: key, Wrapper: testWrapper(t)}, nil)
		close(stop)
		wg.Wait()
		f.Close()
		if err != nil {
			if !errors.Is(err, ErrSourceChanged) {
				t.Fatalf("run %d: %v", i, err)
			}
			continue // a failed upload is allowed; a broken object is not
		}
		ok++
		res, err := down.Download(guarded(t), DownloadJob{Source: st, SourceID: "oss://b/" + key, Key: key, Dest: filepath.Join(t.TempDir(), "out")}, nil)
		if err != nil || res.Integrity != envelope.Verified {
			t.Fatalf("run %d: the upload succeeded but the object does not open: %v", i, err)
		}
	}
	if ok == 0 {
		t.Fatal("no upload succeeded; the test proves nothing")
	}
	t.Logf("%d of 20 uploads succeeded, all verified", ok)
}

// A part that was read (and recorded in the journal) but not stored when
// an upload stopped, then edited in place with size and modification time
// kept, is never sent again under the same data key and counter: the
// resume finds it changed, aborts and starts over under a new key.
func TestOSSResumeAfterEditOfInFlightPartUsesNewKey(t *testing.T) {
	faults := osslocal.NewFaults(1)
	srv, st := startOSS(t, osstest.WithFaults(faults))
	up, _ := newEngines(t, st)
	up.Parts = 1
	src, content := writeRandom(t, t.TempDir(), "src", 8*MinPartSize+5)
	fi, _ := os.Stat(src)
	job := UploadJob{Source: src, Bucket: "b", Key: "inflight", Wrapper: testWrapper(t)}
	rule := faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Part: 3, Action: osslocal.FailWith(503)})
	err := up.Upload(guarded(t), job, nil)
	if !errors.Is(err, ErrResumable) {
		t.Fatalf("upload with part 3 failing: %v, want a resumable failure", err)
	}
	faults.Remove(rule)
	firstKey := srv.Log.CountFunc(func(e osslocal.LogEntry) bool { return e.Op == osslocal.OpInitiateMultipartUpload })

	// Part 3 starts at 2*MinPartSize; the edit keeps size and mtime and
	// avoids the blocks an earlier version sampled.
	off := int64(2*MinPartSize + 5000)
	content[off] ^= 0xff
	if err := os.WriteFile(src, content, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(src, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}

	if err := up.Upload(guarded(t), job, nil); err != nil {
		t.Fatal(err)
	}
	if n := srv.Log.Count(osslocal.OpInitiateMultipartUpload) - firstKey; n != 1 {
		t.Errorf("the resume initiated %d new uploads, want 1 (a fresh data key)", n)
	}
	if n := srv.Log.Count(osslocal.OpAbortMultipartUpload); n < 1 {
		t.Errorf("the first upload, whose part 3 changed, was not aborted")
	}
	assertSameDownload(t, st, "inflight", src)
	if recs, _ := up.Journal.List(); len(recs) != 0 {
		t.Errorf("journal records left: %+v", recs)
	}
}

// The same part read again unchanged after an interruption resumes the
// same upload: no new key, no part stored twice.
func TestOSSResumeOfUnchangedInFlightPartKeepsTheUpload(t *testing.T) {
	faults := osslocal.NewFaults(1)
	srv, st := startOSS(t, osstest.WithFaults(faults))
	up, _ := newEngines(t, st)
	up.Parts = 1
	src, _ := writeRandom(t, t.TempDir(), "src", 8*MinPartSize+5)
	job := UploadJob{Source: src, Bucket: "b", Key: "same", Wrapper: testWrapper(t)}
	rule := faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Part: 3, Action: osslocal.FailWith(503)})
	if err := up.Upload(guarded(t), job, nil); !errors.Is(err, ErrResumable) {
		t.Fatalf("upload with part 3 failing: %v, want a resumable failure", err)
	}
	faults.Remove(rule)
	if err := up.Upload(guarded(t), job, nil); err != nil {
		t.Fatal(err)
	}
	if n := srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 1 {
		t.Errorf("%d uploads initiated, want 1", n)
	}
	for n, c := range srv.Log.PartsStored("bkt", "same") {
		if c != 1 {
			t.Errorf("part %d stored %d times", n, c)
		}
	}
	assertSameDownload(t, st, "same", src)
}

// An upload whose tags could not be written after Complete keeps its
// journal; until a rerun writes them the object fails closed, and the
// rerun writes them without sending or initiating anything again.
func TestOSSTagFailureAfterCompleteResumes(t *testing.T) {
	faults := osslocal.NewFaults(1)
	srv, st := startOSS(t, osstest.WithFaults(faults))
	up, down := newEngines(t, st)
	src, _ := writeRandom(t, t.TempDir(), "src", 5*MinPartSize+1)
	job := UploadJob{Source: src, Bucket: "b", Key: "tagless", Wrapper: testWrapper(t)}
	rule := faults.Add(osslocal.Fault{Op: osslocal.OpPutObjectTagging, Action: osslocal.FailWith(503)})
	if err := up.Upload(guarded(t), job, nil); !errors.Is(err, ErrResumable) {
		t.Fatalf("upload whose tags fail: %v, want a resumable failure", err)
	}
	_, err := down.Download(guarded(t), DownloadJob{Source: st, SourceID: "oss://b/tagless", Key: "tagless", Dest: filepath.Join(t.TempDir(), "x")}, nil)
	if !errors.Is(err, envelope.ErrStripped) {
		t.Fatalf("download before the tags exist: %v, want ErrStripped", err)
	}
	faults.Remove(rule)
	srv.Log.Entries()
	srv.Log.Reset()
	if err := up.Upload(guarded(t), job, nil); err != nil {
		t.Fatal(err)
	}
	for _, op := range []string{osslocal.OpInitiateMultipartUpload, osslocal.OpUploadPart, osslocal.OpCompleteMultipartUpload} {
		if n := srv.Log.Count(op); n != 0 {
			t.Errorf("the rerun made %d %s requests, want none", n, op)
		}
	}
	assertSameDownload(t, st, "tagless", src)
	if recs, _ := up.Journal.List(); len(recs) != 0 {
		t.Errorf("journal records left: %+v", recs)
	}
}
