package transfer

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestOSSListPage(t *testing.T) {
	_, st := startOSS(t)
	ctx := context.Background()
	keys := []string{"a.txt", "docs/1", "docs/2", "docs/sub/3", "z/", "Ü 100%/x #1"}
	for _, k := range keys {
		if err := st.Put(ctx, k, strings.NewReader(k), int64(len(k)), nil); err != nil {
			t.Fatal(err)
		}
	}
	objectKeys := func(p Page) []string {
		var out []string
		for _, o := range p.Objects {
			out = append(out, o.Key)
		}
		return out
	}
	for _, tc := range []struct {
		name             string
		prefix, delim    string
		max              int
		objects, folders []string
		more             bool
	}{
		{"top level", "", "/", 0, []string{"a.txt"}, []string{"docs/", "z/", "Ü 100%/"}, false},
		{"a folder", "docs/", "/", 100, []string{"docs/1", "docs/2"}, []string{"docs/sub/"}, false},
		{"a folder, first page", "docs/", "/", 2, []string{"docs/1", "docs/2"}, nil, true},
		{"everything under", "docs/", "", 10, []string{"docs/1", "docs/2", "docs/sub/3"}, nil, false},
		{"unicode and percent", "Ü 100%/", "/", 5, []string{"Ü 100%/x #1"}, nil, false},
		{"nothing there", "nope/", "/", 5, nil, nil, false},
		{"max above OSS's limit", "", "", 5000, keys, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := st.ListPage(ctx, tc.prefix, tc.delim, "", tc.max)
			if err != nil {
				t.Fatal(err)
			}
			if got := objectKeys(p); !reflect.DeepEqual(got, tc.objects) {
				t.Errorf("objects %q, want %q", got, tc.objects)
			}
			if !reflect.DeepEqual(p.Prefixes, tc.folders) {
				t.Errorf("folders %q, want %q", p.Prefixes, tc.folders)
			}
			if (p.Next != "") != tc.more {
				t.Errorf("next token %q, want more pages: %v", p.Next, tc.more)
			}
		})
	}
	all, err := st.ListPage(ctx, "", "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range all.Objects {
		if o.Size != int64(len(o.Key)) || o.LastModified.IsZero() {
			t.Errorf("%s: size %d, modified %v", o.Key, o.Size, o.LastModified)
		}
	}

	// One key a page, with the delimiter: the pages together are the
	// one-page listing, in order, nothing twice.
	var got []string
	token := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("the listing never ends")
		}
		p, err := st.ListPage(ctx, "", "/", token, 1)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, objectKeys(p)...)
		got = append(got, p.Prefixes...)
		if p.Next == "" {
			break
		}
		token = p.Next
	}
	if want := []string{"a.txt", "docs/", "z/", "Ü 100%/"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("paged one by one: %q, want %q", got, want)
	}

	missing, err := NewOSS(&st.Bucket.Client, "no-such-bucket")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := missing.ListPage(ctx, "", "/", "", 10); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("listing a missing bucket: %v, want ErrNoSuchBucket", err)
	}
}

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

func TestListBuckets(t *testing.T) {
	_, st := startOSS(t)
	ctx := context.Background()
	c := &st.Bucket.Client
	for _, b := range []string{"zeta", "alpha-2", "mid"} {
		if err := CreateBucket(ctx, c, b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := ListBuckets(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alpha-2", "bkt", "mid", "zeta"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("buckets %q, want %q", got, want)
	}
	bad, err := Conn{Endpoint: c.Config.Endpoint, AccessKeyID: "LTAInobody", AccessKeySecret: "wrong"}.Client()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ListBuckets(ctx, bad); !errors.Is(err, ErrAccessDenied) {
		t.Fatalf("with a wrong key: %v, want ErrAccessDenied", err)
	}
}
