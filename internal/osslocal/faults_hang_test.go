package osslocal_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/internal/osslocal"
	"github.com/ossvault/ossvault/internal/osslocal/osstest"
)

// waitLogged waits until the server has logged n requests for op: a hung
// request is logged only once the client has gone away.
func waitLogged(t *testing.T, srv *osstest.Server, op string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for srv.Log.Count(op) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d %s requests logged, want %d", srv.Log.Count(op), op, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFaultHangHoldsGetUntilClientGivesUp(t *testing.T) {
	srv, b := faultServer(t)
	if err := b.PutObject("k", strings.NewReader("hello")); err != nil {
		t.Fatal(err)
	}
	rule := srv.Faults().Add(osslocal.Fault{Op: osslocal.OpGetObject, Times: 1, Action: osslocal.Hang()})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := b.GetObject("k", oss.WithContext(ctx))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetObject on a hung request: %v, want the client's own deadline", err)
	}
	waitLogged(t, srv, osslocal.OpGetObject, 1)
	e := srv.Log.Entries()[len(srv.Log.Entries())-1]
	if e.Op != osslocal.OpGetObject || e.Status != 0 || e.Out != 0 || e.Fault != "hang" {
		t.Fatalf("logged %+v, want a GetObject with status 0, nothing sent, fault hang", e)
	}
	// The rule fired once; the next request is answered.
	r, err := b.GetObject("k")
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if rule.Fired() != 1 {
		t.Fatalf("rule fired %d times", rule.Fired())
	}
}

func TestFaultHangStoresNoPart(t *testing.T) {
	srv, b := faultServer(t)
	imur, err := b.InitiateMultipartUpload("k")
	if err != nil {
		t.Fatal(err)
	}
	srv.Faults().Add(osslocal.Fault{Op: osslocal.OpUploadPart, Part: 2, Times: 1, Action: osslocal.Hang()})
	data := randomBytes(12, partSize)
	if _, err := b.UploadPart(imur, bytes.NewReader(data), partSize, 1); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := b.UploadPart(imur, bytes.NewReader(data), partSize, 2, oss.WithContext(ctx)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("UploadPart on a hung request: %v, want the client's own deadline", err)
	}
	waitLogged(t, srv, osslocal.OpUploadPart, 2)
	if got := srv.Log.PartsStored("faults", "k"); got[1] != 1 || got[2] != 0 {
		t.Fatalf("parts stored %v, want part 1 only", got)
	}
	lp, err := b.ListUploadedParts(imur)
	if err != nil || len(lp.UploadedParts) != 1 {
		t.Fatalf("listed %+v (%v), want part 1 only", lp.UploadedParts, err)
	}
	// The hung request's body was taken in full before the server went
	// quiet: the client saw its bytes leave and then nothing.
	for _, e := range srv.Log.Entries() {
		if e.Part == 2 && e.In != int64(partSize) {
			t.Fatalf("the hung part's body: %d bytes read, want %d", e.In, partSize)
		}
	}
	if _, err := b.UploadPart(imur, bytes.NewReader(data), partSize, 2); err != nil {
		t.Fatalf("the part sent again after the hang: %v", err)
	}
}
