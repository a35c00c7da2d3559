package osslocal_test

import (
	"bytes"
	"io"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// throttledServer serves a memory-store endpoint through the faults'
// Listener, as Throttle requires, and returns an SDK bucket on it.
func throttledServer(t *testing.T, f *osslocal.Faults) *oss.Bucket {
	t.Helper()
	srv := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithBuckets("throttle"), osstest.WithThrottledFaults(f))
	c, err := oss.New(srv.Endpoint, srv.AccessKeyID, srv.AccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.Bucket("throttle")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The official SDK through a throttled endpoint: the object arrives and
// comes back unchanged, and a body of 4N bytes at N B/s is not faster than
// the pacing allows. The pacing itself is checked exactly, on a fake clock,
// in TestPacer; this lower bound (3 s where 3.9 s are due) only catches a
// throttle that is not applied at all.
func TestThrottleWithSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 8 s")
	}
	const rate = 512 << 10
	f := osslocal.NewFaults(1)
	f.Throttle(rate)
	b := throttledServer(t, f)
	data := randomBytes(21, 4*rate)

	start := time.Now()
	if err := b.PutObject("k", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 3*time.Second {
		t.Errorf("PutObject of %d bytes at %d B/s took %v, want at least 3 s", len(data), rate, d)
	}

	start = time.Now()
	rc, err := b.GetObject("k")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 3*time.Second {
		t.Errorf("GetObject of %d bytes at %d B/s took %v, want at least 3 s", len(data), rate, d)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("object changed on the way: got %d bytes, want %d", len(got), len(data))
	}

	// With the limit lifted, the same connections carry data unchanged.
	f.Throttle(0)
	if err := b.PutObject("k2", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	rc, err = b.GetObject("k2")
	if err != nil {
		t.Fatal(err)
	}
	got, err = io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("unthrottled round trip: %d bytes, %v", len(got), err)
	}
}
