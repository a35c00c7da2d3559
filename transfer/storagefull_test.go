package transfer

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// An upload to a local store whose disk fills up says so in plain words,
// soon (a full disk is not retried for the whole window), and keeps its
// journal; once space is freed the same upload resumes, sending no stored
// part again.
func TestOSSStorageFullKeepsJournalAndResumes(t *testing.T) {
	dir, resize := osstest.SmallDisk(t, 1<<20)
	srv, st := startOSS(t, osstest.WithDir(dir))
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// The default policy: what a user gets.
	up := &Uploader{Store: st, Journal: j, Keys: testKeys(t), PartSize: MinPartSize, Parts: 3}
	src, _ := writeRandom(t, t.TempDir(), "src", 3<<20+11)
	job := UploadJob{Source: src, Bucket: "b", Key: "big", Wrapper: testWrapper(t)}

	start := time.Now()
	err = up.Upload(guarded(t), job, nil)
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the full storage took %v to report", d)
	}
	if !errors.Is(err, ErrStorageFull) || !errors.Is(err, ErrResumable) || !strings.Contains(err.Error(), "the storage has no space left") {
		t.Fatalf("upload to a full storage: %v, want ErrStorageFull, resumable", err)
	}
	if recs, _ := j.List(); len(recs) != 1 {
		t.Fatalf("journal after the full storage: %+v, want the upload's record", recs)
	}
	if n := srv.Log.Count(osslocal.OpAbortMultipartUpload); n != 0 {
		t.Fatalf("the upload was aborted (%d AbortMultipartUpload)", n)
	}
	stored := len(srv.Log.PartsStored("bkt", "big"))
	if stored == 0 {
		t.Fatal("no part fitted before the disk filled")
	}

	resize(32 << 20)
	if err := up.Upload(guarded(t), job, nil); err != nil {
		t.Fatalf("after freeing space: %v", err)
	}
	for n, c := range srv.Log.PartsStored("bkt", "big") {
		if c != 1 {
			t.Errorf("part %d stored %d times, want once", n, c)
		}
	}
	if n := srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 1 {
		t.Errorf("%d uploads initiated, want 1 (the resume continues the first)", n)
	}
	t.Logf("%d parts fitted before the disk filled", stored)
	assertSameDownload(t, st, "big", src)
	if recs, _ := j.List(); len(recs) != 0 {
		t.Errorf("journal records left after the resumed upload: %+v", recs)
	}
}

// A full storage under a single PUT reads as such too.
func TestOSSStorageFullSmallFile(t *testing.T) {
	dir, _ := osstest.SmallDisk(t, 256<<10)
	_, st := startOSS(t, osstest.WithDir(dir))
	up, _ := newEngines(t, st)
	up.PartSize = 8 << 20
	src, _ := writeRandom(t, t.TempDir(), "src", 1<<20)
	err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil)
	if !errors.Is(err, ErrStorageFull) || !strings.Contains(err.Error(), "the storage has no space left (HTTP 507 InsufficientStorage)") {
		t.Fatalf("put to a full storage: %v", err)
	}
}
