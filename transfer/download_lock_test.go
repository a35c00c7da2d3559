package transfer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A download whose journal record another process holds (the same get run
// twice at once) fails at once with ErrRunningElsewhere and touches no
// file, instead of writing the other's partial file; once the record is
// free it runs.
func TestLockedDownloadIsNotRun(t *testing.T) {
	_, st := startOSS(t)
	up, down := newEngines(t, st)
	src, data := writeRandom(t, t.TempDir(), "src", 2*MinPartSize+5)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	job := DownloadJob{Source: st, SourceID: "oss://bkt/k", Key: "k", Dest: filepath.Join(dir, "out")}
	unlock, err := down.Journal.Lock(DownloadID(job.SourceID, job.Dest, job.Range))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := down.Download(context.Background(), job, nil); !errors.Is(err, ErrRunningElsewhere) {
		t.Fatalf("err = %v, want ErrRunningElsewhere", err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("a locked download left %v", left)
	}
	if err := down.Forget(job); !errors.Is(err, ErrRunningElsewhere) {
		t.Fatalf("Forget of a locked download: %v", err)
	}
	unlock()
	if _, err := down.Download(context.Background(), job, nil); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	if got, err := os.ReadFile(job.Dest); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("downloaded %d bytes, %v", len(got), err)
	}
}
