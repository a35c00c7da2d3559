package transfer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// sdkUploads lists the bucket's unfinished uploads with the official SDK,
// independently of the code under test.
func sdkUploads(t *testing.T, srv *osstest.Server) []oss.UncompletedUpload {
	t.Helper()
	res, err := sdkBucket(t, srvConn(srv), "bkt").ListMultipartUploads()
	if err != nil {
		t.Fatal(err)
	}
	return res.Uploads
}

func TestLockExcludesAndCleansUp(t *testing.T) {
	j, err := OpenJournal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := j.Lock("abc")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := j.Lock("abc"); !errors.Is(err, ErrRunningElsewhere) {
		t.Fatalf("second Lock = %v, want ErrRunningElsewhere", err)
	}
	if other, err := j.Lock("def"); err != nil {
		t.Fatalf("another record's lock: %v", err)
	} else {
		other()
	}
	unlock()
	if _, err := os.Stat(filepath.Join(j.Dir(), "abc.lock")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock file stayed after unlock: %v", err)
	}
	again, err := j.Lock("abc")
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	again()
}

// A canceled upload leaves no unfinished upload, and one whose abort fails
// is noted, listed by Own and aborted by AbortOwn.
func TestCanceledUploadLeavesNoUpload(t *testing.T) {
	for _, abortFails := range []bool{false, true} {
		t.Run(map[bool]string{false: "abort works", true: "abort fails"}[abortFails], func(t *testing.T) {
			faults := osslocal.NewFaults(1)
			srv, st := startOSS(t, osstest.WithFaults(faults))
			up, _ := newEngines(t, st)
			up.Parts = 1
			src, _ := writeRandom(t, t.TempDir(), "src", 6*MinPartSize)
			faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Action: osslocal.Latency(50 * time.Millisecond)})
			var deny *osslocal.FaultRule
			if abortFails {
				deny = faults.Add(osslocal.Fault{Op: osslocal.OpAbortMultipartUpload, Action: osslocal.FailWithCode(403, "AccessDenied")})
			}
			ctx, cancel := context.WithCancelCause(context.Background())
			go func() {
				for len(sdkUploads(t, srv)) == 0 {
					time.Sleep(5 * time.Millisecond)
				}
				time.Sleep(80 * time.Millisecond) // a part or two in
				cancel(ErrCanceled)
			}()
			err := up.Upload(ctx, UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}, nil)
			if !errors.Is(err, ErrCanceled) {
				t.Fatalf("err = %v, want canceled", err)
			}
			own, lerr := up.Journal.Own(context.Background(), "bkt", st)
			if lerr != nil {
				t.Fatal(lerr)
			}
			if !abortFails {
				if n := len(sdkUploads(t, srv)); n != 0 {
					t.Fatalf("the canceled upload left %d unfinished uploads", n)
				}
				if len(own) != 0 {
					t.Fatalf("Own = %+v, want none", own)
				}
				return
			}
			if !strings.Contains(err.Error(), "could not be aborted") || !strings.Contains(err.Error(), "ossvault uploads oss://bkt --abort") {
				t.Errorf("err = %v, want it to say the upload was not aborted and how to remove it", err)
			}
			server := sdkUploads(t, srv)
			if len(server) != 1 || len(own) != 1 || own[0].UploadID != server[0].UploadID || own[0].Key != "k" {
				t.Fatalf("Own = %+v, the server has %+v: want the one orphan", own, server)
			}
			faults.Remove(deny)
			if err := up.Journal.AbortOwn(context.Background(), st, nil, own[0]); err != nil {
				t.Fatal(err)
			}
			if n := len(sdkUploads(t, srv)); n != 0 {
				t.Fatalf("AbortOwn left %d unfinished uploads", n)
			}
			if recs, _ := up.Journal.List(); len(recs) != 0 {
				t.Errorf("AbortOwn left the journal: %+v", recs)
			}
		})
	}
}

// A record that another process runs (it holds the lock) is not resumed:
// the upload fails at once with the sentence, and nothing reaches the
// server.
func TestLockedRecordIsNotResumed(t *testing.T) {
	srv, st := startOSS(t)
	up, _ := newEngines(t, st)
	src, _ := writeRandom(t, t.TempDir(), "src", 3*MinPartSize)
	job := UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}
	unlock, err := up.Journal.Lock(UploadID(src, "bkt", "k"))
	if err != nil {
		t.Fatal(err)
	}
	before := len(srv.Log.Entries())
	err = up.Upload(context.Background(), job, nil)
	if !errors.Is(err, ErrRunningElsewhere) || !strings.Contains(err.Error(), "this transfer is already running in another ossvault process") {
		t.Fatalf("err = %v, want ErrRunningElsewhere", err)
	}
	if n := len(srv.Log.Entries()) - before; n != 0 {
		t.Errorf("a locked upload made %d requests", n)
	}
	unlock()
	if err := up.Upload(context.Background(), job, nil); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
}
