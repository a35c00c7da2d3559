package transfer

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// A nested folder of more than one batch, with names that need escaping,
// is deleted through the real SDK in batches of at most 1,000, and nothing
// beside it is touched.
func TestDeletePrefixLocalEndpoint(t *testing.T) {
	srv := osstest.Start(t, osstest.WithBuckets("demo"), osstest.WithMemoryStore())
	client, err := oss.New(srv.Endpoint, srv.AccessKeyID, srv.AccessKeySecret)
	if err != nil {
		t.Fatal(err)
	}
	bk, err := client.Bucket("demo")
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string) {
		t.Helper()
		if err := bk.PutObject(key, strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	var inside []string
	inside = append(inside, "Invoices/", "Invoices/2026/", "Invoices/a+b %41.txt", "Invoices/合同 2026.txt")
	for i := range 1203 {
		inside = append(inside, fmt.Sprintf("Invoices/%d/march %04d.pdf", i%3, i))
	}
	outside := []string{"Invoices", "Invoices.txt", "Invoices 2/keep.txt", "Invoices+/keep.txt", "other/Invoices/keep.txt", "top.txt"}
	for _, k := range append(append([]string{}, inside...), outside...) {
		put(k)
	}
	st := openBucket(t, srvConn(srv), "demo")
	srv.Log.Reset()

	var seen []int
	n, err := DeletePrefix(context.Background(), st, "Invoices/", func(deleted, total int) {
		if total != len(inside) {
			t.Errorf("progress total %d, want %d", total, len(inside))
		}
		seen = append(seen, deleted)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(inside) {
		t.Fatalf("deleted %d, want %d", n, len(inside))
	}
	if got := srv.Log.Count(osslocal.OpDeleteMultipleObjects); got != 2 {
		t.Errorf("%d DeleteMultipleObjects requests for %d objects, want 2", got, len(inside))
	}
	if got := srv.Log.Count(osslocal.OpDeleteObject); got != 0 {
		t.Errorf("%d single deletes, want none", got)
	}
	if fmt.Sprint(seen) != fmt.Sprint([]int{1000, len(inside)}) {
		t.Errorf("progress %v", seen)
	}

	var left []string
	if err := st.List(context.Background(), "", true, func(e Entry) error { left = append(left, e.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(left)
	want := append([]string{}, outside...)
	sort.Strings(want)
	if fmt.Sprint(left) != fmt.Sprint(want) {
		t.Fatalf("left in the bucket:\n%q\nwant\n%q", left, want)
	}
}

func TestDeletePrefixRefusesWhatIsNotAFolder(t *testing.T) {
	for _, prefix := range []string{"", "Invoices", "a/b"} {
		s := &fakePrefixStore{keys: []string{"Invoices/x", "a/b/c"}}
		n, err := DeletePrefix(context.Background(), s, prefix, nil)
		if !errors.Is(err, ErrNotAFolder) || n != 0 || s.calls != 0 {
			t.Errorf("%q: deleted %d in %d calls, error %v", prefix, n, s.calls, err)
		}
	}
}

// A batch that fails is counted and the next batches still go; the error
// says how many of how many.
func TestDeletePrefixPartialFailure(t *testing.T) {
	s := &fakePrefixStore{failBatch: 1, refuse: map[string]bool{"f/2500": true}}
	for i := range 2600 {
		s.keys = append(s.keys, fmt.Sprintf("f/%04d", i))
	}
	n, err := DeletePrefix(context.Background(), s, "f/", nil)
	var de *DeleteError
	if !errors.As(err, &de) {
		t.Fatalf("error %v, want a *DeleteError", err)
	}
	// Batch 0: 1000 deleted; batch 1: refused whole; batch 2: 599 of 600.
	if n != 1599 || de.Deleted != 1599 || de.Failed != 1001 || s.calls != 3 {
		t.Fatalf("deleted %d, error %+v, %d calls", n, de, s.calls)
	}
	if !errors.Is(err, errBatchRefused) {
		t.Errorf("the first failure is lost: %v", err)
	}
	if !strings.Contains(err.Error(), "1001 of 2600") {
		t.Errorf("error %q does not count", err)
	}
}

func TestDeletePrefixStopsWhenCanceled(t *testing.T) {
	s := &fakePrefixStore{}
	for i := range 2500 {
		s.keys = append(s.keys, fmt.Sprintf("f/%04d", i))
	}
	ctx, cancel := context.WithCancel(context.Background())
	n, err := DeletePrefix(ctx, s, "f/", func(deleted, _ int) { cancel() })
	if n != 1000 || s.calls != 1 || !errors.Is(err, context.Canceled) {
		t.Fatalf("deleted %d in %d calls, error %v", n, s.calls, err)
	}
}

var errBatchRefused = errors.New("service unavailable")

type fakePrefixStore struct {
	keys      []string
	calls     int
	failBatch int // with refuse set, the call (from 0) refused whole
	refuse    map[string]bool
}

func (s *fakePrefixStore) List(_ context.Context, prefix string, recursive bool, fn func(Entry) error) error {
	for _, k := range s.keys {
		if strings.HasPrefix(k, prefix) {
			if err := fn(Entry{Key: k}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *fakePrefixStore) DeleteMany(_ context.Context, keys []string) ([]string, error) {
	if len(keys) > DeleteBatch {
		return nil, fmt.Errorf("%d keys in one request", len(keys))
	}
	call := s.calls
	s.calls++
	if call == s.failBatch && s.refuse != nil {
		return nil, errBatchRefused
	}
	var done []string
	for _, k := range keys {
		if !s.refuse[k] {
			done = append(done, k)
		}
	}
	return done, nil
}
