package transfer

import (
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/envelope"
	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// The tests in this file run the real SDK over HTTP against the local OSS
// endpoint.

func startOSS(t *testing.T, opts ...osstest.Option) (*osstest.Server, Bucket) {
	t.Helper()
	srv := osstest.Start(t, append([]osstest.Option{osstest.WithBuckets("bkt")}, opts...)...)
	return srv, openBucket(t, srvConn(srv), "bkt")
}

// srvConn is the connection to srv with its access key.
func srvConn(srv *osstest.Server) Conn {
	return Conn{Endpoint: srv.Endpoint, AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret}
}

func fileSum(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestOSSRoundTrip(t *testing.T) {
	srv, st := startOSS(t)
	up, down := newEngines(t, st)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		key  string
		size int
	}{
		{"empty", "empty", 0},
		{"small", "docs/small report.pdf", 1000},
		{"multipart", "multi/part", 5*MinPartSize + 77},
		{"unicode and percent", "Berichte/Ü 100% fertig/季度 报告 #1.txt", 2*MinPartSize + 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, _ := writeRandom(t, dir, tc.name, tc.size)
			if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: tc.key, Wrapper: testWrapper(t)}, nil); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(t.TempDir(), "out")
			res, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://b/" + tc.key, Key: tc.key, Dest: dest}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fileSum(t, dest) != fileSum(t, src) {
				t.Fatal("SHA-256 of the download differs from the upload")
			}
			if res.Integrity != envelope.Verified {
				t.Fatalf("integrity = %v", res.Integrity)
			}
		})
	}
	if n := srv.Log.Count(osslocal.OpCompleteMultipartUpload); n != 2 {
		t.Errorf("CompleteMultipartUpload = %d, want 2", n)
	}
}

func TestOSSFlakyParts(t *testing.T) {
	faults := osslocal.NewFaults(42)
	srv, st := startOSS(t, osstest.WithFaults(faults))
	faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Probability: 0.05, Action: osslocal.FailWith(503)})
	faults.Add(osslocal.Fault{Op: osslocal.OpUploadPart, Probability: 0.05, Action: osslocal.ResetRequestAfter(50 << 10)})
	faults.Add(osslocal.Fault{Op: osslocal.OpGetObject, Probability: 0.05, Action: osslocal.ResetResponseAfter(300 << 10)})
	faults.Add(osslocal.Fault{Op: osslocal.OpGetObject, Probability: 0.05, Action: osslocal.TruncateResponseAfter(100 << 10)})
	faults.Add(osslocal.Fault{Op: osslocal.OpGetObject, Probability: 0.05, Action: osslocal.FailWith(500)})
	up, down := newEngines(t, st)
	up.PartSize = 256 << 10
	src, _ := writeRandom(t, t.TempDir(), "src", 24<<20+5)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "flaky", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	failedParts := srv.Log.CountFunc(func(e osslocal.LogEntry) bool { return e.Op == osslocal.OpUploadPart && e.Status != 200 })
	if failedParts == 0 {
		t.Fatal("no part upload failed: the faults did not fire")
	}
	dest := filepath.Join(t.TempDir(), "out")
	if _, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://b/flaky", Key: "flaky", Dest: dest}, nil); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, dest) != fileSum(t, src) {
		t.Fatal("SHA-256 differs after flaky transfers")
	}
	t.Logf("%d of %d part uploads failed; %d of %d GETs", failedParts, srv.Log.Count(osslocal.OpUploadPart),
		srv.Log.CountFunc(func(e osslocal.LogEntry) bool { return e.Op == osslocal.OpGetObject && e.Fault != "" }), srv.Log.Count(osslocal.OpGetObject))
}

func TestOSSResumeAfterRestart(t *testing.T) {
	srv, st := startOSS(t)
	up, _ := newEngines(t, st)
	up.Parts = 1
	src, _ := writeRandom(t, t.TempDir(), "src", 10*MinPartSize)
	ctx, cancel := context.WithCancelCause(context.Background())
	n := 0
	err := up.Upload(ctx, UploadJob{Source: src, Bucket: "b", Key: "r", Wrapper: testWrapper(t)}, func(done, total int64) {
		if done > 4*MinPartSize && n == 0 {
			n++
			cancel(ErrPaused)
		}
	})
	if !errors.Is(err, ErrPaused) {
		t.Skipf("the upload finished before it could be paused (%v)", err)
	}
	sent := srv.Log.PartsStored("bkt", "r")
	// A new uploader, as after a restart: nothing in memory but the journal.
	up2 := &Uploader{Store: st, Journal: up.Journal, Keys: testKeys(t), PartSize: MinPartSize, Parts: 2, Policy: &fastPolicy}
	srv.Log.Reset()
	if err := up2.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "r", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	again := srv.Log.Count(osslocal.OpUploadPart)
	if again+len(sent) != 10 {
		t.Errorf("stored %d parts before the restart and sent %d after, want 10 in all", len(sent), again)
	}
	if srv.Log.Count(osslocal.OpInitiateMultipartUpload) != 0 || srv.Log.Count(osslocal.OpListParts) != 1 {
		t.Errorf("the resume initiated %d uploads and listed parts %d times", srv.Log.Count(osslocal.OpInitiateMultipartUpload), srv.Log.Count(osslocal.OpListParts))
	}
	dest := filepath.Join(t.TempDir(), "out")
	_, down := newEngines(t, st)
	if _, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://b/r", Key: "r", Dest: dest}, nil); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, dest) != fileSum(t, src) {
		t.Fatal("SHA-256 differs after a resumed upload")
	}
}

func TestOSSDownloadPinnedToVersion(t *testing.T) {
	_, st := startOSS(t)
	up, down := newEngines(t, st)
	down.Parts = 1
	dir := t.TempDir()
	src, _ := writeRandom(t, dir, "a", 3<<20)
	other, _ := writeRandom(t, dir, "b", 3<<20)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "v", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	overwritten := false
	dest := filepath.Join(t.TempDir(), "out")
	hooked := &hookReader{Reader: st, after: func() {
		if !overwritten {
			overwritten = true
			if err := up.Upload(context.Background(), UploadJob{Source: other, Bucket: "b", Key: "v", Wrapper: testWrapper(t)}, nil); err != nil {
				t.Error(err)
			}
		}
	}}
	_, err := down.Download(context.Background(), DownloadJob{Source: hooked, SourceID: "oss://b/v", Key: "v", Dest: dest}, nil)
	if !errors.Is(err, ErrSourceChanged) {
		t.Fatalf("err = %v, want ErrSourceChanged", err)
	}
	if _, serr := os.Stat(dest); serr == nil {
		t.Fatal("a mixed download was left at the destination")
	}
}

func TestOSSLink(t *testing.T) {
	srv, st := startOSS(t)
	up, down := newEngines(t, st)
	src, _ := writeRandom(t, t.TempDir(), "src", 5<<20+3)
	key := "shared/Q3 report 100%.bin"
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: key, Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	raw, err := st.ShareLink(context.Background(), key, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	link, err := ParseLink(raw)
	if err != nil {
		t.Fatal(err)
	}
	if link.ObjectName() != "Q3 report 100%.bin" {
		t.Errorf("ObjectName = %q", link.ObjectName())
	}
	srv.Log.Reset()
	dest := filepath.Join(t.TempDir(), "out")
	res, err := down.Download(context.Background(), DownloadJob{Source: link, SourceID: link.ID(), Dest: dest}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if fileSum(t, dest) != fileSum(t, src) || res.Integrity != envelope.Verified {
		t.Fatal("the download through the link differs or did not verify")
	}
	// The object was uploaded in parts: its MAC travels in the link's
	// fragment, and a link without it fails closed.
	bare, _ := ParseLink(raw[:strings.IndexByte(raw, '#')])
	_, err = down.Download(context.Background(), DownloadJob{Source: bare, SourceID: bare.ID(), Dest: filepath.Join(t.TempDir(), "bare")}, nil)
	if !errors.Is(err, ErrLinkNoTags) || !errors.Is(err, envelope.ErrIntegrity) {
		t.Errorf("a link without the MAC fragment: %v, want ErrLinkNoTags", err)
	}
	if gets := srv.Log.Count(osslocal.OpGetObject); gets < 2 {
		t.Errorf("the link download made %d GETs; want parallel ranged GETs", gets)
	}
	// An altered signature is refused.
	bad, _ := ParseLink(strings.Replace(raw, "Signature=", "Signature=AAAA", 1))
	_, err = down.Download(context.Background(), DownloadJob{Source: bad, SourceID: bad.ID(), Dest: filepath.Join(t.TempDir(), "x")}, nil)
	if !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("altered link: err = %v, want access denied", err)
	}
	expired, err := st.SignURL(key, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	el, _ := ParseLink(expired)
	_, err = down.Download(context.Background(), DownloadJob{Source: el, SourceID: el.ID(), Dest: filepath.Join(t.TempDir(), "x")}, nil)
	if !errors.Is(err, ErrLinkExpired) && !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("expired link: err = %v", err)
	}
}

func TestOSSPermanentErrors(t *testing.T) {
	srv, st := startOSS(t)
	up, down := newEngines(t, st)
	src, _ := writeRandom(t, t.TempDir(), "src", 10)
	_, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://b/missing", Key: "missing", Dest: filepath.Join(t.TempDir(), "x")}, nil)
	if !errors.Is(err, ErrNoSuchObject) {
		t.Errorf("missing object: %v", err)
	}
	up.Store = openBucket(t, Conn{Endpoint: srv.Endpoint, AccessKeyID: srv.AccessKeyID, AccessKeySecret: "wrong"}, "bkt")
	srv.Log.Reset()
	err = up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil)
	if !errors.Is(err, ErrAccessDenied) || srv.Log.Count(osslocal.OpPutObject) != 1 {
		t.Errorf("wrong secret: %v after %d tries", err, srv.Log.Count(osslocal.OpPutObject))
	}
	if strings.Contains(err.Error(), srv.AccessKeySecret) {
		t.Error("the error message carries the secret")
	}
	up.Store = openBucket(t, srvConn(srv), "nobucket")
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "nobucket", Key: "k", Wrapper: testWrapper(t)}, nil); !errors.Is(err, ErrNoSuchBucket) {
		t.Errorf("missing bucket: %v", err)
	}
}

// hookReader runs after once the first range was fetched.
type hookReader struct {
	Reader
	after func()
	n     int
}

func (h *hookReader) GetRange(ctx context.Context, key string, start, end int64, etag string) (io.ReadCloser, http.Header, error) {
	body, hd, err := h.Reader.GetRange(ctx, key, start, end, etag)
	h.n++
	if h.n == 1 {
		h.after()
	}
	return body, hd, err
}

// changingStore rewrites the source file when part 3 is first sent.
type changingStore struct {
	Store
	change func()
	done   bool
}

func (c *changingStore) UploadPart(ctx context.Context, key, uploadID string, n int, body io.ReadSeeker, size int64, meta map[string]string) (string, error) {
	if n == 3 && !c.done {
		c.done = true
		c.change()
	}
	return c.Store.UploadPart(ctx, key, uploadID, n, body, size, meta)
}

func TestOSSSourceChangedDuringUpload(t *testing.T) {
	srv, st := startOSS(t)
	up, down := newEngines(t, st)
	up.Parts = 1
	dir := t.TempDir()
	src, _ := writeRandom(t, dir, "src", 6*MinPartSize)
	_, newContent := writeRandom(t, dir, "new", 7*MinPartSize+5)
	up.Store = &changingStore{Store: st, change: func() {
		// Rewriting in place with new content and length.
		if err := os.WriteFile(src, newContent, 0o600); err != nil {
			t.Error(err)
		}
	}}
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "changing", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	if n := srv.Log.Count(osslocal.OpInitiateMultipartUpload); n != 2 {
		t.Errorf("InitiateMultipartUpload = %d, want 2 (a restart with a new key)", n)
	}
	if n := srv.Log.Count(osslocal.OpAbortMultipartUpload); n != 1 {
		t.Errorf("AbortMultipartUpload = %d, want 1", n)
	}
	dest := filepath.Join(t.TempDir(), "out")
	res, err := down.Download(context.Background(), DownloadJob{Source: st, SourceID: "oss://b/changing", Key: "changing", Dest: dest}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dest)
	if sha256.Sum256(got) != sha256.Sum256(newContent) || res.Integrity != envelope.Verified {
		t.Fatal("the object is not the new content, verified")
	}
}
