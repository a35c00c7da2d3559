package transfer

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// TestConnDial: with Conn.Dial set, every connection the SDK makes is
// opened by it; the SDK's stall guard still holds; and a permanent error
// from it ends Retrying at once instead of after minutes of tries.
func TestConnDial(t *testing.T) {
	faults := osslocal.NewFaults(1)
	srv := osstest.Start(t, osstest.WithMemoryStore(), osstest.WithBuckets("bkt"), osstest.WithFaults(faults))
	var dials atomic.Int32
	refuse := errors.New("not the server we meant")
	var refusing atomic.Bool
	conn := Conn{Endpoint: srv.Endpoint, AccessKeyID: srv.AccessKeyID, AccessKeySecret: srv.AccessKeySecret, ReadWriteTimeout: 1,
		Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dials.Add(1)
			if refusing.Load() {
				return nil, Permanent(refuse)
			}
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}}
	st := openBucket(t, conn, "bkt")
	ctx := context.Background()
	if err := st.Put(ctx, "k", strings.NewReader("data"), 4, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Head(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	if n := dials.Load(); n != 1 {
		t.Fatalf("%d dials for two requests in a row, want 1", n)
	}

	cases := []struct {
		name  string
		setup func()
		check func(t *testing.T, err error, tries int, took time.Duration)
	}{
		{name: "a hung response times out", setup: func() {
			faults.Add(osslocal.Fault{Op: osslocal.OpHeadObject, Times: 1, Action: osslocal.Hang()})
		}, check: func(t *testing.T, err error, tries int, took time.Duration) {
			// The hung attempt is given up after the 1 s timeout; the next
			// is ours (tries 2) or, for a HEAD on a reused connection,
			// net/http's own transparent retry (tries 1).
			if err != nil || tries > 2 || took < 900*time.Millisecond || took > 20*time.Second {
				t.Fatalf("got %v after %d tries and %v, want success after the hung try timed out", err, tries, took)
			}
		}},
		{name: "a refused dial is not retried", setup: func() {
			refusing.Store(true)
			// A client of its own, with no connection kept open.
			st = openBucket(t, conn, "bkt")
		}, check: func(t *testing.T, err error, tries int, took time.Duration) {
			if !errors.Is(err, refuse) || tries != 1 {
				t.Fatalf("got %v after %d tries, want the dial's error after 1", err, tries)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.setup()
			tries := 0
			r := &Retrying{Store: countingStore{Store: st, n: &tries}, Policy: Policy{Attempts: 5, Sleep: func(context.Context, time.Duration) error { return nil }}}
			start := time.Now()
			_, err := r.Head(ctx, "k")
			c.check(t, err, tries, time.Since(start))
		})
	}
}

type countingStore struct {
	Store
	n *int
}

func (c countingStore) Head(ctx context.Context, key string) (ObjectInfo, error) {
	*c.n++
	return c.Store.Head(ctx, key)
}
