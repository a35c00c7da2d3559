package transfer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/ossvault/ossvault/envelope"
)

// A temporary file that another program changes after the last byte was
// written and checked, and before the rename, fails the download with
// ErrPartialChanged and envelope.ErrIntegrity (exit 4 at the command line),
// and nothing is left at the destination or beside it; the same download
// untouched goes through.
func TestFinishedDownloadIsReadAgainBeforeRename(t *testing.T) {
	_, st := startOSS(t)
	up, down := newEngines(t, st)
	const size = 2*MinPartSize + 5
	src, data := writeRandom(t, t.TempDir(), "src", size)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	flip := func(at int64) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			b := []byte{0}
			if _, err := f.ReadAt(b, at); err != nil {
				t.Fatal(err)
			}
			b[0] ^= 1
			if _, err := f.WriteAt(b, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tc := range []struct {
		name   string
		rng    *ByteRange
		verify bool
		change func(t *testing.T, path string) // nil: left alone
	}{
		{name: "untouched"},
		{name: "first byte", change: flip(0)},
		{name: "a middle byte", change: flip(MinPartSize + 12345)},
		{name: "last byte", change: flip(size - 1)},
		{name: "truncated", change: func(t *testing.T, path string) {
			if err := os.Truncate(path, size-1); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "grown", change: func(t *testing.T, path string) {
			if err := os.Truncate(path, size+1); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "another file under its name, same bytes", change: func(t *testing.T, path string) {
			other := path + ".other"
			if err := os.WriteFile(other, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(other, path); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "removed", change: func(t *testing.T, path string) {
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "verified range untouched", rng: &ByteRange{Start: 100, End: MinPartSize + 100}, verify: true},
		{name: "verified range, a byte", rng: &ByteRange{Start: 100, End: MinPartSize + 100}, verify: true, change: flip(7)},
		{name: "unchecked range, a byte", rng: &ByteRange{Start: 100, End: MinPartSize + 100}, change: flip(MinPartSize)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			job := DownloadJob{Source: st, SourceID: "oss://bkt/k", Key: "k", Dest: filepath.Join(dir, "out"), Range: tc.rng, VerifyRange: tc.verify}
			hooked := false
			testHookBeforeRecheck = func(path string) {
				if filepath.Dir(path) != dir {
					t.Errorf("hook ran for %s, not in %s", path, dir)
				}
				hooked = true
				if tc.change != nil {
					tc.change(t, path)
				}
			}
			defer func() { testHookBeforeRecheck = nil }()
			res, err := down.Download(context.Background(), job, nil)
			if !hooked {
				t.Fatal("the hook never ran")
			}
			if tc.change == nil {
				if err != nil {
					t.Fatal(err)
				}
				want := data
				if tc.rng != nil {
					want = data[tc.rng.Start : tc.rng.End+1]
				}
				if got, err := os.ReadFile(job.Dest); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("downloaded %d bytes, %v", len(got), err)
				}
				return
			}
			if !errors.Is(err, ErrPartialChanged) || !errors.Is(err, envelope.ErrIntegrity) {
				t.Fatalf("err = %v, want ErrPartialChanged and ErrIntegrity", err)
			}
			if res == nil || res.Integrity != envelope.Failed {
				t.Fatalf("result %+v, want Integrity Failed", res)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Fatalf("a changed download left %v", left)
			}
			if recs, _ := down.Journal.List(); len(recs) != 0 {
				t.Fatalf("a changed download left journal records %v", recs)
			}
		})
	}
}

// pauseAfter pauses the download once n ranged GETs were asked for, before
// the next one is sent.
type pauseAfter struct {
	Reader
	n      int
	gets   int
	cancel context.CancelCauseFunc
}

func (p *pauseAfter) GetRange(ctx context.Context, key string, start, end int64, etag string) (io.ReadCloser, http.Header, error) {
	p.gets++
	if p.gets > p.n {
		p.cancel(ErrPaused)
		return nil, nil, context.Canceled
	}
	return p.Reader.GetRange(ctx, key, start, end, etag)
}

// A range that an earlier run wrote, re-read into the MAC on resume, and
// changed after that re-read is caught before the rename just the same.
func TestResumedDownloadIsReadAgainBeforeRename(t *testing.T) {
	_, st := startOSS(t)
	up, down := newEngines(t, st)
	down.Parts = 1
	up.PartSize = 1 << 20 // whole integrity chunks, as the download's ranges are
	src, _ := writeRandom(t, t.TempDir(), "src", 3<<20+5)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	job := DownloadJob{Source: st, SourceID: "oss://bkt/k", Key: "k", Dest: filepath.Join(dir, "out")}
	ctx, cancel := context.WithCancelCause(context.Background())
	paused := job
	paused.Source = &pauseAfter{Reader: st, n: 2, cancel: cancel}
	if _, err := down.Download(ctx, paused, nil); !errors.Is(err, ErrPaused) {
		t.Fatalf("err = %v, want paused", err)
	}
	var rec downloadRecord
	if ok, err := down.Journal.Load(DownloadID(job.SourceID, job.Dest, nil), &rec); !ok || err != nil || len(rec.Done) == 0 || rec.Done[0].Off != 0 {
		t.Fatalf("after the pause the record is %+v (%v, %v), want the first range done", rec, ok, err)
	}
	testHookBeforeRecheck = func(path string) {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteAt([]byte("changed"), 10); err != nil {
			t.Fatal(err)
		}
	}
	defer func() { testHookBeforeRecheck = nil }()
	if _, err := down.Download(context.Background(), job, nil); !errors.Is(err, ErrPartialChanged) || !errors.Is(err, envelope.ErrIntegrity) {
		t.Fatalf("err = %v, want ErrPartialChanged and ErrIntegrity", err)
	}
	assertNoLeftovers(t, dir, down.Journal)
}
