package ui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/aliyun/aliyun-oss-go-sdk/oss"

	"github.com/ossvault/ossvault/envelope"
)

// An object the app uploaded, put back by someone holding the bucket's
// AccessKey (the official SDK as the tool) with its ossvault-* headers
// stripped and one ciphertext byte flipped: the file list calls it altered,
// its download fails as altered, and nothing is saved. Before, the list
// said "not protected" and the download ended Done with changed bytes.
func TestRealStrippedObjectShowsAltered(t *testing.T) {
	ctx := context.Background()
	b := openTestBackend(t, t.TempDir())
	realUploads(t, b, 4096, "pay.csv")
	waitJobs(t, b)
	if j := lastJob(t, b); j.State != JobDone {
		t.Fatalf("upload ended %v: %v", j.State, j.Err)
	}
	bk := sdkBucket(t, b)
	h, err := bk.GetObjectDetailedMeta("pay.csv")
	if err != nil {
		t.Fatal(err)
	}
	r, err := bk.GetObject("pay.csv")
	if err != nil {
		t.Fatal(err)
	}
	ct, err := io.ReadAll(r)
	r.Close()
	if err != nil {
		t.Fatal(err)
	}
	ct[10] ^= 1
	var opts []oss.Option
	stripped := 0
	for name, vals := range h {
		lower := strings.ToLower(name)
		switch {
		case strings.HasPrefix(lower, "x-oss-meta-ossvault-"):
			stripped++
		case strings.HasPrefix(lower, "x-oss-meta-"):
			opts = append(opts, oss.Meta(strings.TrimPrefix(lower, "x-oss-meta-"), vals[0]))
		}
	}
	if stripped == 0 {
		t.Fatalf("the app's object carries no ossvault headers: %v", h)
	}
	if err := bk.PutObject("pay.csv", bytes.NewReader(ct), opts...); err != nil {
		t.Fatal(err)
	}

	loc := Location{Account: localAccountName, Bucket: demoBucket}
	l, err := b.Storage().Lock(ctx, loc, "pay.csv")
	if err != nil {
		t.Fatal(err)
	}
	if l.Seal != SealBroken || sealText(l) != "⚠ altered" {
		t.Fatalf("the list shows the stripped object as %v (%q), want altered", l.Seal, sealText(l))
	}
	dir := t.TempDir()
	if _, err := b.Transfers().Download(ctx, loc, "pay.csv", dir); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, b)
	j := lastJob(t, b)
	if j.State != JobFailed || j.Seal != SealBroken || !errors.Is(j.Err, envelope.ErrIntegrity) {
		t.Fatalf("the download ended %v, seal %v: %v", j.State, j.Seal, j.Err)
	}
	if got := detailText(j, func(err error) string { return explain(err, nil) }); !strings.HasPrefix(got, "⚠ altered · ") {
		t.Fatalf("the transfer row says %q", got)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Fatalf("the download left %v", left)
	}
}
