package osslocal_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

func faultServer(t *testing.T) (*osstest.Server, *oss.Bucket) {
	t.Helper()
	srv := osstest.Start(t, osstest.WithBuckets("faults"))
	c := newClient(t, srv, clientConfig{})
	b, _ := c.Bucket("faults")
	return srv, b
}

func TestFaultNthRequestFails(t *testing.T) {
	srv, b := faultServer(t)
	imur, err := b.InitiateMultipartUpload("k")
	if err != nil {
		t.Fatal(err)
	}
	rule := srv.Faults().Add(osslocal.Fault{Op: osslocal.OpUploadPart, Nth: 2, Action: osslocal.FailWith(503)})
	data := randomBytes(11, partSize)
	for n := 1; n <= 3; n++ {
		_, err := b.UploadPart(imur, bytes.NewReader(data), partSize, n)
		if n == 2 {
			wantServiceError(t, err, http.StatusServiceUnavailable, "ServiceUnavailable")
		} else if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
	}
	if rule.Fired() != 1 || rule.Matched() != 3 {
		t.Fatalf("rule fired %d, matched %d", rule.Fired(), rule.Matched())
	}
	lp, err := b.ListUploadedParts(imur)
	if err != nil || len(lp.UploadedParts) != 2 || lp.UploadedParts[1].PartNumber != 3 {
		t.Fatalf("failed part was stored: %+v %v", lp, err)
	}
	if srv.Requests(osslocal.OpUploadPart) != 3 || srv.Log.Count(osslocal.OpUploadPart) != 3 {
		t.Fatalf("counted %d requests, logged %d", srv.Requests(osslocal.OpUploadPart), srv.Log.Count(osslocal.OpUploadPart))
	}
	if got := srv.Log.PartsStored("faults", "k"); got[1] != 1 || got[2] != 0 || got[3] != 1 {
		t.Fatalf("parts stored %v", got)
	}
}

func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".tmp-") {
			t.Errorf("temp file left behind: %s", p)
		}
		return nil
	})
}

func TestFaultResetRequestStoresNothing(t *testing.T) {
	srv, b := faultServer(t)
	if err := b.PutObject("k", strings.NewReader("previous")); err != nil {
		t.Fatal(err)
	}
	rule := srv.Faults().Add(osslocal.Fault{Op: osslocal.OpPutObject, Key: "k", Action: osslocal.ResetRequestAfter(64 << 10), Times: 1})
	err := b.PutObject("k", bytes.NewReader(randomBytes(12, 1<<20)))
	if err == nil {
		t.Fatal("PutObject through a reset connection succeeded")
	}
	if _, ok := err.(oss.ServiceError); ok {
		t.Fatalf("want a connection error, got an OSS error: %v", err)
	}
	if rule.Fired() != 1 {
		t.Fatalf("fired %d", rule.Fired())
	}
	rc, err := b.GetObject("k")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "previous" {
		t.Fatalf("a half-sent PUT changed the object: %d bytes", len(got))
	}
	// The client sees the reset before the server's handler has returned,
	// cleaned up and logged the request, so wait for the log entry (a
	// bound against hanging, not a timing check).
	var reset *osslocal.LogEntry
	for deadline := time.Now().Add(10 * time.Second); reset == nil && time.Now().Before(deadline); {
		entries := srv.Log.Entries()
		for i := range entries {
			if entries[i].Fault != "" {
				reset = &entries[i]
			}
		}
		if reset == nil {
			time.Sleep(10 * time.Millisecond)
		}
	}
	if reset == nil || reset.Status != 0 || reset.In != 64<<10 {
		t.Fatalf("log entry of the reset request: %+v", reset)
	}
	noTempFiles(t, srv.Dir)
}

func TestFaultResetAndTruncateResponse(t *testing.T) {
	srv, b := faultServer(t)
	data := randomBytes(13, 300_000)
	if err := b.PutObject("k", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	for _, action := range []osslocal.Action{osslocal.ResetResponseAfter(1000), osslocal.TruncateResponseAfter(1000)} {
		rule := srv.Faults().Add(osslocal.Fault{Op: osslocal.OpGetObject, Action: action, Times: 1})
		rc, err := b.GetObject("k")
		if err != nil {
			t.Fatalf("%s: GetObject: %v", action, err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err == nil {
			t.Fatalf("%s: read %d bytes without an error", action, len(got))
		}
		if len(got) > 1000 || !bytes.Equal(got, data[:len(got)]) {
			t.Fatalf("%s: got %d bytes", action, len(got))
		}
		if rule.Fired() != 1 {
			t.Fatalf("%s: fired %d", action, rule.Fired())
		}
		// The next request is served normally.
		rc, err = b.GetObject("k")
		if err != nil {
			t.Fatal(err)
		}
		got, err = io.ReadAll(rc)
		rc.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s: following GET: %v", action, err)
		}
	}
}

func TestFaultLatency(t *testing.T) {
	srv, b := faultServer(t)
	srv.Faults().Add(osslocal.Fault{Op: osslocal.OpHeadObject, Action: osslocal.Latency(150 * time.Millisecond)})
	srv.Faults().Add(osslocal.Fault{Op: osslocal.OpHeadObject, Action: osslocal.Latency(50 * time.Millisecond)})
	b.PutObject("k", strings.NewReader("x"))
	if _, err := b.GetObjectDetailedMeta("k"); err != nil {
		t.Fatal(err)
	}
	for _, e := range srv.Log.Entries() {
		// Latencies of matching rules add up; the timer guarantees a
		// lower bound, so this cannot flake.
		if e.Op == osslocal.OpHeadObject && e.Duration < 200*time.Millisecond {
			t.Fatalf("HeadObject took %s with 200ms of injected latency", e.Duration)
		}
	}
}

func TestFaultProbabilityIsSeeded(t *testing.T) {
	outcomes := func() string {
		srv := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithBuckets("faults"), osstest.WithFaults(osslocal.NewFaults(42)))
		srv.Faults().Add(osslocal.Fault{Op: osslocal.OpPutObject, Probability: 0.5, Action: osslocal.FailWith(500)})
		b, _ := newClient(t, srv, clientConfig{}).Bucket("faults")
		var sb strings.Builder
		for i := 0; i < 40; i++ {
			if err := b.PutObject("k", strings.NewReader("x")); err != nil {
				wantServiceError(t, err, 500, "InternalError")
				sb.WriteByte('F')
			} else {
				sb.WriteByte('.')
			}
		}
		return sb.String()
	}
	a, b := outcomes(), outcomes()
	if a != b {
		t.Fatalf("same seed, different outcomes:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, "F") || !strings.Contains(a, ".") {
		t.Fatalf("p=0.5 over 40 requests gave %s", a)
	}
}

func TestFaultsConcurrentNth(t *testing.T) {
	srv := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithBuckets("faults"))
	rule := srv.Faults().Add(osslocal.Fault{Op: osslocal.OpPutObject, Nth: 37, Action: osslocal.FailWith(503)})
	b, _ := newClient(t, srv, clientConfig{}).Bucket("faults")
	var wg sync.WaitGroup
	var mu sync.Mutex
	failures := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				if err := b.PutObject("k", strings.NewReader("x")); err != nil {
					mu.Lock()
					failures++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if failures != 1 || rule.Fired() != 1 || rule.Matched() != 80 || srv.Requests(osslocal.OpPutObject) != 80 {
		t.Fatalf("failures %d, fired %d, matched %d", failures, rule.Fired(), rule.Matched())
	}
}

// TestVirtualHostStyle sends requests with a Host of bucket.localhost, as
// the SDKs do when not told to use path style.
func TestVirtualHostStyle(t *testing.T) {
	srv := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithBuckets("vhost"))
	addr := strings.TrimPrefix(srv.Endpoint, "http://")
	// Resolve every name to the server, whatever the bucket subdomain.
	tr := &http.Transport{DialContext: (&dialTo{addr: addr}).dial}
	for _, v4 := range []bool{false, true} {
		opts := []oss.ClientOption{oss.HTTPClient(&http.Client{Transport: tr})}
		if v4 {
			opts = append(opts, oss.AuthVersion(oss.AuthV4), oss.Region(testRegion))
		}
		port := addr[strings.LastIndex(addr, ":"):]
		c, err := oss.New("http://localhost"+port, srv.AccessKeyID, srv.AccessKeySecret, opts...)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := c.Bucket("vhost")
		if err := b.PutObject("dir/a b", strings.NewReader("virtual")); err != nil {
			t.Fatalf("v4=%v: %v", v4, err)
		}
		res, err := b.ListObjects()
		if err != nil || len(res.Objects) != 1 || res.Objects[0].Key != "dir/a b" {
			t.Fatalf("v4=%v: list %+v %v", v4, res, err)
		}
	}
	if srv.Log.CountFunc(func(e osslocal.LogEntry) bool { return e.Bucket == "vhost" && e.Status == 200 }) != 4 {
		t.Fatalf("log: %+v", srv.Log.Entries())
	}
}

// dialTo connects every dial to one address.
type dialTo struct{ addr string }

func (d *dialTo) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	var nd net.Dialer
	return nd.DialContext(ctx, network, d.addr)
}

// TestResumeSendsNoPartTwice is the pattern the transfer engine's
// reliability tests use: a part fails, the upload resumes from its
// checkpoint, and the access log shows that no stored part was sent again.
func TestResumeSendsNoPartTwice(t *testing.T) {
	srv, b := faultServer(t)
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	data := randomBytes(40, 6*partSize+1)
	if err := os.WriteFile(src, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cp := oss.Checkpoint(true, filepath.Join(dir, "cp"))
	rule := srv.Faults().Add(osslocal.Fault{Op: osslocal.OpUploadPart, Part: 4, Times: 1, Action: osslocal.FailWith(503)})
	if err := b.UploadFile("resumed", src, partSize, cp, oss.Routines(1)); err == nil {
		t.Fatal("upload with a failing part succeeded")
	}
	if rule.Fired() != 1 {
		t.Fatalf("fired %d", rule.Fired())
	}
	if err := b.UploadFile("resumed", src, partSize, cp, oss.Routines(1)); err != nil {
		t.Fatalf("resumed upload: %v", err)
	}
	stored := srv.Log.PartsStored("faults", "resumed")
	for n := 1; n <= 7; n++ {
		if stored[n] != 1 {
			t.Fatalf("part %d stored %d times (all: %v)", n, stored[n], stored)
		}
	}
	if srv.Log.Count(osslocal.OpInitiateMultipartUpload) != 1 {
		t.Fatal("the resumed upload started a new multipart upload")
	}
	rc, err := b.GetObject("resumed")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("resumed object differs")
	}
}

func TestOSSTestRestart(t *testing.T) {
	first := osstest.Start(t, osstest.WithBuckets("restart"))
	b, _ := newClient(t, first, clientConfig{}).Bucket("restart")
	if err := b.PutObject("k", strings.NewReader("kept")); err != nil {
		t.Fatal(err)
	}
	first.Close()
	second := osstest.Start(t, osstest.WithDir(first.Dir), osstest.WithAccessKey(first.AccessKeyID, first.AccessKeySecret))
	b, _ = newClient(t, second, clientConfig{}).Bucket("restart")
	rc, err := b.GetObject("k")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if string(got) != "kept" {
		t.Fatalf("after restart: %q", got)
	}
}
