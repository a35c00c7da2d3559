package transfer

import (
	"context"
	"errors"
	"testing"
)

// A fetch whose context ends before it starts a span, with none under
// way, fetched nothing; it must say so. It returned nil, and the download
// was taken for complete, failed its check as altered, and lost its
// partial file.
func TestFetchStoppedBeforeItsSpansFails(t *testing.T) {
	s := newMemStore()
	up, down := newEngines(t, s)
	up.PartSize = 1 << 20
	src, _ := writeRandom(t, t.TempDir(), "src", 3<<20+5)
	if err := up.Upload(context.Background(), UploadJob{Source: src, Bucket: "b", Key: "k", Wrapper: testWrapper(t)}, nil); err != nil {
		t.Fatal(err)
	}
	p, err := down.prepare(context.Background(), s, "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, cause := range []error{ErrPaused, ErrCanceled} {
		ctx, stop := context.WithCancelCause(context.Background())
		stop(cause)
		err := down.fetch(ctx, fetchJob{src: s, key: "k", p: p, w: discardAt{}}, nil)
		if !errors.Is(err, cause) {
			t.Errorf("a fetch stopped with %v before its first span returned %v", cause, err)
		}
	}
}
