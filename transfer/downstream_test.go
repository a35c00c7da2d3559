package transfer

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
)

// Stream writes an object's plaintext in order and verifies it; for an
// object altered in storage it still ends with ErrIntegrity, so a reader
// that waits for the verdict (a pipe closed with it) keeps nothing.
func TestDownloaderStream(t *testing.T) {
	srv, st := startOSS(t)
	bk := sdkBucket(t, srvConn(srv), "bkt")
	up, down := newEngines(t, st)
	down.ChunkSize = MinPartSize // several ranges, to see their order
	src, data := writeRandom(t, t.TempDir(), "src", 3*MinPartSize+123)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "bkt", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	res, err := down.Stream(context.Background(), st, "k", &got, nil)
	if err != nil || res.Integrity != envelope.Verified || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("stream: %v, %v, %d of %d bytes", err, res, got.Len(), len(data))
	}

	// The same bytes put back with one flipped, metadata and tags kept.
	r, err := bk.GetObject("k")
	if err != nil {
		t.Fatal(err)
	}
	ct, _ := io.ReadAll(r)
	r.Close()
	h, err := bk.GetObjectDetailedMeta("k")
	if err != nil {
		t.Fatal(err)
	}
	ct[len(ct)/2] ^= 1
	var opts []oss.Option
	for name, v := range h {
		if l := strings.ToLower(name); strings.HasPrefix(l, "x-oss-meta-") {
			opts = append(opts, oss.Meta(strings.TrimPrefix(l, "x-oss-meta-"), v[0]))
		}
	}
	tags, err := st.GetTagging(context.Background(), "k")
	if err != nil {
		t.Fatal(err)
	}
	if err := bk.PutObject("k", bytes.NewReader(ct), opts...); err != nil {
		t.Fatal(err)
	}
	if err := st.PutTagging(context.Background(), "k", tags); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	go func() {
		_, err := down.Stream(context.Background(), st, "k", pw, nil)
		pw.CloseWithError(err)
	}()
	if _, err := io.ReadAll(pr); !errors.Is(err, envelope.ErrIntegrity) {
		t.Fatalf("the reader of an altered object's stream got %v, want ErrIntegrity", err)
	}
}

// inOrder passes on pieces in order, skips what a retried piece repeats,
// and refuses a gap.
func TestInOrder(t *testing.T) {
	var b bytes.Buffer
	o := &inOrder{w: &b}
	for _, w := range []struct {
		p   string
		off int64
	}{{"abc", 0}, {"bcde", 1}, {"f", 5}} {
		if n, err := o.WriteAt([]byte(w.p), w.off); err != nil || n != len(w.p) {
			t.Fatalf("WriteAt(%q, %d) = %d, %v", w.p, w.off, n, err)
		}
	}
	if b.String() != "abcdef" {
		t.Fatalf("passed on %q", b.String())
	}
	if _, err := o.WriteAt([]byte("x"), 9); err == nil {
		t.Fatal("a gap was accepted")
	}
}
