package transfer

import (
	"context"
	"reflect"
	"testing"
)

// flakyLister fails its first calls with a transient error.
type flakyLister struct {
	Store
	fails, calls int
}

func (f *flakyLister) ListPage(_ context.Context, prefix, _, _ string, _ int) (Page, error) {
	f.calls++
	if f.calls <= f.fails {
		return Page{}, &RemoteError{Op: "ListObjectsV2", Status: 503}
	}
	return Page{Prefixes: []string{prefix + "x/"}}, nil
}

func TestRetryingListPage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		store  Store
		calls  int
		wantOK bool
	}{
		{"recovers", &flakyLister{fails: 2}, 3, true},
		{"gives up", &flakyLister{fails: 100}, fastPolicy.Attempts, false},
		{"cannot list", newMemStore(), 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &Retrying{Store: tc.store, Policy: fastPolicy}
			p, err := r.ListPage(context.Background(), "p/", "/", "", 10)
			if (err == nil) != tc.wantOK {
				t.Fatalf("err = %v", err)
			}
			if tc.wantOK && !reflect.DeepEqual(p.Prefixes, []string{"p/x/"}) {
				t.Fatalf("page %+v", p)
			}
			if f, ok := tc.store.(*flakyLister); ok && f.calls != tc.calls {
				t.Fatalf("%d calls, want %d", f.calls, tc.calls)
			}
		})
	}
}
