package osssdk

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal/osstest"
	"github.com/ossvault/ossvault/transfer"
)

// The tests in this file run the adapter over HTTP against the local OSS
// endpoint.

// startOSS starts a local endpoint with the bucket "bkt" and opens the
// account and the bucket.
func startOSS(t *testing.T, opts ...osstest.Option) (*osstest.Server, transfer.Service, transfer.Bucket) {
	t.Helper()
	srv := osstest.Start(t, append([]osstest.Option{osstest.WithBuckets("bkt")}, opts...)...)
	svc, err := Connect(transfer.Conn{Endpoint: srv.Endpoint, AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret})
	if err != nil {
		t.Fatal(err)
	}
	st, err := svc.Bucket("bkt")
	if err != nil {
		t.Fatal(err)
	}
	return srv, svc, st
}

func TestOSSListPage(t *testing.T) {
	_, svc, st := startOSS(t)
	ctx := context.Background()
	keys := []string{"a.txt", "docs/1", "docs/2", "docs/sub/3", "z/", "Ü 100%/x #1"}
	for _, k := range keys {
		if err := st.Put(ctx, k, strings.NewReader(k), int64(len(k)), nil); err != nil {
			t.Fatal(err)
		}
	}
	objectKeys := func(p transfer.Page) []string {
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

	missing, err := svc.Bucket("no-such-bucket")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := missing.ListPage(ctx, "", "/", "", 10); !errors.Is(err, transfer.ErrNoSuchBucket) {
		t.Fatalf("listing a missing bucket: %v, want transfer.ErrNoSuchBucket", err)
	}
}

func TestListBuckets(t *testing.T) {
	srv, svc, _ := startOSS(t)
	ctx := context.Background()
	for _, b := range []string{"zeta", "alpha-2", "mid"} {
		if err := svc.CreateBucket(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := svc.ListBuckets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"alpha-2", "bkt", "mid", "zeta"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("buckets %q, want %q", got, want)
	}
	bad, err := Connect(transfer.Conn{Endpoint: srv.Endpoint, AccessKeyID: "LTAInobody", AccessKeySecret: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bad.ListBuckets(ctx); !errors.Is(err, transfer.ErrAccessDenied) || !errors.Is(err, transfer.ErrBadCredentials) {
		t.Fatalf("with a wrong key: %v, want ErrAccessDenied and ErrBadCredentials", err)
	}
}

// A name the SDK refuses to send fails at once, in plain words: retrying
// the SDK's refusal used to make the user wait for the whole retry budget.
func TestInvalidNamesFailAtOnce(t *testing.T) {
	srv, svc, st := startOSS(t)
	r := &transfer.Retrying{Store: st, Policy: transfer.DefaultPolicy}
	for _, tc := range []struct {
		name string
		call func() error
		want string
	}{
		{"create bucket", func() error { return svc.CreateBucket(context.Background(), "Bad_Bucket") }, `the bucket name "Bad_Bucket" must be`},
		{"open bucket", func() error { _, err := svc.Bucket("-x"); return err }, `the bucket name "-x" must be`},
		{"put", func() error { return r.Put(context.Background(), "", strings.NewReader("x"), 1, nil) }, "the object name is empty"},
		{"head", func() error { _, err := r.Head(context.Background(), ""); return err }, "the object name is empty"},
		{"delete", func() error { return st.Delete(context.Background(), "") }, "the object name is empty"},
	} {
		start := time.Now()
		err := tc.call()
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: took %v to fail", tc.name, d)
		}
		if !errors.Is(err, transfer.ErrInvalidName) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	if n := len(srv.Log.Entries()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
}
